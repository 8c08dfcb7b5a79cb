"""The Statuspage v2 read API, endpoint by endpoint and field by field, on the demo data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus
from statuspage.components.services import create_component, create_group
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident, set_incident_hidden
from statuspage.maintenance.services import schedule_maintenance, start_maintenance
from statuspage.site.queries import get_page_settings

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
COMPONENT_STATUSES = {s.value for s in ComponentStatus}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
OPEN_STATUSES = {"investigating", "identified", "monitoring"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = INDICATORS

COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description",
    "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "impact", "created_at", "updated_at", "started_at",
    "monitoring_at", "resolved_at", "shortlink", "page_id", "incident_updates", "components",
    "scheduled_for", "scheduled_until",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "incident_id", "status", "body", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip


def get(client: Any, path: str) -> dict[str, Any]:
    response = client.get(f"/api/v2/{path}")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/json"
    return response.get_json()


def is_time(value: Any) -> bool:
    return isinstance(value, str) and TIMESTAMP.match(value) is not None


def check_page(page: dict[str, Any]) -> None:
    settings = get_page_settings()
    assert set(page) == {"id", "name", "url", "time_zone", "updated_at"}
    assert page["id"] == settings.public_id
    assert isinstance(page["id"], str)
    assert page["name"] == settings.name
    assert isinstance(page["url"], str)
    assert page["time_zone"] == settings.time_zone
    assert is_time(page["updated_at"])


def check_component(c: dict[str, Any], page_id: str) -> None:
    expected = COMPONENT_KEYS | ({"components"} if c["group"] else set())
    assert set(c) == expected
    assert isinstance(c["id"], str)
    assert isinstance(c["name"], str)
    assert c["status"] in COMPONENT_STATUSES
    assert is_time(c["created_at"])
    assert is_time(c["updated_at"])
    assert isinstance(c["position"], int)
    assert c["description"] is None or isinstance(c["description"], str)
    assert isinstance(c["showcase"], bool)
    assert c["start_date"] is None or DATE.match(c["start_date"])
    assert c["group_id"] is None or isinstance(c["group_id"], str)
    assert c["page_id"] == page_id
    assert isinstance(c["group"], bool)
    assert isinstance(c["only_show_if_degraded"], bool)
    if c["group"]:
        assert c["group_id"] is None
        assert c["components"]
        assert all(isinstance(i, str) for i in c["components"])


def check_update(u: dict[str, Any], incident: dict[str, Any], statuses: set[str]) -> None:
    assert set(u) == UPDATE_KEYS
    assert isinstance(u["id"], str)
    assert u["incident_id"] == incident["id"]
    assert u["status"] in statuses
    assert isinstance(u["body"], str)
    for key in ("created_at", "updated_at", "display_at"):
        assert is_time(u[key])
    assert isinstance(u["deliver_notifications"], bool)
    assert u["custom_tweet"] is None
    assert u["tweet_id"] is None
    affected = u["affected_components"]
    assert affected is None or (isinstance(affected, list) and affected)
    for a in affected or []:
        assert set(a) == {"code", "name", "old_status", "new_status"}
        assert isinstance(a["code"], str)
        assert isinstance(a["name"], str)
        assert a["old_status"] in COMPONENT_STATUSES
        assert a["new_status"] in COMPONENT_STATUSES


def check_incident(i: dict[str, Any], page_id: str, *, maintenance: bool = False) -> None:
    assert set(i) == INCIDENT_KEYS
    assert isinstance(i["id"], str)
    assert isinstance(i["name"], str)
    statuses = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    assert i["status"] in statuses
    assert i["impact"] in IMPACTS
    for key in ("created_at", "updated_at", "started_at"):
        assert is_time(i[key])
    for key in ("monitoring_at", "resolved_at"):
        assert i[key] is None or is_time(i[key])
    path = "maintenance" if maintenance else "incidents"
    assert i["shortlink"] == f"http://127.0.0.1:8000/{path}/{i['id']}"
    assert i["page_id"] == page_id
    if maintenance:
        assert i["impact"] == "maintenance"
        assert is_time(i["scheduled_for"])
        assert is_time(i["scheduled_until"])
        assert i["scheduled_for"] < i["scheduled_until"]
        assert i["monitoring_at"] is None
    else:
        assert i["scheduled_for"] is None
        assert i["scheduled_until"] is None
        assert (i["resolved_at"] is None) == (i["status"] in OPEN_STATUSES)
    updates = i["incident_updates"]
    assert updates
    for u in updates:
        check_update(u, i, statuses)
    display = [u["display_at"] for u in updates]
    assert display == sorted(display, reverse=True), "updates newest first"
    for c in i["components"]:
        check_component(c, page_id)
        assert c["group"] is False


# -- endpoints ---------------------------------------------------------------------------


def test_summary_has_every_part(frozen_clock, demo, client):
    body = get(client, "summary.json")
    assert set(body) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    check_page(body["page"])
    page_id = body["page"]["id"]
    # The demo's open incident degrades the Dashboard: a minor outage, as on the page.
    assert body["status"] == {"indicator": "minor", "description": "Minor Service Outage"}
    for c in body["components"]:
        check_component(c, page_id)
    assert [i["status"] in OPEN_STATUSES for i in body["incidents"]] == [True]
    for i in body["incidents"]:
        check_incident(i, page_id)
    assert body["scheduled_maintenances"]
    for m in body["scheduled_maintenances"]:
        check_incident(m, page_id, maintenance=True)
        assert m["status"] in {"scheduled", "in_progress", "verifying"}


def test_status_matches_front_page_rule(frozen_clock, demo, client):
    body = get(client, "status.json")
    assert set(body) == {"page", "status"}
    check_page(body["page"])
    assert body["status"]["indicator"] in INDICATORS
    assert body["status"] == get(client, "summary.json")["status"]
    page = client.get("/")
    assert b'data-indicator="minor"' in page.data


def test_status_all_operational_without_data(app_ctx, client):
    body = get(client, "status.json")
    assert body["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert isinstance(body["page"]["id"], str)
    assert is_time(body["page"]["updated_at"])
    assert get(client, "components.json")["components"] == []


def test_status_headline_is_english_whatever_the_language(frozen_clock, demo, client):
    response = client.get("/api/v2/status.json", headers={"Accept-Language": "de"})
    assert response.get_json()["status"]["description"] == "Minor Service Outage"


def test_components_groups_and_children(frozen_clock, demo, client):
    body = get(client, "components.json")
    assert set(body) == {"page", "components"}
    page_id = body["page"]["id"]
    components = body["components"]
    by_id = {c["id"]: c for c in components}
    assert len(by_id) == len(components)
    groups = [c for c in components if c["group"]]
    assert groups
    for c in components:
        check_component(c, page_id)
    for g in groups:
        children = [by_id[i] for i in g["components"]]
        assert all(child["group_id"] == g["id"] and not child["group"] for child in children)
        # The group reads as the worst of its children.
        severity = list(ComponentStatus)
        assert g["status"] == max((c["status"] for c in children), key=severity.index)
        # Each group comes just before its children.
        start = components.index(g)
        assert components[start + 1 : start + 1 + len(children)] == children
    for c in components:
        if c["group_id"] is not None:
            assert c["id"] in by_id[c["group_id"]]["components"]
    assert body["components"] == get(client, "summary.json")["components"]


def test_components_only_show_if_degraded_listed(frozen_clock, demo, client):
    components = get(client, "components.json")["components"]
    flagged = [c for c in components if c["only_show_if_degraded"]]
    # Listed even when operational: clients decide whether to show them.
    assert flagged
    assert any(c["status"] == "operational" for c in flagged)


def test_hidden_components_and_groups_never_appear(frozen_clock, demo, client):
    hidden = create_component("Secret backend", visible=False)
    group = create_group("Hidden group", visible=False)
    inside = create_component("Inside hidden group", group=group)
    create_incident(
        "Backend trouble",
        IncidentStatus.INVESTIGATING,
        "Looking.",
        {hidden: ComponentStatus.MAJOR_OUTAGE, inside: ComponentStatus.MAJOR_OUTAGE},
    )
    hidden_ids = {hidden.public_id, inside.public_id, group.public_id}
    summary = get(client, "summary.json")
    assert not hidden_ids & {c["id"] for c in summary["components"]}
    incident = next(i for i in summary["incidents"] if i["name"] == "Backend trouble")
    assert incident["components"] == []
    assert all(u["affected_components"] is None for u in incident["incident_updates"])
    assert not hidden_ids & {c["id"] for c in get(client, "components.json")["components"]}


def test_incidents_recent_any_status_newest_first(frozen_clock, demo, client):
    body = get(client, "incidents.json")
    assert set(body) == {"page", "incidents"}
    incidents = body["incidents"]
    assert len(incidents) > 1
    for i in incidents:
        check_incident(i, body["page"]["id"])
    started = [i["started_at"] for i in incidents]
    assert started == sorted(started, reverse=True)
    assert {i["status"] for i in incidents} & {"resolved", "postmortem"}
    assert {i["status"] for i in incidents} & OPEN_STATUSES
    # Resolved incidents carry their component changes too.
    assert any(u["affected_components"] for i in incidents for u in i["incident_updates"])


def test_incidents_capped_at_fifty(frozen_clock, app_ctx, client):
    for n in range(52):
        create_incident(
            f"Incident {n}",
            IncidentStatus.INVESTIGATING,
            "Looking.",
            started_at=frozen_clock.now - timedelta(minutes=n),
        )
    incidents = get(client, "incidents.json")["incidents"]
    assert len(incidents) == 50
    assert incidents[0]["name"] == "Incident 0"
    assert incidents[-1]["name"] == "Incident 49"


def test_unresolved_only_open(frozen_clock, demo, client):
    body = get(client, "incidents/unresolved.json")
    assert set(body) == {"page", "incidents"}
    assert body["incidents"]
    assert all(i["status"] in OPEN_STATUSES for i in body["incidents"])
    assert body["incidents"] == get(client, "summary.json")["incidents"]
    every = get(client, "incidents.json")["incidents"]
    assert {i["id"] for i in body["incidents"]} == {
        i["id"] for i in every if i["status"] in OPEN_STATUSES
    }


def test_incident_by_id(frozen_clock, demo, client):
    listed = get(client, "incidents.json")["incidents"]
    for item in listed[:3]:
        body = get(client, f"incidents/{item['id']}.json")
        assert set(body) == {"page", "incident"}
        check_incident(body["incident"], body["page"]["id"])
        assert body["incident"] == item


@pytest.mark.parametrize("path", ["incidents/nosuchthing.json", "incidents/12.json"])
def test_incident_unknown_is_json_404(frozen_clock, demo, client, path):
    response = client.get(f"/api/v2/{path}")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert isinstance(response.get_json()["error"], str)


def test_hidden_incident_is_404_and_unlisted(frozen_clock, demo, client):
    incident = db.session.scalar(
        sa.select(Incident).where(Incident.status == IncidentStatus.RESOLVED).limit(1)
    )
    set_incident_hidden(incident, True)
    response = client.get(f"/api/v2/incidents/{incident.public_id}.json")
    assert response.status_code == 404
    assert "error" in response.get_json()
    assert incident.public_id not in {i["id"] for i in get(client, "incidents.json")["incidents"]}


def test_scheduled_maintenances_recent(frozen_clock, demo, client):
    body = get(client, "scheduled-maintenances.json")
    assert set(body) == {"page", "scheduled_maintenances"}
    windows = body["scheduled_maintenances"]
    assert windows
    for m in windows:
        check_incident(m, body["page"]["id"], maintenance=True)
    scheduled = [m["scheduled_for"] for m in windows]
    assert scheduled == sorted(scheduled, reverse=True)
    assert {m["status"] for m in windows} >= {"scheduled", "completed"}


def test_upcoming_and_active_filter(frozen_clock, demo, client):
    now = frozen_clock.now
    component = db.session.scalar(sa.select(Component).where(Component.visible).limit(1))
    live = schedule_maintenance(
        "Live window", "Work.", [component], now - timedelta(minutes=5), now + timedelta(hours=1)
    )
    start_maintenance(live)
    upcoming = get(client, "scheduled-maintenances/upcoming.json")
    active = get(client, "scheduled-maintenances/active.json")
    assert upcoming["scheduled_maintenances"]
    assert all(m["status"] == "scheduled" for m in upcoming["scheduled_maintenances"])
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Live window"]
    (window,) = active["scheduled_maintenances"]
    check_incident(window, active["page"]["id"], maintenance=True)
    assert window["status"] == "in_progress"
    assert [c["status"] for c in window["components"]] == ["under_maintenance"]
    summary = get(client, "summary.json")
    assert {m["id"] for m in summary["scheduled_maintenances"]} == {
        m["id"] for m in upcoming["scheduled_maintenances"] + active["scheduled_maintenances"]
    }
