"""Incident use cases: open an incident, post updates, resolve, publish the postmortem."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentStatus, StatusCause
from ..components.rollup import impact_from_components, worst_impact
from ..components.services import parse_component_status, set_component_status
from ..db import after_commit, unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..signals import incident_published
from .models import (
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    IncidentUpdateComponent,
    incident_component,
)

MAX_NAME_LENGTH = 255
MAX_BODY_LENGTH = 20_000
MAX_POSTMORTEM_LENGTH = 100_000

ComponentStatuses = Mapping[Component, ComponentStatus | str]


def parse_incident_status(value: IncidentStatus | str, field: str = "status") -> IncidentStatus:
    """Return value as an IncidentStatus or raise ValidationError naming field."""
    try:
        return IncidentStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in IncidentStatus)
        message = _("Status must be one of: %(allowed)s.", allowed=allowed)
        raise ValidationError({field: message}) from None


def _collect(errors: dict[str, str], field: str, check: Any) -> Any:
    """Run check(); file its ValidationError under errors instead of raising at once."""
    try:
        return check()
    except ValidationError as exc:
        errors.update({field: exc.errors.get(field) or next(iter(exc.errors.values()))})
        return None


def _check_body(errors: dict[str, str], body: str | None) -> str:
    body = body or ""
    if len(body) > MAX_BODY_LENGTH:
        errors["body"] = _("Use at most %(count)d characters.", count=MAX_BODY_LENGTH)
    return body


def _check_statuses(
    errors: dict[str, str], component_statuses: ComponentStatuses | None
) -> dict[Component, ComponentStatus]:
    parsed: dict[Component, ComponentStatus] = {}
    for component, status in (component_statuses or {}).items():
        value = _collect(
            errors, "components", lambda s=status: parse_component_status(s, "components")
        )
        if value is not None:
            parsed[component] = value
    return parsed


def _check_display_at(
    errors: dict[str, str], field: str, at: datetime | None, now: datetime, backfilled: bool
) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        errors[field] = _("Give a timezone-aware time.")
        return now
    if backfilled and at > now:
        errors[field] = _("A backfilled incident must be dated in the past.")
    return at


def create_incident(
    name: str,
    status: IncidentStatus | str,
    body: str,
    component_statuses: ComponentStatuses | None = None,
    *,
    impact_override: Impact | str | None = None,
    started_at: datetime | None = None,
    notify: bool = True,
    backfilled: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Incident:
    """Open an incident with its first update (a backfilled one is past and never notifies)."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
    parsed_status = _collect(errors, "status", lambda: parse_incident_status(status))
    body = _check_body(errors, body)
    override: Impact | None = None
    if impact_override is not None:
        try:
            override = Impact(impact_override)
        except ValueError:
            allowed = ", ".join(i.value for i in Impact)
            errors["impact_override"] = _("Impact must be one of: %(allowed)s.", allowed=allowed)
    statuses = _check_statuses(errors, component_statuses)
    now = utcnow()
    started = _check_display_at(errors, "started_at", started_at, now, backfilled)
    if errors:
        raise ValidationError(errors)
    notify = notify and not backfilled

    with unit_of_work() as session:
        incident = Incident(
            name=name,
            status=parsed_status,
            impact=override or Impact.NONE,
            impact_override=override,
            started_at=started,
            backfilled=backfilled,
            meta={},
        )
        session.add(incident)
        session.flush()
        update = _apply_update(
            session, incident, parsed_status, body, statuses, started, notify, actor, actor_id
        )
        record(
            actor,
            "incident.create",
            "incident",
            incident.public_id,
            None,
            _snapshot(incident),
            actor_id=actor_id,
        )
        _announce(incident, update)
    return incident


def post_update(
    incident: Incident,
    status: IncidentStatus | str,
    body: str,
    component_statuses: ComponentStatuses | None = None,
    *,
    display_at: datetime | None = None,
    notify: bool = True,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdate:
    """Add an update to an incident's timeline, changing its status and its components' statuses."""
    errors: dict[str, str] = {}
    parsed_status = _collect(errors, "status", lambda: parse_incident_status(status))
    body = _check_body(errors, body)
    statuses = _check_statuses(errors, component_statuses)
    at = _check_display_at(errors, "display_at", display_at, utcnow(), incident.backfilled)
    if "display_at" not in errors and at < incident.started_at:
        errors["display_at"] = _("An update cannot be dated before the incident started.")
    if errors:
        raise ValidationError(errors)
    notify = notify and not incident.backfilled

    with unit_of_work() as session:
        before = _snapshot(incident)
        update = _apply_update(
            session, incident, parsed_status, body, statuses, at, notify, actor, actor_id
        )
        record(
            actor,
            "incident.update",
            "incident",
            incident.public_id,
            before,
            _snapshot(incident) | {"update": update.public_id},
            actor_id=actor_id,
        )
        _announce(incident, update)
    return update


def resolve_incident(
    incident: Incident,
    body: str,
    *,
    display_at: datetime | None = None,
    notify: bool = True,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdate:
    """Resolve an incident, restoring its components unless something else holds them."""
    with unit_of_work():
        held = _components_held_elsewhere(incident)
        restore = {
            c: ComponentStatus.OPERATIONAL
            for c in incident.components
            # Maintenance and other open incidents own those statuses; leave them be.
            if c.status not in (ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE)
            and c.id not in held
        }
        return post_update(
            incident,
            IncidentStatus.RESOLVED,
            body,
            restore,
            display_at=display_at,
            notify=notify,
            actor=actor,
            actor_id=actor_id,
        )


def publish_postmortem(
    incident: Incident,
    body: str,
    *,
    published_at: datetime | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Incident:
    """Publish (or replace) the postmortem of a resolved incident."""
    errors: dict[str, str] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = _("Write the postmortem.")
    elif len(body) > MAX_POSTMORTEM_LENGTH:
        errors["body"] = _("Use at most %(count)d characters.", count=MAX_POSTMORTEM_LENGTH)
    if IncidentStatus(incident.status).is_open:
        errors["status"] = _("Resolve the incident before publishing its postmortem.")
    now = utcnow()
    at = _check_display_at(errors, "published_at", published_at, now, True)
    if errors:
        raise ValidationError(errors)
    with unit_of_work():
        before = _snapshot(incident)
        incident.postmortem_body = body
        incident.postmortem_published_at = at
        incident.status = IncidentStatus.POSTMORTEM
        if incident.resolved_at is None:
            incident.resolved_at = at
        record(
            actor,
            "incident.postmortem",
            "incident",
            incident.public_id,
            before,
            _snapshot(incident),
            actor_id=actor_id,
        )
    return incident


def _apply_update(
    session: Session,
    incident: Incident,
    status: IncidentStatus,
    body: str,
    statuses: dict[Component, ComponentStatus],
    at: datetime,
    notify: bool,
    actor: str,
    actor_id: int | None,
) -> IncidentUpdate:
    update = IncidentUpdate(
        incident=incident,
        status=status,
        body=body,
        display_at=at,
        notify=notify,
        author_id=actor_id,
    )
    session.add(update)
    session.flush()
    for component, new in statuses.items():
        change = set_component_status(
            component,
            new,
            cause=StatusCause.INCIDENT,
            at=at,
            incident_id=incident.id,
            actor=actor,
            actor_id=actor_id,
        )
        old = change.previous_status if change is not None else new
        session.add(
            IncidentUpdateComponent(
                update_id=update.id, component_id=component.id, old_status=old, new_status=new
            )
        )
        if component not in incident.components:
            incident.components.append(component)
    _apply_status(incident, status, at)
    if incident.impact_override is not None:
        incident.impact = incident.impact_override
    else:
        now_statuses = [statuses.get(c, c.status) for c in incident.components]
        # The impact is the worst the incident reached, not where it is now.
        incident.impact = worst_impact([incident.impact, impact_from_components(now_statuses)])
    session.flush()
    return update


def _apply_status(incident: Incident, status: IncidentStatus, at: datetime) -> None:
    incident.status = status
    if status is IncidentStatus.IDENTIFIED and incident.identified_at is None:
        incident.identified_at = at
    if status is IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = at
    if status.is_open:
        incident.resolved_at = None  # reopened
    elif incident.resolved_at is None:
        incident.resolved_at = at


def _components_held_elsewhere(incident: Incident) -> set[int]:
    """Return ids of this incident's components also affected by another open incident."""
    open_statuses = [s.value for s in IncidentStatus if s.is_open]
    rows = db.session.scalars(
        sa.select(incident_component.c.component_id)
        .join(Incident, Incident.id == incident_component.c.incident_id)
        .where(
            Incident.id != incident.id,
            Incident.status.in_(open_statuses),
            incident_component.c.component_id.in_([c.id for c in incident.components]),
        )
    )
    return set(rows)


def _announce(incident: Incident, update: IncidentUpdate) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    incident_id, update_id, notify = incident.id, update.id, update.notify

    def announce() -> None:
        incident_published.send(app, incident_id=incident_id, update_id=update_id, notify=notify)

    after_commit(announce)


def _snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "name": incident.name,
        "status": IncidentStatus(incident.status).value,
        "impact": Impact(incident.impact).value,
        "impact_override": incident.impact_override.value if incident.impact_override else None,
        "components": [c.public_id for c in incident.components],
        "backfilled": incident.backfilled,
        "postmortem_published_at": (
            incident.postmortem_published_at.isoformat()
            if incident.postmortem_published_at
            else None
        ),
    }
