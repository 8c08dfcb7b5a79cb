"""Read models of maintenance windows for the public page, history and APIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEntry
from ..components.models import Component
from ..errors import NotFoundError
from ..extensions import db
from ..incidents.queries import ComponentRef, component_refs
from .models import Maintenance, MaintenanceStatus, maintenance_component

IN_PROGRESS_STATUSES = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


@dataclass(frozen=True)
class MaintenanceUpdateRead:
    """One update of a maintenance window; body is Markdown source."""

    public_id: str
    status: MaintenanceStatus
    body: str
    display_at: datetime
    created_at: datetime
    updated_at: datetime
    notify: bool
    # The cancellation message (or one posted after it) of a cancelled window.
    cancelled: bool = False


@dataclass(frozen=True)
class MaintenanceRead:
    """A maintenance window with its visible components and updates, newest first.

    A cancelled window has status completed and cancelled_at set; its updates from
    the cancellation on have status completed too (see the models' docstring).
    """

    public_id: str
    name: str
    status: MaintenanceStatus
    scheduled_for: datetime
    scheduled_until: datetime
    started_at: datetime | None
    completed_at: datetime | None
    components: tuple[ComponentRef, ...]
    updates: tuple[MaintenanceUpdateRead, ...]
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None = None

    @property
    def cancelled(self) -> bool:
        """Say whether the window was cancelled."""
        return self.cancelled_at is not None

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
                public_id=u.public_id,
                status=MaintenanceStatus(u.status),
                body=u.body or "",
                display_at=u.display_at,
                created_at=u.created_at,
                updated_at=u.updated_at,
                notify=u.notify,
                cancelled=m.cancelled_at is not None
                and MaintenanceStatus(u.status) is MaintenanceStatus.COMPLETED,
            )
            for u in updates
        ),
        created_at=m.created_at,
        updated_at=m.updated_at,
        cancelled_at=m.cancelled_at,
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
            Maintenance.cancelled_at.is_(None),
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


@dataclass(frozen=True)
class MaintenanceEdits:
    """How often a window was edited after scheduling, and when last."""

    count: int
    last_at: datetime | None


def recent_maintenance(limit: int, component_id: int | None = None) -> list[MaintenanceRead]:
    """Return the visible windows latest-starting first, optionally one component's (3 stmts)."""
    query = sa.select(Maintenance).where(Maintenance.hidden.is_(False))
    if component_id is not None:
        link = maintenance_component
        query = query.where(
            Maintenance.id.in_(
                sa.select(link.c.maintenance_id).where(link.c.component_id == component_id)
            )
        )
    rows = db.session.scalars(
        query.order_by(Maintenance.scheduled_for.desc(), Maintenance.id.desc())
        .limit(limit)
        .options(*_options())
    ).all()
    return [_read(m) for m in rows]


def maintenance_ending_after(since: datetime) -> list[MaintenanceRead]:
    """Return visible windows scheduled to end at or after `since`, earliest first (3 stmts)."""
    rows = db.session.scalars(
        sa.select(Maintenance)
        .where(Maintenance.hidden.is_(False), Maintenance.scheduled_until >= since)
        .order_by(Maintenance.scheduled_for, Maintenance.id)
        .options(*_options())
    ).all()
    return [_read(m) for m in rows]


def maintenance_edits(public_ids: list[str]) -> dict[str, MaintenanceEdits]:
    """Return the audit log's count and latest time of edits per window (one statement)."""
    if not public_ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEntry.object_id, sa.func.count(), sa.func.max(AuditEntry.created_at))
        .where(
            AuditEntry.object_type == "maintenance",
            AuditEntry.action == "maintenance.edit",
            AuditEntry.object_id.in_(public_ids),
        )
        .group_by(AuditEntry.object_id)
    ).all()
    return {str(pid): MaintenanceEdits(int(count), last) for pid, count, last in rows}
