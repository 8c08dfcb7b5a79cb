"""Component use cases: groups, components and status changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import utcnow
from ..db import after_commit, record_event, unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..signals import component_status_changed
from .models import Component, ComponentGroup, ComponentStatus, ComponentStatusChange, StatusCause

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_NOTE_LENGTH = 1000


def _check_name(errors: dict[str, str], name: str) -> str:
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
    return name


def _check_description(errors: dict[str, str], description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = _("Use at most %(count)d characters.", count=MAX_DESCRIPTION_LENGTH)
    return description or None


def _group_snapshot(group: ComponentGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "description": group.description,
        "position": group.position,
        "visible": group.visible,
        "collapsed": group.collapsed,
    }


def _component_snapshot(component: Component) -> dict[str, Any]:
    return {
        "name": component.name,
        "group": component.group.public_id if component.group else None,
        "description": component.description,
        "position": component.position,
        "status": component.status.value,
        "showcase": component.showcase,
        "start_date": component.start_date.isoformat() if component.start_date else None,
        "visible": component.visible,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def parse_component_status(value: ComponentStatus | str, field: str = "status") -> ComponentStatus:
    """Return value as a ComponentStatus or raise ValidationError naming field."""
    try:
        return ComponentStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ComponentStatus)
        message = _("Status must be one of: %(allowed)s.", allowed=allowed)
        raise ValidationError({field: message}) from None


def create_group(
    name: str,
    *,
    description: str | None = None,
    position: int | None = None,
    visible: bool = True,
    collapsed: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> ComponentGroup:
    """Create a component group, placed last unless a position is given."""
    errors: dict[str, str] = {}
    name = _check_name(errors, name)
    description = _check_description(errors, description)
    if "name" not in errors and _group_name_taken(name):
        errors["name"] = _("A group with this name already exists.")
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        if position is None:
            position = _next_top_level_position()
        group = ComponentGroup(
            name=name,
            description=description,
            position=position,
            visible=visible,
            collapsed=collapsed,
        )
        session.add(group)
        session.flush()
        record(
            actor,
            "component_group.create",
            "component_group",
            group.public_id,
            None,
            _group_snapshot(group),
            actor_id=actor_id,
        )
    return group


def create_component(
    name: str,
    *,
    group: ComponentGroup | None = None,
    description: str | None = None,
    position: int | None = None,
    showcase: bool = True,
    start_date: date | None = None,
    visible: bool = True,
    only_show_if_degraded: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Component:
    """Create an operational component, placed last in its group unless a position is given."""
    errors: dict[str, str] = {}
    name = _check_name(errors, name)
    description = _check_description(errors, description)
    if start_date is not None and isinstance(start_date, datetime):
        # A datetime is a date subclass; the column keeps the calendar day only.
        start_date = start_date.date()
    if "name" not in errors and _component_name_taken(name, group):
        errors["name"] = _duplicate_component_message(group)
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        if position is None:
            position = _next_position_in(group)
        component = Component(
            name=name,
            group=group,
            description=description,
            position=position,
            status=ComponentStatus.OPERATIONAL,
            showcase=showcase,
            start_date=start_date,
            visible=visible,
            only_show_if_degraded=only_show_if_degraded,
        )
        session.add(component)
        session.flush()
        record(
            actor,
            "component.create",
            "component",
            component.public_id,
            None,
            _component_snapshot(component),
            actor_id=actor_id,
        )
    return component


def _status_at(component: Component, at: datetime) -> ComponentStatus:
    """Return the status the history says component had at the instant at."""
    row = db.session.execute(
        sa.select(ComponentStatusChange.status)
        .where(
            ComponentStatusChange.component_id == component.id,
            ComponentStatusChange.changed_at <= at,
        )
        .order_by(ComponentStatusChange.changed_at.desc(), ComponentStatusChange.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        return ComponentStatus(row[0])
    # Before the first recorded change the component had that change's previous status.
    first = db.session.execute(
        sa.select(ComponentStatusChange.previous_status)
        .where(ComponentStatusChange.component_id == component.id)
        .order_by(ComponentStatusChange.changed_at, ComponentStatusChange.id)
        .limit(1)
    ).first()
    if first is not None and first[0] is not None:
        return ComponentStatus(first[0])
    return ComponentStatus.OPERATIONAL


def set_component_status(
    component: Component,
    status: ComponentStatus | str,
    *,
    cause: StatusCause,
    at: datetime | None = None,
    incident_id: int | None = None,
    maintenance_id: int | None = None,
    note: str | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> ComponentStatusChange | None:
    """Change a component's status at a time (default now); return the new history row or None.

    A change dated before the component's latest recorded change only fills in
    history (uptime); the current status stays what the latest change made it.
    The optional note (why a person changed it) is kept in the audit log.
    """
    new = parse_component_status(status)
    if at is None:
        at = utcnow()
    elif at.tzinfo is None:
        raise ValidationError({"at": _("Give a timezone-aware time.")})
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"note": _("Use at most %(count)d characters.", count=MAX_NOTE_LENGTH)}
        )
    with unit_of_work() as session:
        session.flush()
        latest = session.scalar(
            sa.select(sa.func.max(ComponentStatusChange.changed_at)).where(
                ComponentStatusChange.component_id == component.id
            )
        )
        # Aggregates may come back without the column type's processing; normalise.
        latest = _as_utc(latest)
        is_current = latest is None or at >= latest
        previous = ComponentStatus(component.status) if is_current else _status_at(component, at)
        if previous == new:
            return None
        change = ComponentStatusChange(
            component_id=component.id,
            previous_status=previous,
            status=new,
            changed_at=at,
            cause=StatusCause(cause),
            incident_id=incident_id,
            maintenance_id=maintenance_id,
            actor_id=actor_id,
        )
        session.add(change)
        if is_current:
            component.status = new
        session.flush()
        record(
            actor,
            "component.status",
            "component",
            component.public_id,
            {"status": previous.value},
            {
                "status": new.value,
                "at": at.isoformat(),
                "cause": StatusCause(cause).value,
            }
            | ({"note": note} if note else {}),
            actor_id=actor_id,
        )
        if is_current:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            component_id, cause_value = component.id, StatusCause(cause).value
            if cause in (StatusCause.MANUAL, StatusCause.API):
                # Incidents and maintenance tell subscribers themselves; a person's change here.
                record_event(
                    "component.status_changed",
                    component_id=component_id,
                    old=previous.value,
                    new=new.value,
                    cause=cause_value,
                    change_id=change.id,
                )

            def announce() -> None:
                component_status_changed.send(
                    app,
                    component_id=component_id,
                    old=previous.value,
                    new=new.value,
                    cause=cause_value,
                )

            after_commit(announce)
    return change


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --------------------------------------------------------------------------- console use cases
#
# The page shows groups and ungrouped components in one sequence (the "top level"); the
# components of a group have their own. Every move or removal renumbers the sequence it
# touched to 0..n-1, so positions stay dense and "move up" always swaps with a neighbour.

TopLevelItem = ComponentGroup | Component


def find_group(public_id: str) -> ComponentGroup | None:
    """Return a group by public id, or None."""
    return db.session.scalar(sa.select(ComponentGroup).where(ComponentGroup.public_id == public_id))


def find_component(public_id: str) -> Component | None:
    """Return a component by public id, or None."""
    return db.session.scalar(sa.select(Component).where(Component.public_id == public_id))


def find_components(public_ids: Iterable[str], field: str = "components") -> list[Component]:
    """Return the components with these public ids, in the given order; raise for unknown ones."""
    wanted = list(dict.fromkeys(i for i in public_ids if i))
    if not wanted:
        return []
    found = {
        c.public_id: c
        for c in db.session.scalars(sa.select(Component).where(Component.public_id.in_(wanted)))
    }
    if len(found) != len(wanted):
        message = _("Choose components from the list; one of them is unknown.")
        raise ValidationError({field: message})
    return [found[i] for i in wanted]


def update_group(
    group: ComponentGroup,
    name: str,
    *,
    description: str | None = None,
    visible: bool = True,
    collapsed: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> ComponentGroup:
    """Change a group's name, description and display flags."""
    errors: dict[str, str] = {}
    name = _check_name(errors, name)
    description = _check_description(errors, description)
    if "name" not in errors and _group_name_taken(name, exclude=group):
        errors["name"] = _("A group with this name already exists.")
    if errors:
        raise ValidationError(errors)
    with unit_of_work():
        before = _group_snapshot(group)
        group.name = name
        group.description = description
        group.visible = visible
        group.collapsed = collapsed
        db.session.flush()
        _record_change(actor, actor_id, "component_group.update", group, before)
    return group


def update_component(
    component: Component,
    name: str,
    *,
    group: ComponentGroup | None = None,
    description: str | None = None,
    showcase: bool = True,
    start_date: date | None = None,
    visible: bool = True,
    only_show_if_degraded: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Component:
    """Change a component's details; moving it to another group places it last there."""
    errors: dict[str, str] = {}
    name = _check_name(errors, name)
    description = _check_description(errors, description)
    if isinstance(start_date, datetime):
        start_date = start_date.date()
    if "name" not in errors and _component_name_taken(name, group, exclude=component):
        errors["name"] = _duplicate_component_message(group)
    if errors:
        raise ValidationError(errors)
    with unit_of_work():
        before = _component_snapshot(component)
        old_group = component.group
        moving = _group_id(old_group) != _group_id(group)
        if moving:
            component.position = _next_position_in(group)
            component.group = group
        component.name = name
        component.description = description
        component.showcase = showcase
        component.start_date = start_date
        component.visible = visible
        component.only_show_if_degraded = only_show_if_degraded
        db.session.flush()
        if moving:
            _renumber(_sequence_of(old_group))
        _record_change(actor, actor_id, "component.update", component, before)
    return component


def set_group_visible(
    group: ComponentGroup, visible: bool, *, actor: str = "cli", actor_id: int | None = None
) -> ComponentGroup:
    """Show or hide a group (and with it its components) on the public page."""
    with unit_of_work():
        before = _group_snapshot(group)
        group.visible = visible
        db.session.flush()
        _record_change(actor, actor_id, "component_group.update", group, before)
    return group


def set_component_visible(
    component: Component, visible: bool, *, actor: str = "cli", actor_id: int | None = None
) -> Component:
    """Show or hide a component on the public page."""
    with unit_of_work():
        before = _component_snapshot(component)
        component.visible = visible
        db.session.flush()
        _record_change(actor, actor_id, "component.update", component, before)
    return component


def move_group(
    group: ComponentGroup, offset: int, *, actor: str = "cli", actor_id: int | None = None
) -> bool:
    """Move a group up (negative offset) or down among the top-level items; say if it moved."""
    with unit_of_work():
        return _move(_top_level_items(), group, offset, actor, actor_id, "component_group.move")


def move_component(
    component: Component, offset: int, *, actor: str = "cli", actor_id: int | None = None
) -> bool:
    """Move a component up (negative offset) or down within its group; say if it moved."""
    with unit_of_work():
        items: list[TopLevelItem] = list(_sequence_of(component.group))
        return _move(items, component, offset, actor, actor_id, "component.move")


def delete_group(
    group: ComponentGroup, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Delete a group; its components stay, ungrouped, where the group was."""
    with unit_of_work() as session:
        members = _members(group)
        before = _group_snapshot(group) | {"components": [c.public_id for c in members]}
        items = _top_level_items()
        index = items.index(group)
        items[index : index + 1] = members
        for component in members:
            component.group = None
        session.delete(group)
        session.flush()
        _renumber(items)
        record(
            actor,
            "component_group.delete",
            "component_group",
            group.public_id,
            before,
            None,
            actor_id=actor_id,
        )


def delete_component(
    component: Component, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Delete a component with its status history and its links to incidents and maintenance."""
    # Imported here: the component domain is below incidents and maintenance.
    from ..incidents.models import IncidentUpdateComponent, incident_component, template_component
    from ..maintenance.models import maintenance_component

    with unit_of_work() as session:
        before = _component_snapshot(component)
        group = component.group
        component_id = component.id
        # Spelled out rather than left to ON DELETE CASCADE: SQLite enforces no foreign keys here.
        for table in (incident_component, maintenance_component, template_component):
            session.execute(sa.delete(table).where(table.c.component_id == component_id))
        for model in (IncidentUpdateComponent, ComponentStatusChange):
            session.execute(
                sa.delete(model)
                .where(model.component_id == component_id)
                .execution_options(synchronize_session=False)
            )
        session.delete(component)
        session.flush()
        _renumber(_sequence_of(group))
        record(
            actor,
            "component.delete",
            "component",
            component.public_id,
            before,
            None,
            actor_id=actor_id,
        )


def _group_id(group: ComponentGroup | None) -> int | None:
    return None if group is None else group.id


def _group_name_taken(name: str, exclude: ComponentGroup | None = None) -> bool:
    # Compared in Python: SQLite's lower() only folds ASCII.
    rows = db.session.execute(sa.select(ComponentGroup.id, ComponentGroup.name)).all()
    wanted = name.casefold()
    return any(n.casefold() == wanted and (exclude is None or i != exclude.id) for i, n in rows)


def _component_name_taken(
    name: str, group: ComponentGroup | None, exclude: Component | None = None
) -> bool:
    where = Component.group_id.is_(None) if group is None else Component.group_id == group.id
    rows = db.session.execute(sa.select(Component.id, Component.name).where(where)).all()
    wanted = name.casefold()
    return any(n.casefold() == wanted and (exclude is None or i != exclude.id) for i, n in rows)


def _duplicate_component_message(group: ComponentGroup | None) -> str:
    if group is None:
        return _("Another component outside any group already has this name.")
    return _("This group already has a component with this name.")


def _next_top_level_position() -> int:
    last_group = db.session.scalar(sa.select(sa.func.max(ComponentGroup.position)))
    last_component = db.session.scalar(
        sa.select(sa.func.max(Component.position)).where(Component.group_id.is_(None))
    )
    taken = [p for p in (last_group, last_component) if p is not None]
    return max(taken) + 1 if taken else 0


def _next_position_in(group: ComponentGroup | None) -> int:
    if group is None:
        return _next_top_level_position()
    last = db.session.scalar(
        sa.select(sa.func.max(Component.position)).where(Component.group_id == group.id)
    )
    return 0 if last is None else last + 1


def _top_level_items() -> list[TopLevelItem]:
    """Return groups and ungrouped components in the order of the public page."""
    groups = db.session.scalars(sa.select(ComponentGroup)).all()
    loose = db.session.scalars(sa.select(Component).where(Component.group_id.is_(None))).all()
    items: list[TopLevelItem] = [*groups, *loose]
    # Same tie-break as the public page: groups before components, then creation order.
    return sorted(
        items, key=lambda i: (i.position, 0 if isinstance(i, ComponentGroup) else 1, i.id)
    )


def _members(group: ComponentGroup) -> list[Component]:
    return list(
        db.session.scalars(
            sa.select(Component)
            .where(Component.group_id == group.id)
            .order_by(Component.position, Component.id)
        )
    )


def _sequence_of(group: ComponentGroup | None) -> list[TopLevelItem]:
    """Return the sequence a component of group lives in (the top level when ungrouped)."""
    return _top_level_items() if group is None else list(_members(group))


def _renumber(items: list[TopLevelItem]) -> None:
    for index, item in enumerate(items):
        if item.position != index:
            item.position = index


def _move(
    items: list[TopLevelItem],
    item: TopLevelItem,
    offset: int,
    actor: str,
    actor_id: int | None,
    action: str,
) -> bool:
    index = next(i for i, candidate in enumerate(items) if candidate is item)
    target = index + offset
    moved = offset != 0 and 0 <= target < len(items)
    if moved:
        items.insert(target, items.pop(index))
    _renumber(items)
    if moved:
        record(
            actor,
            action,
            "component_group" if isinstance(item, ComponentGroup) else "component",
            item.public_id,
            {"position": index},
            {"position": target},
            actor_id=actor_id,
        )
    return moved


def _record_change(
    actor: str,
    actor_id: int | None,
    action: str,
    item: TopLevelItem,
    before: dict[str, Any],
) -> None:
    if isinstance(item, ComponentGroup):
        after, kind = _group_snapshot(item), "component_group"
    else:
        after, kind = _component_snapshot(item), "component"
    if after != before:
        record(actor, action, kind, item.public_id, before, after, actor_id=actor_id)
