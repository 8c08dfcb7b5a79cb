"""Scheduled maintenance windows and their updates.

Cancellation is a flag, not a status: the Statuspage vocabulary (scheduled,
in_progress, verifying, completed) has no "cancelled", and every client of it
must keep working. Cancelling moves a window to completed (completed_at is the
cancellation time) and sets cancelled_at and cancelled_by_id; its final update
has status completed and says it was cancelled. Our own pages, feeds and
calendar read cancelled_at and say "Cancelled".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..components.models import Component
from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db


class MaintenanceStatus(StrEnum):
    """A maintenance window's status, as in the Statuspage vocabulary."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


maintenance_component = sa.Table(
    "maintenance_component",
    db.metadata,
    sa.Column(
        "maintenance_id", sa.ForeignKey("maintenance.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
)


class Maintenance(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A planned window of work on some components."""

    __tablename__ = "maintenance"
    __table_args__ = (sa.Index("ix_maintenance_scheduled_for", "scheduled_for"),)

    name: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[MaintenanceStatus] = mapped_column(
        str_enum(MaintenanceStatus, "status"), default=MaintenanceStatus.SCHEDULED
    )
    scheduled_for: Mapped[datetime]
    scheduled_until: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # Worker moves the window to in_progress at scheduled_for / completed at scheduled_until.
    auto_start: Mapped[bool] = mapped_column(default=True)
    auto_complete: Mapped[bool] = mapped_column(default=True)
    notify_on_start: Mapped[bool] = mapped_column(default=True)
    notify_on_complete: Mapped[bool] = mapped_column(default=True)
    # Remind subscribers this many minutes before the start (None: no reminder).
    remind_before_minutes: Mapped[int | None]
    reminded_at: Mapped[datetime | None]
    hidden: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    updates: Mapped[list[MaintenanceUpdate]] = relationship(
        back_populates="maintenance",
        order_by="MaintenanceUpdate.display_at.desc()",
        cascade="all, delete-orphan",
    )
    components: Mapped[list[Component]] = relationship(
        secondary=maintenance_component, order_by="Component.position"
    )

    @property
    def cancelled(self) -> bool:
        """Say whether the window was cancelled."""
        return self.cancelled_at is not None


class MaintenanceUpdate(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One message in a maintenance window's timeline."""

    __tablename__ = "maintenance_update"

    maintenance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("maintenance.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MaintenanceStatus] = mapped_column(str_enum(MaintenanceStatus, "status"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    display_at: Mapped[datetime] = mapped_column(default=utcnow)
    notify: Mapped[bool] = mapped_column(default=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    maintenance: Mapped[Maintenance] = relationship(back_populates="updates")
