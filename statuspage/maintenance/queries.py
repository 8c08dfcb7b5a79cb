"""Read models of maintenance windows for the public page, history and APIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..components.models import Component
from ..errors import NotFoundError
from ..extensions import db
from ..incidents.queries import ComponentRef, component_refs
from .models import Maintenance, MaintenanceStatus

IN_PROGRESS_STATUSES = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


@dataclass(frozen=True)
class MaintenanceUpdateRead:
    """One update of a maintenance window; body is Markdown source."""

    public_id: str
    status: MaintenanceStatus
    body: str
    display_at: datetime


@dataclass(frozen=True)
class MaintenanceRead:
    """A maintenance window with its visible components and updates, newest first."""

    public_id: str
    name: str
    status: MaintenanceStatus
    scheduled_for: datetime
    scheduled_until: datetime
    started_at: datetime | None
    completed_at: datetime | None
    components: tuple[ComponentRef, ...]
    updates: tuple[MaintenanceUpdateRead, ...]

    @property
    def in_progress(self) -> bool:
        """Say whether the work is under way."""
        return MaintenanceStatus(self.status) in IN_PROGRESS_STATUSES

    @property
    def latest_update(self) -> MaintenanceUpdateRead | None:
        """Return the newest update, if any."""
        return self.updates[0] if self.updates else None


def _read(m: Maintenance) -> MaintenanceRead:
    updates = sorted(m.updates, key=lambda u: (u.display_at, u.id), reverse=True)
    return MaintenanceRead(
        public_id=m.public_id,
        name=m.name,
        status=MaintenanceStatus(m.status),
        scheduled_for=m.scheduled_for,
        scheduled_until=m.scheduled_until,
        started_at=m.started_at,
        completed_at=m.completed_at,
        components=component_refs(m.components),
        updates=tuple(
            MaintenanceUpdateRead(
                u.public_id, MaintenanceStatus(u.status), u.body or "", u.display_at
            )
            for u in updates
        ),
    )


def _options() -> tuple[sa.orm.interfaces.LoaderOption, ...]:
    return (
        selectinload(Maintenance.components).joinedload(Component.group),
        selectinload(Maintenance.updates),
    )


def current_and_upcoming(now: datetime) -> tuple[list[MaintenanceRead], list[MaintenanceRead]]:
    """Return visible windows in progress and those still to come (three statements)."""
    rows = db.session.scalars(
        sa.select(Maintenance)
        .where(
            Maintenance.hidden.is_(False),
            sa.or_(
                Maintenance.status.in_(IN_PROGRESS_STATUSES),
                sa.and_(
                    Maintenance.status == MaintenanceStatus.SCHEDULED,
                    Maintenance.scheduled_until > now,
                ),
            ),
        )
        .order_by(Maintenance.scheduled_for, Maintenance.id)
        .options(*_options())
    ).all()
    reads = [_read(m) for m in rows]
    return [m for m in reads if m.in_progress], [m for m in reads if not m.in_progress]


def get_maintenance(public_id: str) -> MaintenanceRead:
    """Return a visible maintenance window; raise NotFoundError otherwise."""
    m = db.session.scalar(
        sa.select(Maintenance)
        .where(Maintenance.public_id == public_id, Maintenance.hidden.is_(False))
        .options(*_options())
    )
    if m is None:
        raise NotFoundError(public_id)
    return _read(m)


def maintenance_started_between(
    start: datetime, end: datetime, now: datetime
) -> list[MaintenanceRead]:
    """Return visible windows scheduled to start in [start, end) and not in the future."""
    rows = db.session.scalars(
        sa.select(Maintenance)
        .where(
            Maintenance.hidden.is_(False),
            Maintenance.scheduled_for >= start,
            Maintenance.scheduled_for < end,
            Maintenance.scheduled_for <= now,
        )
        .order_by(Maintenance.scheduled_for.desc(), Maintenance.id.desc())
        .options(*_options())
    ).all()
    return [_read(m) for m in rows]


def first_maintenance_start(now: datetime) -> datetime | None:
    """Return when the oldest visible, already begun window was scheduled to start."""
    return db.session.scalar(
        sa.select(sa.func.min(Maintenance.scheduled_for)).where(
            Maintenance.hidden.is_(False), Maintenance.scheduled_for <= now
        )
    )
