"""`statuspage demo`."""

import click


@click.command("demo")
def demo_command() -> None:
    """Load realistic demo data."""
    raise click.ClickException("not yet")
