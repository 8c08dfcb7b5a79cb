"""Roll component and incident states up into the page indicator (pure, no I/O).

The rule (published in the README): the indicator is the worst of
(a) the components: degraded_performance -> minor, partial_outage -> major,
    major_outage -> critical, or major when only some of several components
    are in major outage; under_maintenance (and nothing worse) -> maintenance;
(b) the impact of every unresolved incident;
(c) maintenance when a maintenance window is in progress.
Order, best to worst: none < maintenance < minor < major < critical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from flask_babel import lazy_gettext as _l

from ..incidents.models import Impact
from .models import ComponentStatus

_IMPACT_RANK = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 1,
    Impact.MINOR: 2,
    Impact.MAJOR: 3,
    Impact.CRITICAL: 4,
}

_STATUS_RANK = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}

_STATUS_IMPACT = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}

_DESCRIPTIONS = {
    Impact.NONE: _l("All Systems Operational"),
    Impact.MINOR: _l("Minor Service Outage"),
    Impact.MAJOR: _l("Partial System Outage"),
    Impact.CRITICAL: _l("Major System Outage"),
    Impact.MAINTENANCE: _l("Service Under Maintenance"),
}


def impact_rank(impact: Impact) -> int:
    """Return how bad an impact is (0 = none, 4 = critical)."""
    return _IMPACT_RANK[Impact(impact)]


def status_severity(status: ComponentStatus) -> int:
    """Return how bad a component status is (0 = operational, 4 = major outage)."""
    return _STATUS_RANK[ComponentStatus(status)]


def worst_impact(impacts: Iterable[Impact]) -> Impact:
    """Return the worst of the impacts, none when there are none."""
    return max((Impact(i) for i in impacts), key=impact_rank, default=Impact.NONE)


def worst_status(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """Return the worst of the statuses, operational when there are none."""
    return max(
        (ComponentStatus(s) for s in statuses),
        key=status_severity,
        default=ComponentStatus.OPERATIONAL,
    )


def impact_from_components(statuses: Sequence[ComponentStatus]) -> Impact:
    """Derive an incident's impact from the statuses of the components it affects."""
    return _STATUS_IMPACT[worst_status(statuses)]


def components_indicator(statuses: Sequence[ComponentStatus]) -> Impact:
    """Return the indicator the components alone give (part (a) of the rule)."""
    worst = worst_status(statuses)
    if worst is ComponentStatus.MAJOR_OUTAGE:
        out = sum(1 for s in statuses if s == ComponentStatus.MAJOR_OUTAGE)
        # Only some of several components down is a major, not a critical, outage.
        return Impact.CRITICAL if out == len(statuses) else Impact.MAJOR
    return _STATUS_IMPACT[worst]


def overall_indicator(
    component_statuses: Sequence[ComponentStatus],
    open_incident_impacts: Sequence[Impact],
    maintenance_in_progress: bool = False,
) -> Impact:
    """Return the page indicator by the published rule."""
    parts = [components_indicator(component_statuses), *open_incident_impacts]
    if maintenance_in_progress:
        parts.append(Impact.MAINTENANCE)
    return worst_impact(parts)


class _HasStatus(Protocol):
    @property
    def status(self) -> ComponentStatus: ...


class _HasImpact(Protocol):
    @property
    def impact(self) -> Impact: ...


def page_indicator(
    components: Iterable[_HasStatus],
    open_incidents: Iterable[_HasImpact],
    maintenance_in_progress: bool,
) -> Impact:
    """Return the page indicator from the visible components, open incidents and live windows."""
    return overall_indicator(
        [c.status for c in components],
        [i.impact for i in open_incidents],
        maintenance_in_progress=maintenance_in_progress,
    )


def indicator_description(indicator: Impact) -> str:
    """Return the human headline for an indicator, in the current locale."""
    return str(_DESCRIPTIONS[Impact(indicator)])
