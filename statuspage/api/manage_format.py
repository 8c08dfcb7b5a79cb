"""Serialise domain objects for the Manage API: the public v2 object plus admin-only fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from ..components.models import Component, ComponentGroup
from ..components.queries import GroupRead, _component_read
from ..incidents.models import Incident
from ..incidents.queries import _incident
from ..maintenance.models import Maintenance
from ..maintenance.queries import _read as _maintenance_read
from ..site.models import PageSettings
from .v2_format import (
    Json,
    PageRef,
    _component,
    _group,
    incident_object,
    maintenance_object,
    page_object,
    timestamp,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def manage_page_object(settings: PageSettings, base_url: str) -> Json:
    """Return the page object (as the public API) for the one page this deployment serves."""
    page = PageRef(
        id=settings.public_id or "",
        name=settings.name,
        url=settings.url or base_url,
        time_zone=settings.time_zone,
        updated_at=settings.updated_at or _EPOCH,
    )
    return page_object(page)


def manage_component_object(component: Component, page_id: str) -> Json:
    """Return a component as the public API shows it, plus whether it is visible."""
    group_id = component.group.public_id if component.group is not None else None
    obj = _component(_component_read(component, group_id), page_id)
    obj["visible"] = component.visible
    return obj


def manage_group_object(group: ComponentGroup, page_id: str) -> Json:
    """Return a group as the public API shows it (all its components), plus admin fields."""
    members = sorted(group.components, key=lambda c: (c.position, c.id))
    read = GroupRead(
        public_id=group.public_id,
        name=group.name,
        description=group.description,
        position=group.position,
        collapsed=group.collapsed,
        components=tuple(_component_read(c, group.public_id) for c in members),
        created_at=group.created_at,
        updated_at=group.updated_at,
    )
    obj = _group(read, page_id)
    obj["visible"] = group.visible
    obj["collapsed"] = group.collapsed
    return obj


def components_known(components: Iterable[Component], page_id: str) -> dict[str, Json]:
    """Index component objects by id, for the incident objects' component lists."""
    return {c.public_id: manage_component_object(c, page_id) for c in components}


def manage_incident_object(
    incident: Incident, page_id: str, known: Mapping[str, Json], base_url: str
) -> Json:
    """Return an incident as the public API shows it, plus metadata and admin-only fields."""
    obj = incident_object(_incident(incident), page_id, known, base_url)
    obj["metadata"] = dict(incident.meta or {})
    obj["impact_override"] = incident.impact_override.value if incident.impact_override else None
    obj["backfilled"] = incident.backfilled
    obj["hidden"] = incident.hidden
    return obj


def manage_maintenance_object(
    maintenance: Maintenance, page_id: str, known: Mapping[str, Json], base_url: str
) -> Json:
    """Return a maintenance as the public API shows it (an incident object), plus its options."""
    obj = maintenance_object(_maintenance_read(maintenance), page_id, known, base_url)
    obj["metadata"] = {}
    obj["impact_override"] = None
    obj["backfilled"] = False
    obj["hidden"] = maintenance.hidden
    obj["scheduled_remind_prior"] = maintenance.remind_before_minutes is not None
    obj["scheduled_auto_in_progress"] = maintenance.auto_start
    obj["scheduled_auto_completed"] = maintenance.auto_complete
    obj["auto_transition_to_maintenance_state"] = maintenance.auto_start
    obj["auto_transition_to_operational_state"] = maintenance.auto_complete
    obj["auto_transition_deliver_notifications_at_start"] = maintenance.notify_on_start
    obj["auto_transition_deliver_notifications_at_end"] = maintenance.notify_on_complete
    # Ours, not Statuspage's: status stays in its vocabulary ("completed") when cancelled.
    obj["cancelled_at"] = timestamp(maintenance.cancelled_at)
    return obj
