"""Read models of maintenance windows for the console (hidden ones and every flag included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from .models import Maintenance, MaintenanceStatus, MaintenanceUpdate

ACTIVE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
PAST_LIMIT = 50


@dataclass(frozen=True)
class ConsoleMaintenanceRow:
    """One window in the console's list."""

    public_id: str
    name: str
    status: MaintenanceStatus
    scheduled_for: datetime
    scheduled_until: datetime
    component_names: tuple[str, ...]
    hidden: bool
    # A scheduled window whose start has passed without starting it (auto-start off).
    overdue: bool
    cancelled: bool = False


@dataclass(frozen=True)
class ConsoleMaintenanceList:
    """Windows under way, still to come, and the most recent finished ones."""

    active: tuple[ConsoleMaintenanceRow, ...]
    upcoming: tuple[ConsoleMaintenanceRow, ...]
    past: tuple[ConsoleMaintenanceRow, ...]


@dataclass(frozen=True)
class ConsoleMaintenanceUpdate:
    """One message of a window's timeline; body is Markdown source."""

    public_id: str
    status: MaintenanceStatus
    body: str
    display_at: datetime
    notify: bool
    author: str | None
    # The cancellation message (or one posted after it) of a cancelled window.
    cancelled: bool = False


@dataclass(frozen=True)
class ConsoleMaintenance:
    """Everything the console shows and edits about one window."""

    public_id: str
    name: str
    status: MaintenanceStatus
    scheduled_for: datetime
    scheduled_until: datetime
    started_at: datetime | None
    completed_at: datetime | None
    auto_start: bool
    auto_complete: bool
    notify_on_start: bool
    notify_on_complete: bool
    remind_before_minutes: int | None
    reminded_at: datetime | None
    hidden: bool
    cancelled_at: datetime | None
    cancelled_by: str | None
    component_ids: tuple[str, ...]
    component_names: tuple[str, ...]
    announcement: str  # the message posted when it was scheduled
    updates: tuple[ConsoleMaintenanceUpdate, ...]  # newest first

    @property
    def editable(self) -> bool:
        """Say whether the window can still be edited (it has not started)."""
        return self.status is MaintenanceStatus.SCHEDULED and self.cancelled_at is None

    @property
    def cancellable(self) -> bool:
        """Say whether the window can still be cancelled (scheduled or under way)."""
        return self.status is not MaintenanceStatus.COMPLETED and self.cancelled_at is None


def _row(m: Maintenance, now: datetime) -> ConsoleMaintenanceRow:
    status = MaintenanceStatus(m.status)
    return ConsoleMaintenanceRow(
        public_id=m.public_id,
        name=m.name,
        status=status,
        scheduled_for=m.scheduled_for,
        scheduled_until=m.scheduled_until,
        component_names=tuple(c.name for c in m.components),
        hidden=m.hidden,
        overdue=status is MaintenanceStatus.SCHEDULED and m.scheduled_for <= now,
        cancelled=m.cancelled_at is not None,
    )


def maintenance_list(now: datetime) -> ConsoleMaintenanceList:
    """Return windows under way, upcoming (soonest first) and recent past ones (newest first)."""
    options = selectinload(Maintenance.components)
    open_rows = db.session.scalars(
        sa.select(Maintenance)
        .where(Maintenance.status != MaintenanceStatus.COMPLETED)
        .order_by(Maintenance.scheduled_for, Maintenance.id)
        .options(options)
    ).all()
    past_rows = db.session.scalars(
        sa.select(Maintenance)
        .where(Maintenance.status == MaintenanceStatus.COMPLETED)
        .order_by(Maintenance.scheduled_for.desc(), Maintenance.id.desc())
        .limit(PAST_LIMIT)
        .options(options)
    ).all()
    rows = [_row(m, now) for m in open_rows]
    return ConsoleMaintenanceList(
        active=tuple(r for r in rows if r.status in ACTIVE),
        upcoming=tuple(r for r in rows if r.status is MaintenanceStatus.SCHEDULED),
        past=tuple(_row(m, now) for m in past_rows),
    )


def maintenance_detail(public_id: str) -> ConsoleMaintenance | None:
    """Return one window with its timeline, or None."""
    m = db.session.scalar(
        sa.select(Maintenance)
        .where(Maintenance.public_id == public_id)
        .options(selectinload(Maintenance.components), selectinload(Maintenance.updates))
    )
    if m is None:
        return None
    updates = sorted(m.updates, key=lambda u: (u.display_at, u.id), reverse=True)
    authors = _authors(updates, m.cancelled_by_id)
    scheduled = [u for u in updates if u.status is MaintenanceStatus.SCHEDULED]
    return ConsoleMaintenance(
        public_id=m.public_id,
        name=m.name,
        status=MaintenanceStatus(m.status),
        scheduled_for=m.scheduled_for,
        scheduled_until=m.scheduled_until,
        started_at=m.started_at,
        completed_at=m.completed_at,
        auto_start=m.auto_start,
        auto_complete=m.auto_complete,
        notify_on_start=m.notify_on_start,
        notify_on_complete=m.notify_on_complete,
        remind_before_minutes=m.remind_before_minutes,
        reminded_at=m.reminded_at,
        hidden=m.hidden,
        cancelled_at=m.cancelled_at,
        cancelled_by=authors.get(m.cancelled_by_id) if m.cancelled_by_id else None,
        component_ids=tuple(c.public_id for c in m.components),
        component_names=tuple(c.name for c in m.components),
        announcement=scheduled[-1].body if scheduled else "",
        updates=tuple(
            ConsoleMaintenanceUpdate(
                public_id=u.public_id,
                status=MaintenanceStatus(u.status),
                body=u.body or "",
                display_at=u.display_at,
                notify=u.notify,
                author=authors.get(u.author_id) if u.author_id else None,
                cancelled=m.cancelled_at is not None
                and MaintenanceStatus(u.status) is MaintenanceStatus.COMPLETED,
            )
            for u in updates
        ),
    )


def _authors(updates: list[MaintenanceUpdate], *more: int | None) -> dict[int, str]:
    ids = {u.author_id for u in updates if u.author_id} | {i for i in more if i}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {i: name or email for i, name, email in rows}
