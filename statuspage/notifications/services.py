"""Write outbox events (inside the caller's unit of work) and requeue failed deliveries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..audit.services import record
from ..clock import utcnow
from ..db import unit_of_work
from ..extensions import db
from .models import Delivery, DeliveryState, OutboxEvent


def enqueue(kind: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add an outbox event to the current transaction; it is delivered only if that commits."""
    event = OutboxEvent(kind=kind, payload=payload)
    db.session.add(event)
    return event


def retry_failed(event: OutboxEvent, *, actor: str = "cli", actor_id: int | None = None) -> int:
    """Queue an event's failed and dead deliveries again, due now; return how many."""
    table = Delivery.__table__
    with unit_of_work() as session:
        result = session.execute(
            sa.update(table)
            .where(
                table.c.event_id == event.id,
                table.c.state.in_([DeliveryState.FAILED.value, DeliveryState.DEAD.value]),
            )
            .values(state=DeliveryState.QUEUED.value, next_attempt_at=utcnow())
        )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        record(
            actor,
            "delivery.retry",
            "outbox_event",
            str(event.id),
            None,
            {"kind": event.kind, "requeued": count},
            actor_id=actor_id,
        )
    return count
