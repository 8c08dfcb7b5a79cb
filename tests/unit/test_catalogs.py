"""Every language's catalog is complete, not fuzzy, and keeps the English placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from statuspage.config import Config

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdrf]|%[sdrf]|\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _locales() -> list[str]:
    on_disk = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    return sorted(set(on_disk) | set(Config.LANGUAGES))


def test_every_configured_language_has_a_catalog():
    missing = [loc for loc in Config.LANGUAGES if not (TRANSLATIONS / loc).is_dir()]
    assert missing == []


@pytest.mark.parametrize("locale", _locales())
def test_catalog_is_complete_and_keeps_placeholders(locale):
    template = _read(TRANSLATIONS / "messages.pot")
    catalog = _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    problems: list[str] = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, context=wanted.context)
        key = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if isinstance(wanted.id, str):
            forms = [message.string] if isinstance(message.string, str) else list(message.string)
            expected = set(PLACEHOLDER.findall(wanted.id))
            for form in forms:
                if not form:
                    problems.append(f"untranslated: {key!r}")
                elif set(PLACEHOLDER.findall(form)) != expected:
                    problems.append(f"placeholders differ: {key!r} -> {form!r}")
                elif sorted(TAG.findall(form)) != sorted(TAG.findall(wanted.id)):
                    problems.append(f"HTML tags differ: {key!r} -> {form!r}")
            continue
        singular, plural = wanted.id
        allowed = set(PLACEHOLDER.findall(singular)) | set(PLACEHOLDER.findall(plural))
        forms = list(message.string) if not isinstance(message.string, str) else [message.string]
        if len(forms) != catalog.num_plurals or not all(forms):
            problems.append(f"plural forms incomplete: {key!r}")
            continue
        for form in forms:
            if not set(PLACEHOLDER.findall(form)) <= allowed:
                problems.append(f"placeholders differ: {key!r} -> {form!r}")
        if set(PLACEHOLDER.findall(forms[-1])) != set(PLACEHOLDER.findall(plural)):
            problems.append(f"the general plural form lost a placeholder: {key!r}")
    assert problems == [], f"{locale}: {len(problems)} problems, first: {problems[:10]}"
