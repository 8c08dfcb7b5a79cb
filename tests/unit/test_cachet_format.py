"""Cachet wire format: enums both ways, times, parameter merging, pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from statuspage.api import cachet_format as cf
from statuspage.components.models import ComponentStatus
from statuspage.incidents.models import IncidentStatus
from statuspage.maintenance.models import MaintenanceStatus


def test_component_codes_round_trip():
    for code in (1, 2, 3, 4):
        assert cf.component_status_code(cf.component_status_from_code(code)) == code
        assert cf.component_status_code(cf.component_status_from_code(str(code))) == code
    assert cf.component_status_code(ComponentStatus.UNDER_MAINTENANCE) == 0
    assert cf.component_status_name(ComponentStatus.PARTIAL_OUTAGE) == "Partial Outage"


@pytest.mark.parametrize("value", [0, "0", 5, -1, "x", None, True, 1.5, ""])
def test_component_codes_refused(value):
    with pytest.raises(cf.CachetError) as caught:
        cf.component_status_from_code(value)
    assert caught.value.status == 400
    assert "status" in caught.value.detail


def test_incident_codes():
    for code in (1, 2, 3, 4):
        assert cf.incident_status_code(cf.incident_status_from_code(code)) == code
    assert cf.incident_status_from_code(3) is IncidentStatus.MONITORING
    assert cf.incident_status_from_code(4) is IncidentStatus.RESOLVED
    assert cf.incident_status_code(IncidentStatus.POSTMORTEM) == 4
    with pytest.raises(cf.CachetError, match="schedules"):
        cf.incident_status_from_code(0)


def test_schedule_codes():
    assert cf.schedule_status_code(MaintenanceStatus.SCHEDULED) == 0
    assert cf.schedule_status_code(MaintenanceStatus.VERIFYING) == 1
    assert cf.schedule_status_code(MaintenanceStatus.COMPLETED) == 2
    with pytest.raises(cf.CachetError):
        cf.schedule_status_from_code(3)


def test_times():
    paris = timezone(timedelta(hours=1))
    assert cf.timestamp(datetime(2026, 11, 25, 13, 5, 9, tzinfo=paris)) == "2026-11-25 12:05:09"
    assert cf.timestamp(None) is None
    assert cf.parse_time("2026-11-25 12:05", "at") == datetime(2026, 11, 25, 12, 5, tzinfo=UTC)
    assert cf.parse_time("2026-11-25T13:05:00+01:00", "at") == datetime(
        2026, 11, 25, 12, 5, tzinfo=UTC
    )
    assert cf.parse_time("", "at") is None
    with pytest.raises(cf.CachetError, match="`at`"):
        cf.parse_time("tomorrow", "at")


def test_merge_and_booleans():
    merged = cf.merge_params({"a": "q", "b": "q"}, {"b": "f", "c": "f"}, {"c": 3})
    assert merged == {"a": "q", "b": "f", "c": 3}
    assert cf.merge_params({"a": "1"}, {}, None) == {"a": "1"}
    assert cf.parse_bool("1", "x") is True
    assert cf.parse_bool(0, "x") is False
    assert cf.parse_bool("false", "x") is False
    with pytest.raises(cf.CachetError):
        cf.parse_bool("maybe", "x")


def test_pagination_meta():
    meta = cf.pagination_meta(45, 20, 1, 20, "http://h/api/v1/components", {"sort": "name"})
    pagination = meta["pagination"]
    assert pagination["total_pages"] == 3
    assert pagination["links"]["previous_page"] is None
    assert pagination["links"]["next_page"] == (
        "http://h/api/v1/components?sort=name&page=2&per_page=20"
    )
    empty = cf.pagination_meta(0, 0, 1, 20, "http://h/x", {})["pagination"]
    assert empty["total_pages"] == 1
    assert empty["links"] == {"next_page": None, "previous_page": None}
    beyond = cf.pagination_meta(5, 0, 9, 20, "http://h/x", {})["pagination"]
    assert beyond["links"]["next_page"] is None
    assert "page=1" in beyond["links"]["previous_page"]


def test_error_body():
    assert cf.error_body(404, "No such thing.") == {
        "errors": [
            {"id": "not-found", "status": 404, "title": "Not Found", "detail": "No such thing."}
        ]
    }
