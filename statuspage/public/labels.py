"""Human labels for the status vocabulary, translated lazily."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..components.models import ComponentStatus
from ..incidents.models import Impact, IncidentStatus
from ..maintenance.models import MaintenanceStatus

_COMPONENT_STATUS = {
    ComponentStatus.OPERATIONAL: _l("Operational"),
    ComponentStatus.DEGRADED_PERFORMANCE: _l("Degraded Performance"),
    ComponentStatus.PARTIAL_OUTAGE: _l("Partial Outage"),
    ComponentStatus.MAJOR_OUTAGE: _l("Major Outage"),
    ComponentStatus.UNDER_MAINTENANCE: _l("Under Maintenance"),
}

_INCIDENT_STATUS = {
    IncidentStatus.INVESTIGATING: _l("Investigating"),
    IncidentStatus.IDENTIFIED: _l("Identified"),
    IncidentStatus.MONITORING: _l("Monitoring"),
    IncidentStatus.RESOLVED: _l("Resolved"),
    IncidentStatus.POSTMORTEM: _l("Postmortem"),
}

_IMPACT = {
    Impact.NONE: _l("No impact"),
    Impact.MINOR: _l("Minor impact"),
    Impact.MAJOR: _l("Major impact"),
    Impact.CRITICAL: _l("Critical impact"),
    Impact.MAINTENANCE: _l("Maintenance"),
}

_MAINTENANCE_STATUS = {
    MaintenanceStatus.SCHEDULED: _l("Scheduled"),
    MaintenanceStatus.IN_PROGRESS: _l("In progress"),
    MaintenanceStatus.VERIFYING: _l("Verifying"),
    MaintenanceStatus.COMPLETED: _l("Completed"),
}
# Not a status of the vocabulary: a cancelled window is completed with a flag (see models).
# Pages show it with this status name (data-status) and label.
CANCELLED = "cancelled"
_MAINTENANCE_CANCELLED = _l("Cancelled")


def component_status_label(status: ComponentStatus) -> str:
    """Return the label of a component status."""
    return str(_COMPONENT_STATUS[ComponentStatus(status)])


def incident_status_label(status: IncidentStatus) -> str:
    """Return the label of an incident status."""
    return str(_INCIDENT_STATUS[IncidentStatus(status)])


def impact_label(impact: Impact) -> str:
    """Return the label of an incident impact."""
    return str(_IMPACT[Impact(impact)])


def maintenance_status_label(status: MaintenanceStatus, cancelled: bool = False) -> str:
    """Return the label of a maintenance status, or "Cancelled" for a cancelled window."""
    if cancelled:
        return str(_MAINTENANCE_CANCELLED)
    return str(_MAINTENANCE_STATUS[MaintenanceStatus(status)])
