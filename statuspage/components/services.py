"""Component use cases: groups, components and status changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import utcnow
from ..db import after_commit, unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..signals import component_status_changed
from .models import Component, ComponentGroup, ComponentStatus, ComponentStatusChange, StatusCause

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000


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
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        if position is None:
            last = session.scalar(sa.select(sa.func.max(ComponentGroup.position)))
            position = 0 if last is None else last + 1
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
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        if position is None:
            group_filter = (
                Component.group_id.is_(None) if group is None else Component.group_id == group.id
            )
            last = session.scalar(sa.select(sa.func.max(Component.position)).where(group_filter))
            position = 0 if last is None else last + 1
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
    actor: str = "cli",
    actor_id: int | None = None,
) -> ComponentStatusChange | None:
    """Change a component's status at a time (default now); return the new history row or None.

    A change dated before the component's latest recorded change only fills in
    history (uptime); the current status stays what the latest change made it.
    """
    new = parse_component_status(status)
    if at is None:
        at = utcnow()
    elif at.tzinfo is None:
        raise ValidationError({"at": _("Give a timezone-aware time.")})
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
            {"status": new.value, "at": at.isoformat(), "cause": StatusCause(cause).value},
            actor_id=actor_id,
        )
        if is_current:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            component_id, cause_value = component.id, StatusCause(cause).value

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
