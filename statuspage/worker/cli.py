"""`statuspage worker`."""

import click


@click.command("worker")
def worker_command() -> None:
    """Run the background worker."""
    raise click.ClickException("not yet")
