"""The transactional outbox and the deliveries the engine plans from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import str_enum
from ..extensions import db
from ..incidents.models import Impact
from ..subscribers.models import Channel


class OutboxEvent(db.Model):  # type: ignore[name-defined]
    """Something to deliver after commit; the planner expands it into deliveries.

    `payload` holds `context` (the snapshot senders render, see dispatch.py) and `route`
    (who should hear of it: component ids, incident id, event kind, impact). Subscriber
    events (confirmation, webhook ping) keep their own small payload.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        sa.Index("ix_outbox_event_processed_at_id", "processed_at", "id"),
        sa.Index("ix_outbox_event_planned_at_id", "planned_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # Updates of one incident (or window) share a topic: newer ones supersede older ones.
    topic: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # Public id of the incident or maintenance update that caused it (the console's report).
    update_public_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    # Planning progress: subscribers up to this id are planned; planned_at ends it.
    plan_cursor: Mapped[int] = mapped_column(default=0)
    planned_at: Mapped[datetime | None]


class DeliveryState(StrEnum):
    """Where one delivery is."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # waits for next_attempt_at
    DEAD = "dead"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"


class Delivery(db.Model):  # type: ignore[name-defined]
    """One event to one recipient (a subscriber or a broadcast channel) on one channel."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "subscriber_id", name="uq_delivery_event_subscriber"),
        sa.UniqueConstraint("event_id", "broadcast_channel_id", name="uq_delivery_event_broadcast"),
        # The claim: due deliveries of one channel, oldest first.
        sa.Index("ix_delivery_channel_state_next", "channel", "state", "next_attempt_at"),
        sa.Index("ix_delivery_state_lease", "state", "lease_until"),
        sa.Index("ix_delivery_subscriber_state", "subscriber_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_event.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscriber.id", ondelete="CASCADE")
    )
    broadcast_channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("broadcast_channel.id", ondelete="CASCADE")
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "state"), default=DeliveryState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Stable across retries: Message-ID, X-Statuspage-Delivery.
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(db.Model):  # type: ignore[name-defined]
    """One try at one delivery, successful or not (the console's error list)."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)


class BroadcastChannel(db.Model):  # type: ignore[name-defined]
    """An internal destination (Apprise URL) told of events on chosen components."""

    __tablename__ = "broadcast_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    apprise_url: Mapped[str] = mapped_column(sa.String(2000))
    # Component ids (internal); empty means every component.
    component_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    minimum_impact: Mapped[Impact] = mapped_column(str_enum(Impact, "impact"), default=Impact.NONE)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
