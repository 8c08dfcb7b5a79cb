"""`statuspage worker`."""

from __future__ import annotations

import logging

import click
from flask import current_app


@click.command("worker")
@click.option("--once", is_flag=True, help="Run a single tick and exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=None,
    help="Seconds between ticks (default: WORKER_INTERVAL, 1s).",
)
def worker_command(once: bool, interval: float | None) -> None:
    """Run the background worker: maintenance transitions and other due work."""
    from .loop import Worker

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("statuspage").setLevel(logging.INFO)
    if interval is None:
        interval = float(current_app.config["WORKER_INTERVAL"])
    from ..notifications.engine import close_senders

    try:
        Worker(interval=interval).run(once=once)
    finally:
        close_senders(current_app._get_current_object())  # type: ignore[attr-defined]
