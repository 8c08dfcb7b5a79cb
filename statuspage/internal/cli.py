"""`statuspage integrations`: alert sources that send internal incidents to /hooks/<kind>."""

from __future__ import annotations

import click
from flask import current_app

from ..errors import ValidationError
from .models import Integration, IntegrationKind


def _fail(exc: ValidationError) -> click.ClickException:
    return click.ClickException("; ".join(f"{field}: {msg}" for field, msg in exc.errors.items()))


def hook_url(integration: Integration) -> str:
    """Return the full URL a source posts to for this integration."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}/hooks/{integration.kind.value}?i={integration.public_id}"


def _find(name_or_id: str) -> Integration:
    from .services import find_integration

    integration = find_integration(name_or_id)
    if integration is None:
        raise click.ClickException(f"integration: no integration has the id or name {name_or_id!r}")
    return integration


@click.group("integrations")
def integrations_cli() -> None:
    """Manage alert integrations (Alertmanager, PagerDuty, Grafana, Opsgenie, generic)."""


@integrations_cli.command("create")
@click.argument("kind")
@click.argument("name")
def integrations_create(kind: str, name: str) -> None:
    """Create an integration of KIND named NAME; print its URL and secret once."""
    from .services import create_integration

    try:
        integration, secret = create_integration(kind, name)
    except ValidationError as exc:
        if "kind" in exc.errors:
            kinds = "|".join(k.value for k in IntegrationKind)
            exc.errors["KIND"] = f"{exc.errors.pop('kind')} (one of {kinds})"
        raise _fail(exc) from exc
    click.echo(f"created {integration.kind.value} integration {integration.name!r}")
    click.echo(f"url:    {hook_url(integration)}")
    click.echo(f"secret: {secret}")
    click.echo("The secret is shown only now; keep it in the alerting tool's settings.")


@integrations_cli.command("list")
def integrations_list() -> None:
    """List integrations with their URL and state (never their secrets)."""
    from .queries import integration_rows
    from .services import find_integration

    rows = integration_rows()
    if not rows:
        click.echo("no integrations")
        return
    for row in rows:
        integration = find_integration(row.public_id)
        if integration is None:  # deleted meanwhile
            continue
        state = "enabled" if row.enabled else "disabled"
        last = row.last_event_at.isoformat() if row.last_event_at else "never"
        click.echo(
            f"{row.public_id}  {row.kind:<12} {row.name}  [{state}]  last event: {last}  "
            f"rejected: {row.rejected_count}  {hook_url(integration)}"
        )


@integrations_cli.command("rotate")
@click.argument("name_or_id")
@click.option(
    "--overlap-hours",
    type=click.FloatRange(min=0),
    default=None,
    help="How long the old secret keeps working (default: INTEGRATION_SECRET_OVERLAP_HOURS).",
)
def integrations_rotate(name_or_id: str, overlap_hours: float | None) -> None:
    """Give an integration a new secret; the old one works until the overlap ends."""
    from datetime import timedelta

    from .services import rotate_secret

    integration = _find(name_or_id)
    window = timedelta(hours=overlap_hours) if overlap_hours is not None else None
    secret = rotate_secret(integration, overlap_for=window)
    expires = integration.previous_secret_expires_at
    click.echo(f"new secret: {secret}")
    click.echo(f"the old secret works until {expires.isoformat() if expires else 'now'}")
