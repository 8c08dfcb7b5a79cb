"""`statuspage demo`."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--force", is_flag=True, help="Wipe all existing data first (cannot be undone).")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty database; otherwise do nothing and exit 0.",
)
def demo_command(force: bool, if_empty: bool) -> None:
    """Load realistic demo data (Acme Cloud: components, 90 days of history, incidents, users)."""
    from .services import DatabaseNotEmptyError, database_is_empty, load_demo

    if force and if_empty:
        raise click.UsageError("use --force or --if-empty, not both")
    if if_empty and not database_is_empty():
        click.echo("database not empty, demo skipped")
        return
    try:
        summary = load_demo(force=force)
    except DatabaseNotEmptyError:
        raise click.ClickException(
            "the database is not empty (it has components, incidents or users); "
            "run `statuspage demo --force` to wipe ALL data and load the demo, "
            "or `statuspage demo --if-empty` to skip"
        ) from None
    counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in summary.counts.items())
    click.echo(f"demo loaded: {counts}")
    click.echo(f"active incident: {summary.active_incident_id}")
    click.echo(f"upcoming maintenance: {summary.upcoming_maintenance_id}")
    click.echo(
        f"sign in as {summary.admin_email} / {summary.admin_password} "
        "(also comms@example.com and support@example.com)"
    )
