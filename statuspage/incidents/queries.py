"""Read models of incidents for the public page, history and APIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..components.models import Component, ComponentStatus
from ..components.queries import page_order_key
from ..errors import NotFoundError
from ..extensions import db
from .models import (
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    IncidentUpdateComponent,
    incident_component,
)

OPEN_STATUSES = tuple(s for s in IncidentStatus if s.is_open)


@dataclass(frozen=True)
class ComponentRef:
    """A component named in an incident or maintenance."""

    public_id: str
    name: str


@dataclass(frozen=True)
class ComponentChangeRead:
    """A component's status change carried by an update."""

    component: ComponentRef
    old_status: ComponentStatus | None
    new_status: ComponentStatus


@dataclass(frozen=True)
class IncidentUpdateRead:
    """One update of an incident's timeline; body is Markdown source."""

    public_id: str
    status: IncidentStatus
    body: str
    display_at: datetime
    component_changes: tuple[ComponentChangeRead, ...]
    created_at: datetime
    updated_at: datetime
    notify: bool
    # Set by translations.localize_incidents: the language body is in, and whether the
    # reader asked for another one that this update has no translation into.
    language: str = ""
    is_fallback: bool = False


@dataclass(frozen=True)
class IncidentRead:
    """An incident with its visible components and its timeline, newest update first."""

    public_id: str
    name: str
    status: IncidentStatus
    impact: Impact
    started_at: datetime
    resolved_at: datetime | None
    postmortem_body: str | None
    postmortem_published_at: datetime | None
    components: tuple[ComponentRef, ...]
    updates: tuple[IncidentUpdateRead, ...]
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    # Set by translations.localize_incidents: the language of name, whether some shown text
    # is the original because it has no translation into asked_language.
    language: str = ""
    is_fallback: bool = False
    asked_language: str = ""

    @property
    def is_open(self) -> bool:
        """Say whether the incident is unresolved."""
        return IncidentStatus(self.status).is_open

    @property
    def latest_update(self) -> IncidentUpdateRead | None:
        """Return the newest update, if any."""
        return self.updates[0] if self.updates else None

    @property
    def postmortem_published(self) -> bool:
        """Say whether a postmortem is published."""
        return bool(self.postmortem_body) and self.postmortem_published_at is not None


@dataclass(frozen=True)
class IncidentSpan:
    """An incident touching a component over a period (for uptime day summaries)."""

    component_id: int
    public_id: str
    name: str
    impact: Impact
    started_at: datetime
    resolved_at: datetime | None


def component_refs(components: Sequence[Component]) -> tuple[ComponentRef, ...]:
    """Return the visible components as references, in status page order."""
    return tuple(
        ComponentRef(c.public_id, c.name)
        for c in sorted(components, key=page_order_key)
        if c.visible
    )


def _change(change: IncidentUpdateComponent) -> ComponentChangeRead | None:
    if not change.component.visible:
        return None
    return ComponentChangeRead(
        component=ComponentRef(change.component.public_id, change.component.name),
        old_status=ComponentStatus(change.old_status) if change.old_status else None,
        new_status=ComponentStatus(change.new_status),
    )


def _update(update: IncidentUpdate, with_changes: bool) -> IncidentUpdateRead:
    changes: tuple[ComponentChangeRead, ...] = ()
    if with_changes:
        ordered = sorted(update.component_changes, key=lambda c: page_order_key(c.component))
        changes = tuple(c for c in map(_change, ordered) if c is not None)
    return IncidentUpdateRead(
        public_id=update.public_id,
        status=IncidentStatus(update.status),
        body=update.body or "",
        display_at=update.display_at,
        component_changes=changes,
        created_at=update.created_at,
        updated_at=update.updated_at,
        notify=update.notify,
    )


def _incident(incident: Incident, *, with_changes: bool = True) -> IncidentRead:
    updates = sorted(incident.updates, key=lambda u: (u.display_at, u.id), reverse=True)
    return IncidentRead(
        public_id=incident.public_id,
        name=incident.name,
        status=IncidentStatus(incident.status),
        impact=Impact(incident.impact_override or incident.impact),
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        postmortem_body=incident.postmortem_body,
        postmortem_published_at=incident.postmortem_published_at,
        components=component_refs(incident.components),
        updates=tuple(_update(u, with_changes) for u in updates),
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        monitoring_at=incident.monitoring_at,
    )


def _loaded(with_changes: bool) -> list[sa.orm.interfaces.LoaderOption]:
    options: list[sa.orm.interfaces.LoaderOption] = [
        selectinload(Incident.components).joinedload(Component.group)
    ]
    if with_changes:
        options.append(
            selectinload(Incident.updates)
            .selectinload(IncidentUpdate.component_changes)
            .joinedload(IncidentUpdateComponent.component)
            .joinedload(Component.group)
        )
    else:
        options.append(selectinload(Incident.updates))
    return options


def open_incidents(*, with_changes: bool = False) -> list[IncidentRead]:
    """Return unresolved, visible incidents, newest first (three statements, five with changes)."""
    incidents = db.session.scalars(
        sa.select(Incident)
        .where(Incident.status.in_(OPEN_STATUSES), Incident.hidden.is_(False))
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .options(*_loaded(with_changes))
    ).all()
    return [_incident(i, with_changes=with_changes) for i in incidents]


def get_incident(public_id: str) -> IncidentRead:
    """Return a visible incident with its whole timeline; raise NotFoundError otherwise."""
    incident = db.session.scalar(
        sa.select(Incident)
        .where(Incident.public_id == public_id, Incident.hidden.is_(False))
        .options(*_loaded(True))
    )
    if incident is None:
        raise NotFoundError(public_id)
    return _incident(incident)


def incidents_started_between(start: datetime, end: datetime) -> list[IncidentRead]:
    """Return visible incidents started in [start, end), newest first, with their updates."""
    incidents = db.session.scalars(
        sa.select(Incident)
        .where(Incident.hidden.is_(False), Incident.started_at >= start, Incident.started_at < end)
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .options(*_loaded(False))
    ).all()
    return [_incident(i, with_changes=False) for i in incidents]


def first_incident_start() -> datetime | None:
    """Return when the oldest visible incident started."""
    return db.session.scalar(
        sa.select(sa.func.min(Incident.started_at)).where(Incident.hidden.is_(False))
    )


def incidents_affecting(
    component_ids: Sequence[int], start: datetime, end: datetime
) -> list[IncidentSpan]:
    """Return visible incidents on these components that overlap [start, end) (one statement)."""
    ids = list(dict.fromkeys(component_ids))
    if not ids:
        return []
    link = incident_component
    rows = db.session.execute(
        sa.select(
            link.c.component_id,
            Incident.public_id,
            Incident.name,
            sa.func.coalesce(Incident.impact_override, Incident.impact),
            Incident.started_at,
            Incident.resolved_at,
        )
        .join(Incident, Incident.id == link.c.incident_id)
        .where(
            link.c.component_id.in_(ids),
            Incident.hidden.is_(False),
            Incident.started_at < end,
            sa.or_(Incident.resolved_at.is_(None), Incident.resolved_at >= start),
        )
        .order_by(Incident.started_at, Incident.id)
    ).all()
    return [
        IncidentSpan(
            component_id=cid,
            public_id=pid,
            name=name,
            impact=Impact(impact),
            started_at=started,
            resolved_at=resolved,
        )
        for cid, pid, name, impact, started, resolved in rows
    ]


def recent_incidents(
    limit: int, component_id: int | None = None, *, with_changes: bool = False
) -> list[IncidentRead]:
    """Return the newest visible incidents by start, optionally only one component's (3 stmts)."""
    query = sa.select(Incident).where(Incident.hidden.is_(False))
    if component_id is not None:
        link = incident_component
        query = query.where(
            Incident.id.in_(
                sa.select(link.c.incident_id).where(link.c.component_id == component_id)
            )
        )
    incidents = db.session.scalars(
        query.order_by(Incident.started_at.desc(), Incident.id.desc())
        .limit(limit)
        .options(*_loaded(with_changes))
    ).all()
    return [_incident(i, with_changes=with_changes) for i in incidents]
