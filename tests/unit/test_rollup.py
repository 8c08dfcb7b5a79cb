"""The page indicator rule and incident impact derivation."""

import pytest

from statuspage.components.models import ComponentStatus as S
from statuspage.components.rollup import (
    components_indicator,
    impact_from_components,
    overall_indicator,
    worst_status,
)
from statuspage.incidents.models import Impact as I


def test_no_components_and_no_incidents_is_all_operational():
    assert overall_indicator([], []) is I.NONE


def test_no_components_but_an_open_incident_uses_its_impact():
    assert overall_indicator([], [I.MAJOR]) is I.MAJOR


def test_everything_under_maintenance_is_maintenance():
    assert overall_indicator([S.UNDER_MAINTENANCE] * 3, []) is I.MAINTENANCE


def test_maintenance_loses_to_anything_worse():
    statuses = [S.UNDER_MAINTENANCE, S.DEGRADED_PERFORMANCE, S.OPERATIONAL]
    assert overall_indicator(statuses, []) is I.MINOR
    assert overall_indicator([S.OPERATIONAL], [I.MINOR], maintenance_in_progress=True) is I.MINOR


def test_in_progress_maintenance_without_component_change_shows_maintenance():
    assert overall_indicator([S.OPERATIONAL], [], maintenance_in_progress=True) is I.MAINTENANCE


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.OPERATIONAL, I.NONE),
        (S.DEGRADED_PERFORMANCE, I.MINOR),
        (S.PARTIAL_OUTAGE, I.MAJOR),
        (S.MAJOR_OUTAGE, I.CRITICAL),
        (S.UNDER_MAINTENANCE, I.MAINTENANCE),
    ],
)
def test_single_component_maps_to_indicator(status, expected):
    assert components_indicator([status]) is expected


def test_major_outage_of_some_of_several_components_is_major():
    assert components_indicator([S.MAJOR_OUTAGE, S.OPERATIONAL, S.OPERATIONAL]) is I.MAJOR


def test_major_outage_of_every_component_is_critical():
    assert components_indicator([S.MAJOR_OUTAGE, S.MAJOR_OUTAGE]) is I.CRITICAL


def test_overlapping_incidents_take_the_worst_impact():
    statuses = [S.DEGRADED_PERFORMANCE, S.OPERATIONAL]
    assert overall_indicator(statuses, [I.MINOR, I.CRITICAL, I.MAJOR]) is I.CRITICAL
    assert overall_indicator(statuses, [I.NONE, I.NONE]) is I.MINOR


def test_incident_impact_is_derived_from_its_worst_component():
    assert impact_from_components([]) is I.NONE
    assert impact_from_components([S.DEGRADED_PERFORMANCE, S.PARTIAL_OUTAGE]) is I.MAJOR
    assert impact_from_components([S.MAJOR_OUTAGE, S.OPERATIONAL]) is I.CRITICAL


def test_worst_status_ranks_maintenance_below_degraded():
    assert worst_status([S.UNDER_MAINTENANCE, S.DEGRADED_PERFORMANCE]) is S.DEGRADED_PERFORMANCE
    assert worst_status([]) is S.OPERATIONAL
