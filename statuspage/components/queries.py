"""Read models of components, groups and their status history.

Every function here runs a fixed number of statements whatever the number of
components, so the public page and the APIs stay cheap while everything is
on fire.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..extensions import db
from .models import Component, ComponentGroup, ComponentStatus, ComponentStatusChange
from .uptime import DayUptime, daily_uptime


@dataclass(frozen=True)
class ComponentRead:
    """A component as read for display; `id` is internal and never leaves the server."""

    id: int
    public_id: str
    name: str
    description: str | None
    status: ComponentStatus
    position: int
    showcase: bool
    only_show_if_degraded: bool
    start_date: date | None
    created_at: datetime
    group_public_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class GroupRead:
    """A visible component group with its visible components in position order."""

    public_id: str
    name: str
    description: str | None
    position: int
    collapsed: bool
    components: tuple[ComponentRead, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ComponentTree:
    """The visible components: groups and ungrouped components, each in position order."""

    groups: tuple[GroupRead, ...]
    ungrouped: tuple[ComponentRead, ...]

    @property
    def components(self) -> tuple[ComponentRead, ...]:
        """Return every visible component, grouped ones first."""
        return tuple(c for g in self.groups for c in g.components) + self.ungrouped


@dataclass(frozen=True)
class StatusHistory:
    """A component's status changes inside a window and the status in force before it."""

    status_before: ComponentStatus | None
    # True when a change exists before the window: the component has history there.
    has_earlier_history: bool
    changes: tuple[tuple[datetime, ComponentStatus], ...]


def page_order_key(component: Component) -> tuple[int, int, int, int]:
    """Sort key putting components in the order of the status page (load .group first)."""
    group = component.group
    if group is None:
        return (component.position, 1, 0, component.id)
    # Groups and ungrouped components share one position sequence; groups first on ties.
    return (group.position, 0, component.position, component.id)


def _component_read(component: Component, group_public_id: str | None) -> ComponentRead:
    return ComponentRead(
        id=component.id,
        public_id=component.public_id,
        name=component.name,
        description=component.description,
        status=ComponentStatus(component.status),
        position=component.position,
        showcase=component.showcase,
        only_show_if_degraded=component.only_show_if_degraded,
        start_date=component.start_date,
        created_at=component.created_at,
        group_public_id=group_public_id,
        updated_at=component.updated_at,
    )


def visible_component_tree() -> ComponentTree:
    """Return the visible groups and components (two statements)."""
    groups = db.session.scalars(
        sa.select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)
    ).all()
    components = db.session.scalars(
        sa.select(Component)
        .where(Component.visible.is_(True))
        .order_by(Component.position, Component.id)
    ).all()
    by_group: dict[int, list[Component]] = defaultdict(list)
    ungrouped: list[ComponentRead] = []
    group_ids = {g.id for g in groups}
    for component in components:
        if component.group_id is None or component.group_id not in group_ids:
            ungrouped.append(_component_read(component, None))
        else:
            by_group[component.group_id].append(component)
    group_reads = []
    for group in groups:
        # A hidden group hides its components too.
        if not group.visible or not by_group.get(group.id):
            continue
        group_reads.append(
            GroupRead(
                public_id=group.public_id,
                name=group.name,
                description=group.description,
                position=group.position,
                collapsed=group.collapsed,
                components=tuple(_component_read(c, group.public_id) for c in by_group[group.id]),
                created_at=group.created_at,
                updated_at=group.updated_at,
            )
        )
    return ComponentTree(groups=tuple(group_reads), ungrouped=tuple(ungrouped))


def status_histories(component_ids: Sequence[int], since: datetime) -> dict[int, StatusHistory]:
    """Return each component's changes from `since` on and the status just before (2 statements)."""
    ids = list(dict.fromkeys(component_ids))
    if not ids:
        return {}
    change = ComponentStatusChange
    rows = db.session.execute(
        sa.select(change.component_id, change.changed_at, change.status, change.previous_status)
        .where(change.component_id.in_(ids), change.changed_at >= since)
        .order_by(change.component_id, change.changed_at, change.id)
    ).all()
    changes: dict[int, list[tuple[datetime, ComponentStatus]]] = defaultdict(list)
    first_previous: dict[int, ComponentStatus] = {}
    for component_id, changed_at, status, previous in rows:
        if component_id not in changes and previous is not None:
            first_previous[component_id] = ComponentStatus(previous)
        changes[component_id].append((changed_at, ComponentStatus(status)))

    # The last change before the window, per component: ranked in a window function.
    ranked = (
        sa.select(
            change.component_id,
            change.status,
            sa.func.row_number()
            .over(
                partition_by=change.component_id,
                order_by=(change.changed_at.desc(), change.id.desc()),
            )
            .label("rank"),
        )
        .where(change.component_id.in_(ids), change.changed_at < since)
        .subquery()
    )
    before = {
        component_id: ComponentStatus(status)
        for component_id, status in db.session.execute(
            sa.select(ranked.c.component_id, ranked.c.status).where(ranked.c.rank == 1)
        ).all()
    }
    return {
        cid: StatusHistory(
            status_before=before.get(cid, first_previous.get(cid)),
            has_earlier_history=cid in before,
            changes=tuple(changes.get(cid, ())),
        )
        for cid in ids
    }


def uptime_days(
    component: ComponentRead,
    history: StatusHistory,
    *,
    days: Sequence[date],
    tz: ZoneInfo,
    now: datetime,
    partial_weight: float,
) -> list[DayUptime]:
    """Return the component's per-day uptime over the given local days."""
    if history.status_before is not None:
        initial = history.status_before
    elif history.changes:
        # Nothing recorded before the first change: it was operational until then.
        initial = ComponentStatus.OPERATIONAL
    else:
        initial = component.status
    return daily_uptime(
        history.changes,
        initial_status=initial,
        # No start date: the component's history covers the whole window.
        start_date=component.start_date,
        days=days,
        tz=tz,
        now=now,
        partial_weight=partial_weight,
    )


def find_visible_component(public_id: str) -> ComponentRead | None:
    """Return a visible component by public id (hidden groups hide it), or None."""
    row = db.session.execute(
        sa.select(Component, ComponentGroup.public_id, ComponentGroup.visible)
        .outerjoin(ComponentGroup, Component.group_id == ComponentGroup.id)
        .where(Component.public_id == public_id, Component.visible.is_(True))
    ).first()
    if row is None or row[2] is False:
        return None
    return _component_read(row[0], row[1])
