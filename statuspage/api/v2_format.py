"""Serialise read models into the Statuspage public API v2 format (pure, no I/O).

Choices the format leaves open:
- Timestamps are UTC with milliseconds and a Z: 2026-11-25T04:34:56.000Z.
- A group is listed as a component with "group": true and "components" (child ids);
  its status is the worst of its children, as on the status page. Groups come before
  their children, everything in status page order.
- Hidden components (and those of hidden groups) never appear. Components shown only
  when degraded are listed with "only_show_if_degraded": true; clients decide.
- Incidents carry scheduled_for and scheduled_until as null (as Statuspage).
- affected_components is null for an update that changed no component (as Statuspage).
- A maintenance is an incident object with impact "maintenance", scheduled_for and
  scheduled_until set, started_at its actual start (or its scheduled start before then),
  and resolved_at its completion.
- A cancelled maintenance keeps the fixed vocabulary: it never appears in upcoming.json or
  active.json (nor in summary.json); in scheduled-maintenances.json it is "completed",
  resolved_at is when it was cancelled, and its newest incident_update (status
  "completed") says it was cancelled ("This maintenance has been cancelled." unless the
  person cancelling wrote other words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..components.queries import ComponentRead, ComponentTree, GroupRead
from ..components.rollup import worst_status
from ..incidents.models import Impact
from ..incidents.queries import ComponentChangeRead, ComponentRef, IncidentRead
from ..maintenance.queries import MaintenanceRead

Json = dict[str, Any]


@dataclass(frozen=True)
class PageRef:
    """The page object's fields, as read from the page settings."""

    id: str
    name: str
    url: str
    time_zone: str
    updated_at: datetime | None


def timestamp(at: datetime | None) -> str | None:
    """Return an instant as ISO 8601 UTC with milliseconds and Z, or None."""
    if at is None:
        return None
    utc = at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_object(page: PageRef) -> Json:
    """Return the page object."""
    return {
        "id": page.id,
        "name": page.name,
        "url": page.url,
        "time_zone": page.time_zone,
        "updated_at": timestamp(page.updated_at),
    }


def status_object(indicator: Impact, description: str) -> Json:
    """Return the status object."""
    return {"indicator": Impact(indicator).value, "description": description}


def _component(c: ComponentRead, page_id: str) -> Json:
    return {
        "id": c.public_id,
        "name": c.name,
        "status": c.status.value,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
        "position": c.position,
        "description": c.description,
        "showcase": c.showcase,
        "start_date": _day(c.start_date),
        "group_id": c.group_public_id,
        "page_id": page_id,
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def _group(g: GroupRead, page_id: str) -> Json:
    return {
        "id": g.public_id,
        "name": g.name,
        "status": worst_status([c.status for c in g.components]).value,
        "created_at": timestamp(g.created_at),
        "updated_at": timestamp(g.updated_at),
        "position": g.position,
        "description": g.description,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [c.public_id for c in g.components],
    }


def component_objects(tree: ComponentTree, page_id: str) -> list[Json]:
    """Return groups and components in page order, each group just before its children."""
    items: list[tuple[tuple[int, int], list[Json]]] = [
        ((g.position, 0), [_group(g, page_id), *(_component(c, page_id) for c in g.components)])
        for g in tree.groups
    ]
    items += [((c.position, 1), [_component(c, page_id)]) for c in tree.ungrouped]
    items.sort(key=lambda pair: pair[0])
    return [obj for _key, objs in items for obj in objs]


def components_by_id(objects: Iterable[Json]) -> dict[str, Json]:
    """Index component objects (not groups) by id."""
    return {o["id"]: o for o in objects if not o["group"]}


def _affected(
    changes: Sequence[ComponentChangeRead], known: Mapping[str, Json]
) -> list[Json] | None:
    out = [
        {
            "code": c.component.public_id,
            "name": c.component.name,
            "old_status": (c.old_status or c.new_status).value,
            "new_status": c.new_status.value,
        }
        for c in changes
        if c.component.public_id in known
    ]
    return out or None


def _now_components(refs: Sequence[ComponentRef], known: Mapping[str, Json]) -> list[Json]:
    return [known[r.public_id] for r in refs if r.public_id in known]


def incident_object(
    incident: IncidentRead, page_id: str, known: Mapping[str, Json], base_url: str
) -> Json:
    """Return an incident object with its updates newest first."""
    return {
        "id": incident.public_id,
        "name": incident.name,
        "status": incident.status.value,
        "impact": incident.impact.value,
        "created_at": timestamp(incident.created_at),
        "updated_at": timestamp(incident.updated_at),
        "started_at": timestamp(incident.started_at),
        "monitoring_at": timestamp(incident.monitoring_at),
        "resolved_at": timestamp(incident.resolved_at),
        "shortlink": f"{base_url.rstrip('/')}/incidents/{incident.public_id}",
        "page_id": page_id,
        "scheduled_for": None,
        "scheduled_until": None,
        "incident_updates": [
            {
                "id": u.public_id,
                "incident_id": incident.public_id,
                "status": u.status.value,
                "body": u.body,
                "created_at": timestamp(u.created_at),
                "updated_at": timestamp(u.updated_at),
                "display_at": timestamp(u.display_at),
                "affected_components": _affected(u.component_changes, known),
                "deliver_notifications": u.notify,
                "custom_tweet": None,
                "tweet_id": None,
            }
            | _language_fields(u.language, u.is_fallback)
            for u in incident.updates
        ],
        "components": _now_components(incident.components, known),
    } | _language_fields(incident.language, incident.is_fallback)


def _language_fields(language: str, fallback: bool) -> Json:
    """Return the extension fields of a ?lang= response (clients that do not know them ignore them).

    `language` is the tag of the text shown; `language_fallback` says the asked language has
    no translation of (part of) it. Absent from responses without ?lang=.
    """
    if not language:
        return {}
    return {"language": language.replace("_", "-"), "language_fallback": fallback}


def maintenance_object(
    m: MaintenanceRead, page_id: str, known: Mapping[str, Json], base_url: str
) -> Json:
    """Return a scheduled maintenance as an incident object with its window set."""
    return {
        "id": m.public_id,
        "name": m.name,
        "status": m.status.value,
        "impact": Impact.MAINTENANCE.value,
        "created_at": timestamp(m.created_at),
        "updated_at": timestamp(m.updated_at),
        "started_at": timestamp(m.started_at or m.scheduled_for),
        "monitoring_at": None,
        "resolved_at": timestamp(m.completed_at),
        "shortlink": f"{base_url.rstrip('/')}/maintenance/{m.public_id}",
        "page_id": page_id,
        "scheduled_for": timestamp(m.scheduled_for),
        "scheduled_until": timestamp(m.scheduled_until),
        "incident_updates": [
            {
                "id": u.public_id,
                "incident_id": m.public_id,
                "status": u.status.value,
                "body": u.body,
                "created_at": timestamp(u.created_at),
                "updated_at": timestamp(u.updated_at),
                "display_at": timestamp(u.display_at),
                "affected_components": None,
                "deliver_notifications": u.notify,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in m.updates
        ],
        "components": _now_components(m.components, known),
    }
