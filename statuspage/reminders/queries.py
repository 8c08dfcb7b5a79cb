"""What is due now: updates owed on active incidents, components left broken without one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..components.models import Component, ComponentStatus, ComponentStatusChange
from ..extensions import db
from ..incidents.models import Impact, Incident, IncidentStatus, IncidentUpdate, incident_component
from .models import Reminder, ReminderKind
from .rules import DEFAULT_UPDATE_DUE_MINUTES, parse_update_due, update_due_at

DEFAULT_STALE_COMPONENT_HOURS = 2.0
_OPEN = [s for s in IncidentStatus if s.is_open]
# Under maintenance is an expected state (a window holds it), not a forgotten outage.
_STALE_STATUSES = [
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
]


@dataclass(frozen=True)
class DueItem:
    """One reason to remind the communicator, as of now."""

    kind: ReminderKind
    subject: str
    due_at: datetime
    # Since when: the last public update, or the start of the unexplained outage.
    since: datetime
    name: str
    public_id: str
    status: str
    impact: Impact
    incident_id: int | None = None
    component_id: int | None = None
    component_ids: tuple[int, ...] = ()


def update_due_minutes() -> Mapping[str, int]:
    """Return the configured minutes per impact (the defaults when not configured)."""
    configured = current_app.config.get("UPDATE_DUE_MINUTES")
    if isinstance(configured, Mapping):
        return configured or DEFAULT_UPDATE_DUE_MINUTES
    # STATUSPAGE_UPDATE_DUE_MINUTES is kept as written ("critical=15,major=30") and was
    # checked at start, as the support view reads it.
    return parse_update_due(str(configured or ""))


def stale_component_after() -> timedelta:
    """Return how long a component may stay non-operational without an open incident."""
    hours = float(current_app.config.get("STALE_COMPONENT_HOURS") or DEFAULT_STALE_COMPONENT_HOURS)
    return timedelta(hours=hours)


def _updates_due(now: datetime) -> list[DueItem]:
    last_update = (
        sa.select(IncidentUpdate.incident_id, sa.func.max(IncidentUpdate.display_at).label("last"))
        .where(IncidentUpdate.display_at <= now)
        .group_by(IncidentUpdate.incident_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Incident, last_update.c.last)
        .outerjoin(last_update, last_update.c.incident_id == Incident.id)
        .where(Incident.status.in_(_OPEN), Incident.hidden.is_(False))
        .order_by(Incident.started_at, Incident.id)
    ).all()
    minutes = update_due_minutes()
    found = []
    for incident, last in rows:
        since = last or incident.created_at
        due = update_due_at(Impact(incident.impact).value, since, minutes)
        if due > now:
            continue
        found.append(
            DueItem(
                kind=ReminderKind.UPDATE_DUE,
                subject=f"incident:{incident.public_id}",
                due_at=due,
                since=since,
                name=incident.name,
                public_id=incident.public_id,
                status=IncidentStatus(incident.status).value,
                impact=Impact(incident.impact),
                incident_id=incident.id,
                component_ids=tuple(sorted(c.id for c in incident.components)),
            )
        )
    return found


def _outage_start(component: Component) -> datetime:
    """Return when the component's current run of non-operational statuses began."""
    change = ComponentStatusChange
    back_to_normal = db.session.scalar(
        sa.select(sa.func.max(change.changed_at)).where(
            change.component_id == component.id, change.status == ComponentStatus.OPERATIONAL
        )
    )
    query = sa.select(sa.func.min(change.changed_at)).where(change.component_id == component.id)
    if back_to_normal is not None:
        query = query.where(change.changed_at > back_to_normal)
    return db.session.scalar(query) or component.updated_at


def _stale_components(now: datetime) -> list[DueItem]:
    covered = (
        sa.select(incident_component.c.component_id)
        .join(Incident, Incident.id == incident_component.c.incident_id)
        .where(Incident.status.in_(_OPEN), Incident.hidden.is_(False))
    )
    components = db.session.scalars(
        sa.select(Component)
        .where(
            Component.status.in_(_STALE_STATUSES),
            Component.visible.is_(True),
            Component.id.not_in(covered),
        )
        .order_by(Component.position, Component.id)
    ).all()
    after = stale_component_after()
    found = []
    for component in components:
        since = _outage_start(component)
        # An incident that covered the outage and was resolved restarts the clock.
        last_resolved = db.session.scalar(
            sa.select(sa.func.max(Incident.resolved_at))
            .join(incident_component, incident_component.c.incident_id == Incident.id)
            .where(incident_component.c.component_id == component.id, Incident.hidden.is_(False))
        )
        if last_resolved is not None and last_resolved > since:
            since = last_resolved
        due = since + after
        if due > now:
            continue
        status = ComponentStatus(component.status)
        found.append(
            DueItem(
                kind=ReminderKind.STALE_COMPONENT,
                subject=f"component:{component.public_id}",
                due_at=due,
                since=since,
                name=component.name,
                public_id=component.public_id,
                status=status.value,
                impact=_COMPONENT_IMPACT[status],
                component_id=component.id,
                component_ids=(component.id,),
            )
        )
    return found


_COMPONENT_IMPACT = {
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}


def due_items(now: datetime) -> list[DueItem]:
    """Return every reminder due at now: overdue incident updates, then stale components."""
    return _updates_due(now) + _stale_components(now)


def dismissed_keys(items: list[DueItem]) -> set[tuple[str, str, datetime]]:
    """Return the (kind, subject, due_at) of the given items someone dismissed."""
    if not items:
        return set()
    subjects = {item.subject for item in items}
    rows = db.session.execute(
        sa.select(Reminder.kind, Reminder.subject, Reminder.due_at).where(
            Reminder.subject.in_(subjects), Reminder.dismissed_at.is_not(None)
        )
    ).all()
    return {(ReminderKind(k).value, s, d) for k, s, d in rows}


def active_reminders(now: datetime) -> list[DueItem]:
    """Return the reminders due now that nobody dismissed (the console banner)."""
    items = due_items(now)
    dismissed = dismissed_keys(items)
    return [i for i in items if (i.kind.value, i.subject, i.due_at) not in dismissed]
