"""Incident use cases: open, update, resolve, backfill, edit, postmortem, hide and delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentStatus, ComponentStatusChange, StatusCause
from ..components.rollup import impact_from_components, worst_impact
from ..components.services import parse_component_status, set_component_status
from ..db import after_commit, record_event, unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..signals import incident_published, postmortem_published
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
# How far ahead of the server's clock a start time may be (a person's clock may run fast).
FUTURE_SLACK = timedelta(minutes=5)

ComponentStatuses = Mapping[Component, ComponentStatus | str]


class StaleUpdateError(ValidationError):
    """The update changed after the editor opened it; nothing was written."""


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


def _check_new_incident(
    errors: dict[str, str],
    name: str,
    status: IncidentStatus | str,
    body: str,
    component_statuses: ComponentStatuses | None,
    impact_override: Impact | str | None,
    started_at: datetime | None,
    backfilled: bool,
) -> tuple[str, Any, str, Impact | None, dict[Component, ComponentStatus], datetime]:
    """Check a new incident's input, filing problems under errors; return the parsed values."""
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
    if "started_at" not in errors and started > now + FUTURE_SLACK:
        errors["started_at"] = _("An incident cannot start in the future.")
    return name, parsed_status, body, override, statuses, started


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
    translations: Mapping[str, Mapping[str, str | None]] | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Incident:
    """Open an incident with its first update (a backfilled one is past and never notifies).

    translations: {locale: {"name": ..., "body": ...}} in other page languages, published
    together (so the first notifications already speak them).
    """
    from .translations import check_publish_translations, write_publish_translations

    errors: dict[str, str] = {}
    name, parsed_status, body, override, statuses, started = _check_new_incident(
        errors, name, status, body, component_statuses, impact_override, started_at, backfilled
    )
    checked = check_publish_translations(errors, translations)
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
        write_publish_translations(incident, update, checked, actor=actor, actor_id=actor_id)
        record(
            actor,
            "incident.create",
            "incident",
            incident.public_id,
            None,
            _snapshot(incident),
            actor_id=actor_id,
        )
        _announce(incident, update, "incident.created")
    return incident


def post_update(
    incident: Incident,
    status: IncidentStatus | str,
    body: str,
    component_statuses: ComponentStatuses | None = None,
    *,
    display_at: datetime | None = None,
    notify: bool = True,
    translations: Mapping[str, str | None] | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdate:
    """Add an update to an incident's timeline, changing its status and its components' statuses.

    translations: {locale: message} in other page languages, published with the update.
    """
    from .translations import check_publish_translations, write_publish_translations

    errors: dict[str, str] = {}
    checked = check_publish_translations(
        errors, {locale: {"body": text} for locale, text in (translations or {}).items()}
    )
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
        write_publish_translations(incident, update, checked, actor=actor, actor_id=actor_id)
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
    restore: Iterable[Component] | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdate:
    """Resolve an incident, setting components back to operational.

    With restore None, every affected component goes back unless something else holds it
    (components_to_restore); otherwise exactly the given affected components do.
    """
    if not IncidentStatus(incident.status).is_open:
        raise ValidationError({"status": _("This incident is already resolved.")})
    with unit_of_work():
        if restore is None:
            chosen = components_to_restore(incident)
        else:
            chosen = list(dict.fromkeys(restore))
            affected = {c.id for c in incident.components}
            if any(c.id not in affected for c in chosen):
                raise ValidationError({"restore": _("Choose components this incident affects.")})
        statuses = {
            c: ComponentStatus.OPERATIONAL
            for c in chosen
            if c.status != ComponentStatus.OPERATIONAL
        }
        return post_update(
            incident,
            IncidentStatus.RESOLVED,
            body,
            statuses,
            display_at=display_at,
            notify=notify,
            actor=actor,
            actor_id=actor_id,
        )


def components_to_restore(incident: Incident) -> list[Component]:
    """Return the affected components resolving should set back to operational by default."""
    held = _components_held_elsewhere(incident)
    return [
        c
        for c in incident.components
        # Maintenance and other open incidents own those statuses; leave them be.
        if c.status not in (ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE)
        and c.id not in held
    ]


def publish_postmortem(
    incident: Incident,
    body: str,
    *,
    published_at: datetime | None = None,
    notify: bool = False,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Incident:
    """Publish (or replace) a resolved incident's postmortem, notifying subscribers if asked."""
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
        before = _snapshot(incident) | {"postmortem_body": incident.postmortem_body}
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
            _snapshot(incident) | {"postmortem_body": body, "notify": notify},
            actor_id=actor_id,
        )
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        incident_id = incident.id
        if notify:
            record_event("postmortem.published", incident_id=incident_id)

        def announce() -> None:
            postmortem_published.send(app, incident_id=incident_id, notify=notify)

        after_commit(announce)
    return incident


def save_postmortem_draft(
    incident: Incident, body: str, *, actor: str = "cli", actor_id: int | None = None
) -> Incident:
    """Keep an unpublished postmortem draft (an empty body discards the draft)."""
    body = (body or "").strip()
    if len(body) > MAX_POSTMORTEM_LENGTH:
        raise ValidationError(
            {"body": _("Use at most %(count)d characters.", count=MAX_POSTMORTEM_LENGTH)}
        )
    if incident.postmortem_published_at is not None:
        # One text is both draft and published copy: saving would change the public page.
        raise ValidationError(
            {
                "body": _(
                    "This postmortem is published: publish your changes, "
                    "or revert it to a draft first."
                )
            }
        )
    new_body = body or None
    if new_body == incident.postmortem_body:
        return incident
    with unit_of_work():
        before = {"postmortem_body": incident.postmortem_body}
        incident.postmortem_body = new_body
        record(
            actor,
            "incident.postmortem_draft",
            "incident",
            incident.public_id,
            before,
            {"postmortem_body": new_body},
            actor_id=actor_id,
        )
    return incident


def revert_postmortem(
    incident: Incident, *, actor: str = "cli", actor_id: int | None = None
) -> Incident:
    """Take a published postmortem off the public page, keeping its text as a draft."""
    if incident.postmortem_published_at is None:
        raise ValidationError({"status": _("This postmortem is not published.")})
    with unit_of_work():
        before = _snapshot(incident)
        incident.postmortem_published_at = None
        if incident.status == IncidentStatus.POSTMORTEM:
            incident.status = IncidentStatus.RESOLVED
        record(
            actor,
            "incident.postmortem_revert",
            "incident",
            incident.public_id,
            before,
            _snapshot(incident),
            actor_id=actor_id,
        )
    return incident


def backfill_incident(
    name: str,
    body: str,
    component_statuses: ComponentStatuses | None = None,
    *,
    started_at: datetime | None,
    resolved_at: datetime | None,
    impact_override: Impact | str | None = None,
    resolution_body: str = "",
    actor: str = "cli",
    actor_id: int | None = None,
) -> Incident:
    """Record a past, resolved incident; it never notifies and fills the components' history.

    The components get their statuses at the start and go back at the end to what they
    had before, so uptime counts the outage and their current status is left alone.
    """
    errors: dict[str, str] = {}
    now = utcnow()
    if started_at is None:
        errors["started_at"] = _("Enter when it started.")
    if resolved_at is None:
        errors["resolved_at"] = _("Enter when it ended.")
    elif resolved_at.tzinfo is None:
        errors["resolved_at"] = _("Give a timezone-aware time.")
    elif resolved_at > now:
        errors["resolved_at"] = _("A backfilled incident must be dated in the past.")
    elif started_at is not None and started_at.tzinfo is not None and resolved_at <= started_at:
        errors["resolved_at"] = _("The end must be after the start.")
    if len(resolution_body or "") > MAX_BODY_LENGTH:
        errors["resolution_body"] = _("Use at most %(count)d characters.", count=MAX_BODY_LENGTH)
    _check_new_incident(
        errors,
        name,
        IncidentStatus.INVESTIGATING,
        body,
        component_statuses,
        impact_override,
        started_at or now,
        True,
    )
    if errors:
        raise ValidationError(errors)
    assert resolved_at is not None  # noqa: S101  (checked above)

    with unit_of_work():
        incident = create_incident(
            name,
            IncidentStatus.INVESTIGATING,
            body,
            component_statuses,
            impact_override=impact_override,
            started_at=started_at,
            notify=False,
            backfilled=True,
            actor=actor,
            actor_id=actor_id,
        )
        first = incident.updates[0]
        back = {
            change.component: ComponentStatus(change.old_status)
            for change in first.component_changes
            if change.old_status is not None and change.old_status != change.new_status
        }
        post_update(
            incident,
            IncidentStatus.RESOLVED,
            resolution_body or "",
            back,
            display_at=resolved_at,
            notify=False,
            actor=actor,
            actor_id=actor_id,
        )
    return incident


def edit_update(
    update: IncidentUpdate,
    body: str,
    *,
    display_at: datetime | None = None,
    notify_again: bool = False,
    expected_updated_at: datetime | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdate:
    """Correct a posted update's message or time; notify subscribers again only if asked.

    expected_updated_at is the update's updated_at when the editor opened it: if the
    update changed since, nothing is written (someone else edited it meanwhile).
    """
    if expected_updated_at is not None and update.updated_at != expected_updated_at:
        raise StaleUpdateError(
            {
                "body": _(
                    "Someone else changed this update after you opened it, so nothing was "
                    "saved. Their version is shown below: compare, then save again."
                )
            }
        )
    incident = update.incident
    errors: dict[str, str] = {}
    body = _check_body(errors, body)
    at = update.display_at
    if display_at is not None:
        if display_at.tzinfo is None:
            errors["display_at"] = _("Give a timezone-aware time.")
        elif display_at > utcnow():
            errors["display_at"] = _("An update cannot be dated in the future.")
        elif display_at < incident.started_at:
            errors["display_at"] = _("An update cannot be dated before the incident started.")
        else:
            at = display_at
    if errors:
        raise ValidationError(errors)
    notify_again = notify_again and not incident.backfilled
    changed = body != update.body or at != update.display_at
    if not changed and not notify_again:
        return update

    with unit_of_work():
        before = {
            "incident": incident.public_id,
            "body": update.body,
            "display_at": update.display_at.isoformat(),
        }
        update.body = body
        update.display_at = at
        if notify_again:
            update.notify = True
        record(
            actor,
            "incident.update_edit",
            "incident_update",
            update.public_id,
            before,
            {
                "incident": incident.public_id,
                "body": body,
                "display_at": at.isoformat(),
                "notify_again": notify_again,
            },
            actor_id=actor_id,
        )
        if notify_again:
            _announce(incident, update)
    return update


def set_incident_hidden(
    incident: Incident, hidden: bool, *, actor: str = "cli", actor_id: int | None = None
) -> Incident:
    """Hide an incident from the public page, feeds and APIs, or show it again."""
    if incident.hidden == hidden:
        return incident
    with unit_of_work():
        before = _snapshot(incident)
        incident.hidden = hidden
        record(
            actor,
            "incident.hide" if hidden else "incident.unhide",
            "incident",
            incident.public_id,
            before,
            _snapshot(incident),
            actor_id=actor_id,
        )
    return incident


def delete_incident(incident: Incident, *, actor: str = "cli", actor_id: int | None = None) -> None:
    """Delete an incident and its updates; the components' status history stays (uptime)."""
    with unit_of_work() as session:
        before = _snapshot(incident) | {
            "started_at": incident.started_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
            "hidden": incident.hidden,
            "postmortem_body": incident.postmortem_body,
            "updates": [
                {
                    "id": u.public_id,
                    "status": IncidentStatus(u.status).value,
                    "body": u.body,
                    "display_at": u.display_at.isoformat(),
                    "notify": u.notify,
                }
                for u in sorted(incident.updates, key=lambda u: (u.display_at, u.id))
            ],
        }
        # Spelled out rather than left to ON DELETE SET NULL: SQLite enforces no foreign keys.
        session.execute(
            sa.update(ComponentStatusChange)
            .where(ComponentStatusChange.incident_id == incident.id)
            .values(incident_id=None)
            .execution_options(synchronize_session=False)
        )
        session.delete(incident)
        session.flush()
        record(
            actor,
            "incident.delete",
            "incident",
            incident.public_id,
            before,
            None,
            actor_id=actor_id,
        )


def find_incident(public_id: str) -> Incident | None:
    """Return an incident (hidden ones too) by public id, or None."""
    return db.session.scalar(sa.select(Incident).where(Incident.public_id == public_id))


def find_update(incident: Incident, public_id: str) -> IncidentUpdate | None:
    """Return one of an incident's updates by public id, or None."""
    return db.session.scalar(
        sa.select(IncidentUpdate).where(
            IncidentUpdate.incident_id == incident.id, IncidentUpdate.public_id == public_id
        )
    )


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


def _announce(incident: Incident, update: IncidentUpdate, event: str = "incident.updated") -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    incident_id, update_id, notify = incident.id, update.id, update.notify
    if notify:
        record_event(event, incident_id=incident_id, update_id=update_id)

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
        "hidden": incident.hidden,
        "postmortem_published_at": (
            incident.postmortem_published_at.isoformat()
            if incident.postmortem_published_at
            else None
        ),
    }
