"""`statuspage themes list` and `statuspage themes check DIR` on real folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from statuspage.extensions import db
from statuspage.site.models import PageSettings

THEMES = Path(__file__).resolve().parents[2] / "themes"
PASSWD = os.path.realpath("/etc/passwd")


def manifest(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.toml").write_text(text)
    return folder


def test_list_shows_every_theme_and_marks_the_active_one(app, runner):
    with app.app_context():
        db.session.add(PageSettings(name="Example", footer_links=[], theme="compact"))
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["themes", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["*", "default", "high-contrast"]
    assert lines[0].split()[1:3] == ["compact", "1.0.0"]
    assert "The built-in theme" in lines[1]
    # STATUSPAGE_THEME (config THEME) wins over the setting.
    app.config["THEME"] = "high-contrast"
    lines = runner.invoke(args=["themes", "list"]).output.splitlines()
    assert [line[0] for line in lines] == [" ", " ", "*"]


@pytest.mark.parametrize("name", ["default", "compact", "high-contrast"])
def test_the_shipped_themes_pass_the_check(app, runner, name):
    result = runner.invoke(args=["themes", "check", str(THEMES / name)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("the theme is fine")


def test_check_names_every_problem_of_a_broken_theme(app, runner, tmp_path):
    theme = manifest(
        tmp_path / "broken",
        'name = "Broken Theme"\nversion = 3\ntemplate_api = 7\n',
    )
    templates = theme / "templates" / "public"
    templates.mkdir(parents=True)
    (templates / "index.html").write_text('{% extends "layout.html" %}\n{% block content %}\n{% if')
    (templates / "indx.html").write_text("typo in the name")
    (theme / "static").mkdir()
    (theme / "static" / "passwd").symlink_to("/etc/passwd")
    (theme / "static" / "inside.css").symlink_to(theme / "templates" / "public" / "indx.html")
    (theme / "static" / "bad name.css").write_text("")

    result = runner.invoke(args=["themes", "check", str(theme)])
    assert result.exit_code == 1
    problems = sorted(line.removeprefix(f"{theme}: ") for line in result.output.splitlines())
    assert problems == sorted(
        [
            "theme.toml: name must be 1-64 lowercase letters, digits, - or _, "
            "starting with a letter or digit",
            'theme.toml: version must be a non-empty string, like "1.0.0"',
            "theme.toml: description must be a string",
            "theme.toml: template_api 7 is not supported (this version renders template_api 1)",
            "static/bad name.css: unsafe file name (use letters, digits, . _ - @ +)",
            f"static/passwd: symlink leaves the theme folder (to {PASSWD})",
            "templates/public/index.html:3: template syntax error: unexpected 'end of template'",
            "templates/public/indx.html: not a template of the default theme, so nothing "
            "renders it",
        ]
    )


def test_check_missing_or_unreadable_manifest(app, runner, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(args=["themes", "check", str(empty)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"{empty}: theme.toml: missing"]

    bad = manifest(tmp_path / "bad", "name = \n")
    result = runner.invoke(args=["themes", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}: theme.toml: not valid TOML")

    other = manifest(
        tmp_path / "other",
        'name = "elsewhere"\nversion = "1"\ndescription = ""\ntemplate_api = 1\n',
    )
    result = runner.invoke(args=["themes", "check", str(other)])
    assert result.output.splitlines() == [
        f"{other}: theme.toml: name 'elsewhere' differs from the folder name 'other'"
    ]
    result = runner.invoke(args=["themes", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "not a folder" in result.output


def test_a_copy_of_a_shipped_theme_with_an_override_passes(app, runner, tmp_path):
    theme = tmp_path / "mine"
    shutil.copytree(THEMES / "compact", theme)
    (theme / "theme.toml").write_text(
        'name = "mine"\nversion = "0.1.0"\ndescription = "Mine"\ntemplate_api = 1\n'
    )
    (theme / "templates" / "public").mkdir(parents=True)
    (theme / "templates" / "public" / "404.html").write_text(
        '{% extends "layout.html" %}{% block content %}<h1>{{ _("Lost") }}</h1>{% endblock %}'
    )
    result = runner.invoke(args=["themes", "check", str(theme)])
    assert result.exit_code == 0, result.output
