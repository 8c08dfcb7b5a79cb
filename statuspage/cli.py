"""The `statuspage` command: the Flask CLI of this app plus its own groups."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register_cli(app: Flask) -> None:
    """Attach the app's command groups to app.cli."""
    from .accounts.cli import tokens_cli, users_cli
    from .demo.cli import demo_command
    from .export.cli import export_command
    from .internal.cli import integrations_cli
    from .worker.cli import worker_command

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(export_command)
    app.cli.add_command(integrations_cli)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Manage a statuspage installation."""
