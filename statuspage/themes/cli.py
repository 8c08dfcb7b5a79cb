"""`statuspage themes list` and `statuspage themes check DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .check import check_theme
from .loader import TEMPLATE_API_VERSION, available_themes, themes_root


@click.group("themes")
def themes_cli() -> None:
    """List and check public page themes."""


@themes_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the installed themes; * marks the one visitors see."""
    from .render import site_theme

    try:
        active: str | None = site_theme()
    except SQLAlchemyError:
        active = current_app.config.get("THEME")
        click.echo("warning: the database is unreachable; the page setting is unknown", err=True)
    themes = available_themes(current_app)
    if not themes:
        raise click.ClickException(f"no themes in {themes_root(current_app)}")
    width = max(len(name) for name in themes)
    for name, info in themes.items():
        marker = "*" if name == active else " "
        note = ""
        if info.template_api != TEMPLATE_API_VERSION:
            note = f" (unusable: template_api {info.template_api})"
        click.echo(f"{marker} {name:<{width}}  {info.version:<8}  {info.description}{note}")


@themes_cli.command("check")
@click.argument("directory", type=click.Path(path_type=Path))
@with_appcontext
def check_command(directory: Path) -> None:
    """Check the theme folder DIRECTORY; exit 1 with one line per problem."""
    problems = check_theme(directory, themes_root(current_app), current_app.jinja_env)
    for problem in problems:
        click.echo(f"{directory}: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{directory}: the theme is fine")
