"""Write outbox events (always inside the caller's unit of work)."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from .models import OutboxEvent


def enqueue(kind: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add an outbox event to the current transaction; it is delivered only if that commits."""
    event = OutboxEvent(kind=kind, payload=payload)
    db.session.add(event)
    return event
