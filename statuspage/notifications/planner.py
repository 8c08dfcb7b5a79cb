"""The planner: expand each outbox event into one delivery per recipient, in batches.

Each batch is one transaction: pick the oldest unplanned event (PostgreSQL: skipping
one another worker is planning), select the next subscribers after its cursor in id
order, insert their deliveries with ON CONFLICT DO NOTHING, move the cursor. A crash
between batches resumes at the cursor; a crash inside one rolls the batch back; running
a batch twice adds nothing twice (the unique (event, subscriber) key).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..components.models import Component
from ..db import unit_of_work
from ..extensions import db
from ..incidents.models import Impact
from ..subscribers.models import (
    EventKind,
    Scope,
    Subscriber,
    SubscriberState,
    subscriber_component,
    subscriber_component_group,
)
from .models import BroadcastChannel, Delivery, DeliveryState, OutboxEvent

log = logging.getLogger("statuspage.notifications")

CONFIRMATION_REQUESTED = "subscriber.confirmation_requested"
WEBHOOK_CREATED = "subscriber.webhook_created"
BROADCAST_TEST = "broadcast.test"
# Reminders for the communicators: broadcast channels only, never subscribers.
REMINDER_DUE = "reminder.due"

_KIND_FLAG = {
    EventKind.INCIDENTS: Subscriber.notify_incidents,
    EventKind.MAINTENANCE: Subscriber.notify_maintenance,
    EventKind.COMPONENT_STATUS: Subscriber.notify_component_status,
    EventKind.POSTMORTEMS: Subscriber.notify_postmortems,
}

# Broadcast channels pass events at or above their minimum impact, in this order.
_IMPACT_RANK = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 1,
    Impact.MINOR: 2,
    Impact.MAJOR: 3,
    Impact.CRITICAL: 4,
}


def subscriber_key(event_id: int, subscriber_id: int) -> str:
    """Return the idempotency key of one event's delivery to one subscriber."""
    return f"ev{event_id}-s{subscriber_id}"


def broadcast_key(event_id: int, channel_id: int) -> str:
    """Return the idempotency key of one event's delivery to one broadcast channel."""
    return f"ev{event_id}-b{channel_id}"


def _insert(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Delivery.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    db.session.execute(insert.on_conflict_do_nothing(), rows)


def _row(event: OutboxEvent, now: datetime, channel: str, **recipient: Any) -> dict[str, Any]:
    if recipient.get("subscriber_id") is not None:
        key = subscriber_key(event.id, recipient["subscriber_id"])
    else:
        key = broadcast_key(event.id, recipient["broadcast_channel_id"])
    return {
        "event_id": event.id,
        "subscriber_id": recipient.get("subscriber_id"),
        "broadcast_channel_id": recipient.get("broadcast_channel_id"),
        "channel": channel,
        "state": DeliveryState.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "key": key,
        "created_at": now,
    }


def _recipients(event: OutboxEvent, route: dict[str, Any]) -> sa.ColumnElement[bool]:
    """Return the condition a subscriber meets to hear of this event."""
    incident_id = route.get("incident_id")
    return recipient_condition(
        EventKind(route["event_kind"]),
        list(route.get("component_ids") or []),
        [] if incident_id is None else [incident_id],
    )


def recipient_condition(
    kind: EventKind, component_ids: Sequence[int], incident_ids: Sequence[int] = ()
) -> sa.ColumnElement[bool]:
    """Return the condition a subscriber meets to hear of an event of kind on these components."""
    direct = sa.exists().where(
        subscriber_component.c.subscriber_id == Subscriber.id,
        subscriber_component.c.component_id.in_(list(component_ids)),
    )
    # Current membership: a component moved into a followed group counts now.
    via_group = sa.exists().where(
        subscriber_component_group.c.subscriber_id == Subscriber.id,
        Component.group_id == subscriber_component_group.c.group_id,
        Component.id.in_(list(component_ids)),
    )
    scope = sa.or_(
        Subscriber.scope == Scope.ALL,
        sa.and_(Subscriber.scope == Scope.COMPONENTS, sa.or_(direct, via_group)),
    )
    if incident_ids:
        scope = sa.or_(
            scope,
            sa.and_(
                Subscriber.scope == Scope.INCIDENT,
                Subscriber.incident_id.in_(list(incident_ids)),
            ),
        )
    return sa.and_(Subscriber.state == SubscriberState.ACTIVE, _KIND_FLAG[kind].is_(True), scope)


def _broadcast_rows(
    event: OutboxEvent, route: dict[str, Any], now: datetime
) -> list[dict[str, Any]]:
    impact = Impact(route.get("impact") or Impact.NONE.value)
    affected = set(route.get("component_ids") or [])
    rows = []
    for channel in db.session.scalars(
        sa.select(BroadcastChannel).where(BroadcastChannel.enabled.is_(True))
    ):
        wanted = set(channel.component_ids or [])
        if wanted and not wanted & affected:
            continue
        if _IMPACT_RANK[impact] < _IMPACT_RANK[Impact(channel.minimum_impact)]:
            continue
        rows.append(_row(event, now, "apprise", broadcast_channel_id=channel.id))
    return rows


def _supersede(event: OutboxEvent, subscriber_ids: Sequence[int]) -> int:
    """Mark waiting deliveries of older updates of the same incident as superseded."""
    if not event.topic or not subscriber_ids:
        return 0
    older = sa.select(OutboxEvent.id).where(
        OutboxEvent.topic == event.topic, OutboxEvent.id < event.id
    )
    result = db.session.execute(
        sa.update(Delivery.__table__)
        .where(
            Delivery.__table__.c.state.in_(
                [DeliveryState.QUEUED.value, DeliveryState.FAILED.value]
            ),
            Delivery.__table__.c.subscriber_id.in_(list(subscriber_ids)),
            Delivery.__table__.c.event_id.in_(older),
        )
        .values(state=DeliveryState.SUPERSEDED.value, lease_until=None, claimed_by=None)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    # Another worker may have planned a newer update first: then this one is already old.
    table = Delivery.__table__
    newer = sa.orm.aliased(Delivery)
    newer_event = sa.orm.aliased(OutboxEvent)
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.event_id == event.id,
            table.c.state == DeliveryState.QUEUED.value,
            table.c.subscriber_id.in_(list(subscriber_ids)),
            sa.exists()
            .where(
                newer.subscriber_id == table.c.subscriber_id,
                newer.event_id == newer_event.id,
                newer_event.topic == event.topic,
                newer_event.id > event.id,
            )
            .correlate(table),
        )
        .values(state=DeliveryState.SUPERSEDED.value)
    )
    return count + int(result.rowcount or 0)  # type: ignore[attr-defined]


def _single_subscriber_rows(event: OutboxEvent, now: datetime) -> list[dict[str, Any]]:
    """Confirmation and ping events go to the one subscriber named in the payload."""
    payload = event.payload or {}
    if event.kind == REMINDER_DUE:
        return _broadcast_rows(event, payload.get("broadcast") or {}, now)
    if event.kind == BROADCAST_TEST:
        channel_id = payload.get("broadcast_channel_id")
        found = db.session.get(BroadcastChannel, channel_id) if channel_id else None
        return [_row(event, now, "apprise", broadcast_channel_id=found.id)] if found else []
    wanted_state = (
        [SubscriberState.UNCONFIRMED]
        if event.kind == CONFIRMATION_REQUESTED
        else [SubscriberState.ACTIVE, SubscriberState.UNCONFIRMED]
    )
    row = db.session.execute(
        sa.select(Subscriber.id, Subscriber.channel).where(
            Subscriber.public_id == payload.get("subscriber_id"),
            Subscriber.state.in_(wanted_state),
        )
    ).first()
    if row is None:
        return []
    return [_row(event, now, row.channel.value, subscriber_id=row.id)]


def _next_event() -> OutboxEvent | None:
    query = (
        sa.select(OutboxEvent)
        .where(OutboxEvent.planned_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Another worker planning that event holds its row: take the next one.
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def plan_batch(now: datetime, batch_size: int | None = None) -> tuple[bool, int]:
    """Plan one batch of the oldest unplanned event; answer (found an event, rows added)."""
    size = int(batch_size or current_app.config["DELIVERY_BATCH_SIZE"])
    with unit_of_work():
        event = _next_event()
        if event is None:
            return False, 0
        payload = event.payload or {}
        route = payload.get("route")
        if route is None:
            # Subscriber events: one recipient, planned in one go.
            rows = _single_subscriber_rows(event, now)
            _insert(rows)
            event.planned_at = event.processed_at = now
            return True, len(rows)
        rows = _broadcast_rows(event, route, now) if event.plan_cursor == 0 else []
        found = db.session.execute(
            sa.select(Subscriber.id, Subscriber.channel)
            .where(Subscriber.id > event.plan_cursor, _recipients(event, route))
            .order_by(Subscriber.id)
            .limit(size)
        ).all()
        rows += [_row(event, now, r.channel.value, subscriber_id=r.id) for r in found]
        _insert(rows)
        ids = [r.id for r in found]
        _supersede(event, ids)
        if ids:
            event.plan_cursor = ids[-1]
        if len(found) < size:
            event.planned_at = event.processed_at = now
        return True, len(rows)


def plan_events(now: datetime, *, budget: float | None = None) -> int:
    """Plan unplanned events batch by batch until none is left or the budget is spent."""
    limit = float(budget if budget is not None else current_app.config["DELIVERY_TICK_BUDGET"])
    started = time.monotonic()
    added = 0
    while True:
        found, count = plan_batch(now)
        added += count
        if not found or time.monotonic() - started > limit:
            return added
