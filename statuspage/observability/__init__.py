"""Health and metrics."""

from flask import Flask


def init_observability(app: Flask) -> None:
    """Register /healthz and /metrics."""
