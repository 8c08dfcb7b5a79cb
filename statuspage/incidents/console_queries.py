"""Read models of incidents for the console (hidden ones, drafts and every flag included)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..components.console_queries import ConsoleGroup, console_tree
from ..components.models import Component, ComponentStatus
from ..components.queries import page_order_key
from ..extensions import db
from .models import Impact, Incident, IncidentStatus, IncidentUpdate, IncidentUpdateComponent

OPEN_STATUSES = tuple(s for s in IncidentStatus if s.is_open)
PAGE_SIZE = 25
# An update saved again more than this after it was posted counts as edited.
EDIT_GRACE = timedelta(seconds=1)


@dataclass(frozen=True)
class ConsoleIncidentRow:
    """One incident in the console's lists."""

    public_id: str
    name: str
    status: IncidentStatus
    impact: Impact
    started_at: datetime
    resolved_at: datetime | None
    last_update_at: datetime | None
    hidden: bool
    backfilled: bool
    component_names: tuple[str, ...]
    postmortem_published: bool

    @property
    def is_open(self) -> bool:
        """Say whether the incident is unresolved."""
        return IncidentStatus(self.status).is_open


@dataclass(frozen=True)
class IncidentListPage:
    """Every open incident and one page of the closed ones, newest first."""

    open: tuple[ConsoleIncidentRow, ...]
    closed: tuple[ConsoleIncidentRow, ...]
    page: int
    pages: int
    closed_total: int


@dataclass(frozen=True)
class ComponentRow:
    """A component as the incident forms offer it, with its current status."""

    public_id: str
    name: str
    group_name: str | None
    status: ComponentStatus
    visible: bool


@dataclass(frozen=True)
class ConsoleChange:
    """A component status change an update carried."""

    name: str
    old_status: ComponentStatus | None
    new_status: ComponentStatus


@dataclass(frozen=True)
class ConsoleUpdate:
    """One update of an incident's timeline; body is Markdown source."""

    public_id: str
    status: IncidentStatus
    body: str
    display_at: datetime
    notify: bool
    author: str | None
    updated_at: datetime
    edited: bool
    changes: tuple[ConsoleChange, ...]


@dataclass(frozen=True)
class ConsoleIncident:
    """Everything the console shows about one incident."""

    public_id: str
    name: str
    status: IncidentStatus
    impact: Impact
    impact_override: Impact | None
    started_at: datetime
    resolved_at: datetime | None
    hidden: bool
    backfilled: bool
    postmortem_body: str | None
    postmortem_published_at: datetime | None
    components: tuple[ComponentRow, ...]
    updates: tuple[ConsoleUpdate, ...]  # newest first

    @property
    def is_open(self) -> bool:
        """Say whether the incident is unresolved."""
        return IncidentStatus(self.status).is_open

    @property
    def postmortem_published(self) -> bool:
        """Say whether the postmortem is on the public page."""
        return bool(self.postmortem_body) and self.postmortem_published_at is not None

    @property
    def has_draft(self) -> bool:
        """Say whether an unpublished postmortem draft exists."""
        return bool(self.postmortem_body) and self.postmortem_published_at is None

    def update(self, public_id: str) -> ConsoleUpdate | None:
        """Return one of the updates by public id."""
        return next((u for u in self.updates if u.public_id == public_id), None)


def _row(incident: Incident) -> ConsoleIncidentRow:
    return ConsoleIncidentRow(
        public_id=incident.public_id,
        name=incident.name,
        status=IncidentStatus(incident.status),
        impact=Impact(incident.impact_override or incident.impact),
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        last_update_at=max((u.display_at for u in incident.updates), default=None),
        hidden=incident.hidden,
        backfilled=incident.backfilled,
        component_names=tuple(c.name for c in sorted(incident.components, key=page_order_key)),
        postmortem_published=bool(incident.postmortem_body)
        and incident.postmortem_published_at is not None,
    )


def _list_options() -> tuple[sa.orm.interfaces.LoaderOption, ...]:
    return (
        selectinload(Incident.updates),
        selectinload(Incident.components).joinedload(Component.group),
    )


def active_incidents() -> list[ConsoleIncidentRow]:
    """Return every unresolved incident (hidden ones too), newest first."""
    incidents = db.session.scalars(
        sa.select(Incident)
        .where(Incident.status.in_(OPEN_STATUSES))
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .options(*_list_options())
    ).all()
    return [_row(i) for i in incidents]


def incident_list(page: int = 1, per_page: int = PAGE_SIZE) -> IncidentListPage:
    """Return the open incidents and one page of resolved ones (newest first)."""
    closed_where = Incident.status.not_in(OPEN_STATUSES)
    total = db.session.scalar(sa.select(sa.func.count(Incident.id)).where(closed_where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    closed = db.session.scalars(
        sa.select(Incident)
        .where(closed_where)
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .options(*_list_options())
    ).all()
    return IncidentListPage(
        open=tuple(active_incidents()),
        closed=tuple(_row(i) for i in closed),
        page=page,
        pages=pages,
        closed_total=total,
    )


def component_rows() -> list[ComponentRow]:
    """Return every component in page order with its group name and current status."""
    rows: list[ComponentRow] = []
    for item in console_tree():
        if isinstance(item, ConsoleGroup):
            rows.extend(
                ComponentRow(c.public_id, c.name, item.name, c.status, c.visible and item.visible)
                for c in item.components
            )
        else:
            rows.append(ComponentRow(item.public_id, item.name, None, item.status, item.visible))
    return rows


def _authors(updates: Sequence[IncidentUpdate]) -> dict[int, str]:
    ids = {u.author_id for u in updates if u.author_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all()
    return {user_id: email for user_id, email in rows}


def _component_row(component: Component) -> ComponentRow:
    group = component.group
    return ComponentRow(
        public_id=component.public_id,
        name=component.name,
        group_name=group.name if group else None,
        status=ComponentStatus(component.status),
        visible=component.visible and (group is None or group.visible),
    )


def incident_detail(public_id: str) -> ConsoleIncident | None:
    """Return one incident (hidden or not) with its whole timeline, or None."""
    incident = db.session.scalar(
        sa.select(Incident)
        .where(Incident.public_id == public_id)
        .options(
            selectinload(Incident.components).joinedload(Component.group),
            selectinload(Incident.updates)
            .selectinload(IncidentUpdate.component_changes)
            .joinedload(IncidentUpdateComponent.component)
            .joinedload(Component.group),
        )
    )
    if incident is None:
        return None
    authors = _authors(incident.updates)
    updates = sorted(incident.updates, key=lambda u: (u.display_at, u.id), reverse=True)
    return ConsoleIncident(
        public_id=incident.public_id,
        name=incident.name,
        status=IncidentStatus(incident.status),
        impact=Impact(incident.impact_override or incident.impact),
        impact_override=Impact(incident.impact_override) if incident.impact_override else None,
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        hidden=incident.hidden,
        backfilled=incident.backfilled,
        postmortem_body=incident.postmortem_body,
        postmortem_published_at=incident.postmortem_published_at,
        components=tuple(
            _component_row(c) for c in sorted(incident.components, key=page_order_key)
        ),
        updates=tuple(
            ConsoleUpdate(
                public_id=u.public_id,
                status=IncidentStatus(u.status),
                body=u.body or "",
                display_at=u.display_at,
                notify=u.notify,
                author=authors.get(u.author_id) if u.author_id is not None else None,
                updated_at=u.updated_at,
                edited=u.updated_at - u.created_at > EDIT_GRACE,
                changes=tuple(
                    ConsoleChange(
                        name=change.component.name,
                        old_status=ComponentStatus(change.old_status)
                        if change.old_status
                        else None,
                        new_status=ComponentStatus(change.new_status),
                    )
                    for change in sorted(
                        u.component_changes, key=lambda ch: page_order_key(ch.component)
                    )
                ),
            )
            for u in updates
        ),
    )
