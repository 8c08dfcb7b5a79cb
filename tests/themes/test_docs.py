"""docs/themes.md lists every field of every view-model a theme template receives."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "themes.md"
VIEW_MODELS = {
    "statuspage.themes.render": ["SiteView", "FeedLinks", "LinkView", "LanguageOption"],
    "statuspage.public.viewmodels": None,  # every dataclass in the module
    "statuspage.embed.pages": ["EmbedPageView", "EmbedItemView"],
    "statuspage.public.subscription_pages": [
        "ComponentTreeView",
        "GroupChoiceView",
        "ChoiceView",
        "SubscribedView",
        "ManageView",
    ],
    "statuspage.notifications.content": ["MessageView", "UpdateView", "ComponentView"],
}


def documented() -> dict[tuple[str, str], list[str]]:
    """Return the fields the guide lists, by (module, class)."""
    found: dict[tuple[str, str], list[str]] = {}
    module = name = ""
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            module, name = line[3:].strip(), ""
        elif line.startswith("### "):
            name = line[4:].strip()
            found[(module, name)] = []
        elif name and (field := re.match(r"^\| `(\w+)` \|", line)):
            found[(module, name)].append(field.group(1))
    return found


def expected() -> dict[tuple[str, str], list[str]]:
    result = {}
    for module_name, names in VIEW_MODELS.items():
        module = importlib.import_module(module_name)
        classes = [
            value
            for value in vars(module).values()
            if dataclasses.is_dataclass(value) and value.__module__ == module_name
        ]
        if names is not None:
            classes = [getattr(module, name) for name in names]
        for cls in classes:
            result[(module_name, cls.__name__)] = [f.name for f in dataclasses.fields(cls)]
    return result


@pytest.mark.parametrize("key", sorted(expected()), ids=lambda key: f"{key[0]}.{key[1]}")
def test_every_view_model_field_is_in_the_guide(key):
    guide = documented()
    assert key in guide, f"docs/themes.md has no '### {key[1]}' under '## {key[0]}'"
    assert guide[key] == expected()[key], f"docs/themes.md: fields of {key[1]} differ"


def test_the_guide_lists_no_view_model_that_is_gone():
    assert set(documented()) <= set(expected())


def test_the_guide_names_every_template_of_the_default_theme():
    text = GUIDE.read_text(encoding="utf-8")
    templates = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates"
    for path in templates.rglob("*.html"):
        name = path.relative_to(templates).as_posix()
        if name.startswith("email/"):
            continue  # the email templates are named by kind in one paragraph
        assert path.name in text, name
