"""Read models for the console's delivery report: counts per channel and state, errors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..subscribers.models import Channel
from .models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent

_STATES = tuple(DeliveryState)


@dataclass(frozen=True)
class DeliveryError:
    """One failed attempt, for the report's error list."""

    at: datetime
    channel: Channel
    key: str
    error: str


@dataclass(frozen=True)
class DeliveryReport:
    """What happened to one event's deliveries so far."""

    event_id: int
    kind: str
    created_at: datetime
    planned: bool
    # channel -> state -> count (every state present, zero when none)
    by_channel: dict[Channel, dict[DeliveryState, int]]
    totals: dict[DeliveryState, int]
    # Deliveries tried more than once (retries, or resent after a worker died).
    retried: int
    # Sent deliveries that may have reached their recipient twice (a worker died mid-send).
    possible_duplicates: int
    recent_errors: list[DeliveryError] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return how many deliveries the event has."""
        return sum(self.totals.values())


def delivery_report(event: OutboxEvent, *, errors: int = 20) -> DeliveryReport:
    """Return one event's delivery counts per channel and state, and its latest errors."""
    by_channel: dict[Channel, dict[DeliveryState, int]] = defaultdict(
        lambda: dict.fromkeys(_STATES, 0)
    )
    totals = dict.fromkeys(_STATES, 0)
    for channel, state, count in db.session.execute(
        sa.select(Delivery.channel, Delivery.state, sa.func.count())
        .where(Delivery.event_id == event.id)
        .group_by(Delivery.channel, Delivery.state)
    ):
        by_channel[Channel(channel)][DeliveryState(state)] = count
        totals[DeliveryState(state)] += count
    retried = db.session.scalar(
        sa.select(sa.func.count()).where(Delivery.event_id == event.id, Delivery.attempts > 1)
    )
    # A sent delivery with a lease-expiry attempt was handed to a sender twice.
    interrupted = (
        sa.select(DeliveryAttempt.delivery_id)
        .where(DeliveryAttempt.error.like("the worker sending it stopped%"))
        .scalar_subquery()
    )
    duplicates = db.session.scalar(
        sa.select(sa.func.count()).where(
            Delivery.event_id == event.id,
            Delivery.state == DeliveryState.SENT,
            Delivery.id.in_(interrupted),
        )
    )
    recent = [
        DeliveryError(at=at, channel=Channel(channel), key=key, error=error or "")
        for at, channel, key, error in db.session.execute(
            sa.select(DeliveryAttempt.at, Delivery.channel, Delivery.key, DeliveryAttempt.error)
            .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
            .where(Delivery.event_id == event.id, DeliveryAttempt.ok.is_(False))
            .order_by(DeliveryAttempt.at.desc(), DeliveryAttempt.id.desc())
            .limit(errors)
        )
    ]
    return DeliveryReport(
        event_id=event.id,
        kind=event.kind,
        created_at=event.created_at,
        planned=event.planned_at is not None,
        by_channel=dict(by_channel),
        totals=totals,
        retried=int(retried or 0),
        possible_duplicates=int(duplicates or 0),
        recent_errors=recent,
    )


def events_for_update(update_public_id: str) -> list[OutboxEvent]:
    """Return the events an incident or maintenance update caused (usually one)."""
    return list(
        db.session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.update_public_id == update_public_id)
            .order_by(OutboxEvent.id)
        )
    )


def events_for_topic(kind: str, internal_id: int) -> list[OutboxEvent]:
    """Return every update event of one incident or maintenance window, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.topic == f"{kind}:{internal_id}")
            .order_by(OutboxEvent.id)
        )
    )


def find_event(event_id: int) -> OutboxEvent | None:
    """Return an outbox event by id, or None."""
    return db.session.get(OutboxEvent, event_id)


@dataclass(frozen=True)
class FailedDelivery:
    """A failed or dead delivery, for the report's list: who, how often, the last error."""

    id: int
    key: str
    channel: Channel
    state: DeliveryState
    attempts: int
    last_error: str
    next_attempt_at: datetime
    subscriber_id: int | None
    broadcast_channel_id: int | None


_FAILED_STATES = (DeliveryState.FAILED, DeliveryState.DEAD)


def count_failed(event: OutboxEvent) -> int:
    """Return how many of an event's deliveries are failed (waiting for a retry) or dead."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Delivery.event_id == event.id, Delivery.state.in_(_FAILED_STATES)
            )
        )
        or 0
    )


def failed_deliveries(event: OutboxEvent, offset: int, limit: int) -> list[FailedDelivery]:
    """Return one page of an event's failed and dead deliveries, in id order."""
    return [
        FailedDelivery(
            id=d.id,
            key=d.key,
            channel=Channel(d.channel),
            state=DeliveryState(d.state),
            attempts=d.attempts,
            last_error=d.last_error or "",
            next_attempt_at=d.next_attempt_at,
            subscriber_id=d.subscriber_id,
            broadcast_channel_id=d.broadcast_channel_id,
        )
        for d in db.session.scalars(
            sa.select(Delivery)
            .where(Delivery.event_id == event.id, Delivery.state.in_(_FAILED_STATES))
            .order_by(Delivery.id)
            .offset(offset)
            .limit(limit)
        )
    ]


def events_for_updates(update_public_ids: list[str]) -> dict[str, list[OutboxEvent]]:
    """Return the events of several updates at once, by update public id."""
    found: dict[str, list[OutboxEvent]] = defaultdict(list)
    if not update_public_ids:
        return {}
    for event in db.session.scalars(
        sa.select(OutboxEvent)
        .where(OutboxEvent.update_public_id.in_(update_public_ids))
        .order_by(OutboxEvent.id)
    ):
        found[event.update_public_id or ""].append(event)
    return dict(found)
