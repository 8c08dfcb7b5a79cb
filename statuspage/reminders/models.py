"""Reminders: one row per subject and due period, so each is sent once and can be dismissed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import PublicIdMixin, str_enum
from ..extensions import db


class ReminderKind(StrEnum):
    """Why the communicator is reminded."""

    # An active public incident has had no public update for its impact's interval.
    UPDATE_DUE = "update_due"
    # A component has been non-operational for hours with no open incident.
    STALE_COMPONENT = "stale_component"


class Reminder(PublicIdMixin, db.Model):  # type: ignore[name-defined]
    """A reminder that fell due: broadcast once, shown as a console banner until cleared."""

    __tablename__ = "reminder"
    __table_args__ = (
        # The same subject falls due again only with a new due time (after a new update).
        sa.UniqueConstraint("kind", "subject", "due_at", name="uq_reminder_due"),
        sa.Index("ix_reminder_open", "cleared_at", "dismissed_at"),
    )

    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, "kind"))
    # "incident:<public_id>" or "component:<public_id>".
    subject: Mapped[str] = mapped_column(sa.String(64))
    incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE")
    )
    component_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("component.id", ondelete="CASCADE")
    )
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the broadcast event was written (same transaction as the row).
    sent_at: Mapped[datetime | None]
    # Set when the reason went away (a public update, the incident or component recovered).
    cleared_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]
    dismissed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
