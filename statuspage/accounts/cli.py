"""`statuspage users` and `statuspage tokens`."""

from __future__ import annotations

import sys

import click

from ..errors import ValidationError


def _fail(exc: ValidationError) -> click.ClickException:
    return click.ClickException("; ".join(f"{field}: {msg}" for field, msg in exc.errors.items()))


@click.group("users")
def users_cli() -> None:
    """Manage staff users."""


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "communicator", "support"]), required=True)
@click.option("--name", default="", help="Display name.")
def users_create(email: str, role: str, name: str) -> None:
    """Create a user; the password is read from stdin or prompted for."""
    from .services import create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(email, password, role, name=name)
    except ValidationError as exc:
        raise _fail(exc) from exc
    click.echo(f"created {user.role.value} {user.email}")


@click.group("tokens")
def tokens_cli() -> None:
    """Manage API keys."""


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the key is for.")
def tokens_create(email: str, name: str) -> None:
    """Create an API key for EMAIL and print it once."""
    from .services import create_api_key

    try:
        _key, secret = create_api_key(email, name=name)
    except ValidationError as exc:
        raise _fail(exc) from exc
    click.echo(secret)
