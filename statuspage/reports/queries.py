"""Read the facts the reports need: incidents with their alerts, and uptime per month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..components.models import Component
from ..components.queries import _component_read, status_histories, uptime_days
from ..components.uptime import overall_uptime
from ..extensions import db
from ..incidents.models import Impact, Incident, IncidentUpdate, incident_component
from ..internal.models import AlertEvent, InternalIncident, incident_link
from .metrics import (
    IncidentFacts,
    IncidentTimes,
    MonthStats,
    incident_times,
    monthly_stats,
    months_between,
)


@dataclass(frozen=True)
class ComponentChoice:
    """A component the reports can be narrowed to."""

    id: int
    public_id: str
    name: str


@dataclass(frozen=True)
class Report:
    """Everything the reports page and the CSV files show for one filter."""

    months: tuple[date, ...]
    components: tuple[ComponentChoice, ...]
    # The component filtered on, or None for every component.
    component: ComponentChoice | None
    incidents: tuple[IncidentTimes, ...]
    # For the chosen component only (or every component together) per month.
    summary: tuple[MonthStats, ...]
    # Per month and component (each component, then every component together).
    breakdown: tuple[MonthStats, ...]


def month_start(month: date, tz: ZoneInfo) -> datetime:
    """Return the UTC instant a local month begins."""
    return datetime.combine(month.replace(day=1), time.min, tzinfo=tz).astimezone(UTC)


def next_month(month: date) -> date:
    """Return the first day of the following month."""
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def component_choices() -> list[ComponentChoice]:
    """Return every component, in console order."""
    return [
        ComponentChoice(c.id, c.public_id, c.name)
        for c in db.session.scalars(sa.select(Component).order_by(Component.position, Component.id))
    ]


def incident_facts(
    since: datetime, until: datetime, component_id: int | None = None
) -> list[IncidentFacts]:
    """Return the facts of the public incidents that may start in [since, until), oldest first.

    Hidden incidents are left out. The window is widened by a month on both sides
    because an incident's start is its earliest linked alert's (metrics.py): the caller
    keeps the incidents whose computed start falls inside.
    """
    query = (
        sa.select(Incident)
        .where(
            Incident.hidden.is_(False),
            Incident.started_at >= since - timedelta(days=31),
            Incident.started_at < until + timedelta(days=31),
        )
        .order_by(Incident.started_at, Incident.id)
    )
    if component_id is not None:
        query = query.where(
            Incident.id.in_(
                sa.select(incident_component.c.incident_id).where(
                    incident_component.c.component_id == component_id
                )
            )
        )
    incidents = list(db.session.scalars(query))
    ids = [i.id for i in incidents]
    if not ids:
        return []
    first_update = dict(
        db.session.execute(
            sa.select(IncidentUpdate.incident_id, sa.func.min(IncidentUpdate.display_at))
            .where(IncidentUpdate.incident_id.in_(ids))
            .group_by(IncidentUpdate.incident_id)
        ).all()
    )
    components: dict[int, list[int]] = defaultdict(list)
    for incident_id, cid in db.session.execute(
        sa.select(incident_component.c.incident_id, incident_component.c.component_id).where(
            incident_component.c.incident_id.in_(ids)
        )
    ):
        components[incident_id].append(cid)
    started: dict[int, list[datetime]] = defaultdict(list)
    acked: dict[int, list[datetime]] = defaultdict(list)
    for incident_id, started_at, acknowledged_at in db.session.execute(
        sa.select(
            incident_link.c.incident_id,
            InternalIncident.started_at,
            InternalIncident.acknowledged_at,
        )
        .join(InternalIncident, InternalIncident.id == incident_link.c.internal_incident_id)
        .where(incident_link.c.incident_id.in_(ids))
    ):
        started[incident_id].append(started_at)
        if acknowledged_at is not None:
            acked[incident_id].append(acknowledged_at)
    received: dict[int, datetime] = dict(
        db.session.execute(
            sa.select(incident_link.c.incident_id, sa.func.min(AlertEvent.received_at))
            .join(
                AlertEvent,
                AlertEvent.internal_incident_id == incident_link.c.internal_incident_id,
            )
            .where(incident_link.c.incident_id.in_(ids))
            .group_by(incident_link.c.incident_id)
        ).all()
    )
    facts = [
        IncidentFacts(
            public_id=i.public_id,
            name=i.name,
            impact=Impact(i.impact).value,
            started_at=i.started_at,
            resolved_at=i.resolved_at,
            first_update_at=first_update.get(i.id),
            component_ids=tuple(sorted(components.get(i.id, []))),
            internal_started=tuple(started.get(i.id, [])),
            internal_acknowledged=tuple(acked.get(i.id, [])),
            alerts_received=(received[i.id],) if i.id in received else (),
        )
        for i in incidents
    ]
    return facts


def monthly_uptime(
    components: Sequence[ComponentChoice],
    months: Sequence[date],
    tz: ZoneInfo,
    now: datetime,
    partial_weight: float,
) -> dict[tuple[date, int | None], float | None]:
    """Return uptime per (month, component id), and the components' mean under None."""
    if not months or not components:
        return {}
    days = [months[0] + timedelta(days=n) for n in range((next_month(months[-1]) - months[0]).days)]
    since = month_start(months[0], tz)
    rows = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Component).where(Component.id.in_([c.id for c in components]))
        )
    }
    histories = status_histories(list(rows), since)
    result: dict[tuple[date, int | None], float | None] = {}
    for cid, component in rows.items():
        per_day = uptime_days(
            _component_read(component, None),
            histories[cid],
            days=days,
            tz=tz,
            now=now,
            partial_weight=partial_weight,
        )
        for month in months:
            in_month = [d for d in per_day if d.day.replace(day=1) == month]
            result[(month, cid)] = overall_uptime(in_month, partial_weight)
    for month in months:
        values = [v for (m, cid), v in result.items() if m == month and cid is not None]
        present = [v for v in values if v is not None]
        result[(month, None)] = sum(present) / len(present) if present else None
    return result


def build_report(
    first_month: date,
    last_month: date,
    tz: ZoneInfo,
    now: datetime,
    partial_weight: float,
    component: ComponentChoice | None = None,
) -> Report:
    """Return the report for the months first_month..last_month, optionally one component."""
    months = months_between(first_month, last_month)
    choices = component_choices()
    since, until = month_start(months[0], tz), month_start(next_month(months[-1]), tz)
    facts = incident_facts(since, until, component.id if component else None)
    times = [t for t in (incident_times(f) for f in facts) if since <= t.start < until]
    shown = [component] if component else choices
    uptime = monthly_uptime(shown, months, tz, now, partial_weight)
    summary = monthly_stats(times, months, [component.id if component else None], tz, uptime)
    ids: list[int | None] = [c.id for c in shown]
    if component is None:
        ids.append(None)
    breakdown = monthly_stats(times, months, ids, tz, uptime)
    return Report(
        months=tuple(months),
        components=tuple(choices),
        component=component,
        incidents=tuple(sorted(times, key=lambda t: (t.start, t.facts.public_id))),
        summary=tuple(summary),
        breakdown=tuple(breakdown),
    )
