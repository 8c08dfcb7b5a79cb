"""Turn domain events into outbox rows, inside the transaction that caused them.

The domains call `statuspage.db.record_event`; `unit_of_work` sends the
`events_committing` signal just before COMMIT, and `write_events` below adds one
OutboxEvent per event with the snapshot senders render (dispatch.py) and the routing
the planner needs. A rolled-back use case therefore leaves no event behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale

from ..api.v2_format import (
    component_objects,
    components_by_id,
    incident_object,
    maintenance_object,
    timestamp,
)
from ..clock import utcnow
from ..components.models import Component, ComponentStatus, ComponentStatusChange
from ..components.queries import visible_component_tree
from ..components.rollup import components_indicator, indicator_description, page_indicator
from ..extensions import db
from ..incidents.models import Impact, Incident
from ..incidents.queries import _incident, open_incidents
from ..incidents.translations import snapshot_texts
from ..maintenance.models import Maintenance, MaintenanceUpdate
from ..maintenance.queries import _read as maintenance_read
from ..maintenance.queries import current_and_upcoming
from ..signals import events_committing
from ..site.queries import get_page_settings
from ..subscribers.models import EventKind
from .models import OutboxEvent

# Which subscriber choice (EventKind) each outbox event kind belongs to.
EVENT_KIND_OF = {
    "incident.created": EventKind.INCIDENTS,
    "incident.updated": EventKind.INCIDENTS,
    "maintenance.scheduled": EventKind.MAINTENANCE,
    "maintenance.updated": EventKind.MAINTENANCE,
    "maintenance.cancelled": EventKind.MAINTENANCE,
    "maintenance.reminder": EventKind.MAINTENANCE,
    "component.status_changed": EventKind.COMPONENT_STATUS,
    "postmortem.published": EventKind.POSTMORTEMS,
}


class _Snapshot:
    """Page-wide parts shared by every event of one commit (read once)."""

    def __init__(self) -> None:
        settings = get_page_settings()
        self.base_url = str(current_app.config["BASE_URL"])
        self.page_id = settings.public_id or ""
        tree = visible_component_tree()
        self.known = components_by_id(component_objects(tree, self.page_id))
        in_progress, _upcoming = current_and_upcoming(utcnow())
        indicator = page_indicator(tree.components, open_incidents(), bool(in_progress))
        with force_locale("en"):  # clients compare the headline as text, as the API does
            description = str(indicator_description(indicator))
        self.default_language = settings.default_language or "en"
        self.page = {
            "id": self.page_id,
            "name": settings.name,
            "url": settings.url or self.base_url,
            "status_indicator": indicator.value,
            "status_description": description,
        }


def write_events(sender: Flask, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Add an outbox row for each recorded domain event (receiver of events_committing)."""
    session = db.session()
    session.flush()
    snapshot: _Snapshot | None = None
    for name, data in events:
        if name not in EVENT_KIND_OF:
            continue
        if snapshot is None:
            snapshot = _Snapshot()
        event = _build(name, data, snapshot)
        if event is not None:
            session.add(event)


def _build(name: str, data: dict[str, Any], snap: _Snapshot) -> OutboxEvent | None:
    session = db.session()
    context: dict[str, Any] = {"kind": name, "page": snap.page}
    route: dict[str, Any] = {"event_kind": EVENT_KIND_OF[name].value}
    topic = update_public_id = None
    if name.startswith("incident.") or name == "postmortem.published":
        incident = session.get(Incident, data["incident_id"])
        if incident is None or incident.hidden:
            return None
        session.expire(incident, ["updates", "components"])
        obj = incident_object(_incident(incident), snap.page_id, snap.known, snap.base_url)
        if name == "postmortem.published":
            obj["postmortem_body"] = incident.postmortem_body
            obj["postmortem_published_at"] = timestamp(incident.postmortem_published_at)
            context["postmortem_body"] = incident.postmortem_body
        else:
            update = next((u for u in incident.updates if u.id == data["update_id"]), None)
            update_public_id = update.public_id if update is not None else None
            context["update_id"] = update_public_id
            topic = f"incident:{incident.id}"
        context["incident"] = obj
        # Every translation, so each subscriber's language renders without a query per message.
        if texts := snapshot_texts(incident.id):
            context["translations"] = texts
        context["default_language"] = snap.default_language
        route |= {
            "incident_id": incident.id,
            "component_ids": sorted(c.id for c in incident.components),
            "impact": Impact(incident.impact).value,
        }
    elif name.startswith("maintenance."):
        maintenance = session.get(Maintenance, data["maintenance_id"])
        if maintenance is None or maintenance.hidden:
            return None
        session.expire(maintenance, ["updates", "components"])
        context["incident"] = maintenance_object(
            maintenance_read(maintenance), snap.page_id, snap.known, snap.base_url
        )
        if "update_id" in data:
            update_row = session.get(MaintenanceUpdate, data["update_id"])
            update_public_id = update_row.public_id if update_row is not None else None
            context["update_id"] = update_public_id
            topic = f"maintenance:{maintenance.id}"
        route |= {
            "component_ids": sorted(c.id for c in maintenance.components),
            "impact": Impact.MAINTENANCE.value,
        }
    else:  # component.status_changed
        component = session.get(Component, data["component_id"])
        if component is None or not component.visible:
            return None
        change = session.get(ComponentStatusChange, data.get("change_id") or 0)
        component_obj = snap.known.get(component.public_id)
        if component_obj is None:
            return None
        context["component"] = component_obj
        context["component_update"] = {
            "id": f"{component.public_id}-{change.id if change else 0}",
            "component_id": component.public_id,
            "old_status": data["old"],
            "new_status": data["new"],
            "created_at": timestamp(change.changed_at if change else utcnow()),
        }
        route |= {
            "component_ids": [component.id],
            "impact": components_indicator([ComponentStatus(data["new"])]).value,
        }
    return OutboxEvent(
        kind=name,
        payload={"context": context, "route": route},
        topic=topic,
        update_public_id=update_public_id,
    )


def connect() -> None:
    """Subscribe write_events to events_committing (idempotent)."""
    events_committing.connect(write_events)
