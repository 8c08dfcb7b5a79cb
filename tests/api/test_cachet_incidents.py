"""Cachet API v1: incidents, incident updates and schedules, and what they change publicly."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.maintenance.models import Maintenance, MaintenanceStatus

from .test_cachet_components import TIMESTAMP, assert_cachet_error, component_named, token

INCIDENT_FIELDS = {
    "id",
    "component_id",
    "name",
    "status",
    "human_status",
    "message",
    "visible",
    "occurred_at",
    "created_at",
    "updated_at",
    "is_resolved",
    "updates",
    "permalink",
}


def test_incident_post_update_fixed_round_trip(frozen_clock, demo, client):
    api = component_named("API")
    headers = token()
    created = client.post(
        "/api/v1/incidents",
        data={
            "name": "API errors",
            "status": "1",
            "message": "Requests fail with 502.",
            "visible": "1",
            "component_id": api.public_id,
            "component_status": "4",
        },
        headers=headers,
    )
    assert created.status_code == 200, created.data
    item = created.get_json()["data"]
    assert set(item) == INCIDENT_FIELDS
    assert item["status"] == 1
    assert item["human_status"] == "Investigating"
    assert item["message"] == "Requests fail with 502."
    assert item["component_id"] == api.public_id
    assert item["visible"] == 1
    assert item["is_resolved"] is False
    assert item["updates"] == []
    assert item["occurred_at"] == "2026-11-25 12:00:00"
    assert TIMESTAMP.fullmatch(item["created_at"])
    assert item["permalink"] == f"http://127.0.0.1:8000/incidents/{item['id']}"
    incident_id = item["id"]
    assert api.status == ComponentStatus.MAJOR_OUTAGE
    v2 = client.get("/api/v2/incidents/unresolved.json").get_json()["incidents"]
    assert incident_id in {i["id"] for i in v2}
    assert incident_id in client.get("/").get_data(as_text=True)

    frozen_clock.advance(timedelta(minutes=5))
    watching = client.post(
        f"/api/v1/incidents/{incident_id}/updates?status=3&message=Fix+deployed.",
        headers=headers,
    )
    assert watching.status_code == 200, watching.data
    update = watching.get_json()["data"]
    assert update["status"] == 3
    assert update["human_status"] == "Watching"
    assert update["message"] == "Fix deployed."
    assert update["incident_id"] == incident_id
    assert update["user_id"] is None
    assert (
        db.session.scalar(sa.select(Incident.status).where(Incident.public_id == incident_id))
        == IncidentStatus.MONITORING
    )

    frozen_clock.advance(timedelta(minutes=5))
    fixed = client.post(
        f"/api/v1/incidents/{incident_id}/updates",
        json={"status": 4, "message": "All good now."},
        headers=headers,
    )
    assert fixed.status_code == 200, fixed.data
    assert fixed.get_json()["data"]["human_status"] == "Fixed"
    assert db.session.get(Component, api.id).status == ComponentStatus.OPERATIONAL

    got = client.get(f"/api/v1/incidents/{incident_id}").get_json()["data"]
    assert got["status"] == 4
    assert got["is_resolved"] is True
    assert [u["message"] for u in got["updates"]] == ["Fix deployed.", "All good now."]
    listed = client.get(f"/api/v1/incidents/{incident_id}/updates").get_json()
    # The opening message is the incident's own `message`, as in Cachet.
    assert [u["status"] for u in listed["data"]] == [3, 4]
    assert listed["data"] == got["updates"]
    assert listed["meta"]["pagination"]["total"] == 2

    v2 = client.get(f"/api/v2/incidents/{incident_id}.json").get_json()["incident"]
    assert v2["status"] == "resolved"
    assert [u["body"] for u in v2["incident_updates"]][0] == "All good now."
    unresolved = client.get("/api/v2/incidents/unresolved.json").get_json()["incidents"]
    assert incident_id not in {i["id"] for i in unresolved}
    history = client.get("/api/v2/incidents.json").get_json()["incidents"]
    assert incident_id in {i["id"] for i in history}
    feed = feedparser.parse(client.get("/history.atom").data)
    entry = next(e for e in feed.entries if e.title == "API errors")
    assert "All good now." in entry.summary
    page = client.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    assert "All good now." in page.get_data(as_text=True)


def test_incident_put_renames_posts_and_hides(frozen_clock, demo, client):
    headers = token()
    created = client.post(
        "/api/v1/incidents",
        json={"name": "Slow", "status": 2, "message": "Looking."},
        headers=headers,
    ).get_json()["data"]
    assert created["component_id"] is None
    url = f"/api/v1/incidents/{created['id']}"
    frozen_clock.advance(timedelta(minutes=1))
    changed = client.put(url + "?name=Slow+search&status=3&message=Patched.", headers=headers)
    assert changed.status_code == 200, changed.data
    item = changed.get_json()["data"]
    assert item["name"] == "Slow search"
    assert item["status"] == 3
    assert [u["message"] for u in item["updates"]] == ["Patched."]

    hidden = client.put(url, data={"visible": "0"}, headers=headers).get_json()["data"]
    assert hidden["visible"] == 0
    assert_cachet_error(client.get(url), 404)
    public = client.get("/api/v1/incidents?per_page=100").get_json()["data"]
    assert created["id"] not in {i["id"] for i in public}
    with_key = client.get("/api/v1/incidents?per_page=100", headers=headers).get_json()["data"]
    assert created["id"] in {i["id"] for i in with_key}

    resolved = client.put(url, json={"status": 4, "message": "Done."}, headers=headers)
    assert resolved.get_json()["data"]["is_resolved"] is True


def test_hidden_incident_created_hidden(frozen_clock, demo, client):
    response = client.post(
        "/api/v1/incidents",
        json={"name": "Quiet", "status": 1, "message": "Internal only.", "visible": 0},
        headers=token(),
    )
    item = response.get_json()["data"]
    assert item["visible"] == 0
    assert db.session.scalar(sa.select(Incident.hidden).where(Incident.public_id == item["id"]))
    summary = client.get("/api/v2/summary.json").get_json()
    assert item["id"] not in {i["id"] for i in summary["incidents"]}
    assert "Quiet" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "status", "human"),
    [
        (1, IncidentStatus.INVESTIGATING, "Investigating"),
        (2, IncidentStatus.IDENTIFIED, "Identified"),
        (3, IncidentStatus.MONITORING, "Watching"),
        (4, IncidentStatus.RESOLVED, "Fixed"),
    ],
)
def test_incident_status_codes_both_ways(frozen_clock, demo, client, code, status, human):
    response = client.post(
        "/api/v1/incidents",
        json={"name": f"Case {code}", "status": code, "message": "m"},
        headers=token(),
    )
    assert response.status_code == 200, response.data
    item = response.get_json()["data"]
    assert (item["status"], item["human_status"]) == (code, human)
    stored = db.session.scalar(sa.select(Incident).where(Incident.public_id == item["id"]))
    assert stored.status == status


def test_incident_errors_in_cachet_shape(frozen_clock, demo, client):
    headers = token()
    body = {"name": "X", "status": 1, "message": "m"}
    assert_cachet_error(client.post("/api/v1/incidents", json=body), 401)
    support = token("support@example.com")
    assert_cachet_error(client.post("/api/v1/incidents", json=body, headers=support), 403)
    scheduled = client.post("/api/v1/incidents", json=body | {"status": 0}, headers=headers)
    assert_cachet_error(scheduled, 400, "/schedules")
    assert_cachet_error(
        client.post("/api/v1/incidents", json=body | {"status": 9}, headers=headers), 400
    )
    assert_cachet_error(
        client.post("/api/v1/incidents", json={"name": "X"}, headers=headers), 400, "status"
    )
    assert_cachet_error(
        client.post("/api/v1/incidents", json=body | {"name": ""}, headers=headers), 400, "name"
    )
    unknown_component = body | {"component_id": "nope", "component_status": 2}
    assert_cachet_error(
        client.post("/api/v1/incidents", json=unknown_component, headers=headers), 400, "nope"
    )
    bad_component_status = body | {
        "component_id": component_named("API").public_id,
        "component_status": 0,
    }
    assert_cachet_error(
        client.post("/api/v1/incidents", json=bad_component_status, headers=headers),
        400,
        "component_status",
    )
    assert_cachet_error(client.get("/api/v1/incidents/nope"), 404, "nope")
    assert_cachet_error(
        client.post("/api/v1/incidents/nope/updates", json=body, headers=headers), 404
    )
    assert_cachet_error(client.put("/api/v1/incidents/nope?status=2", headers=headers), 404)
    assert not db.session.scalar(sa.select(Incident).where(Incident.name == "X"))


def test_incident_list_pagination(frozen_clock, demo, client):
    body = client.get("/api/v1/incidents?per_page=1&sort=occurred_at&order=desc").get_json()
    pagination = body["meta"]["pagination"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Incident).where(Incident.hidden.is_(False))
    )
    assert pagination["total"] == total
    assert pagination["count"] == 1
    assert pagination["total_pages"] == total
    assert pagination["links"]["previous_page"] is None
    newest = db.session.scalar(
        sa.select(Incident.public_id)
        .where(Incident.hidden.is_(False))
        .order_by(Incident.started_at.desc())
        .limit(1)
    )
    assert body["data"][0]["id"] == newest


def test_schedules(frozen_clock, demo, client):
    headers = token()
    api = component_named("API")
    created = client.post(
        "/api/v1/schedules",
        json={
            "name": "Database upgrade",
            "message": "Brief read-only period.",
            "status": 0,
            "scheduled_at": "2026-11-26 02:00:00",
            "completed_at": "2026-11-26 03:00",
            "components": {api.public_id: 3},
        },
        headers=headers,
    )
    assert created.status_code == 200, created.data
    item = created.get_json()["data"]
    assert item["status"] == 0
    assert item["human_status"] == "Upcoming"
    assert item["scheduled_at"] == "2026-11-26 02:00:00"
    assert item["completed_at"] == "2026-11-26 03:00:00"
    assert item["message"] == "Brief read-only period."
    assert [c["id"] for c in item["components"]] == [api.public_id]
    upcoming = client.get("/api/v2/scheduled-maintenances/upcoming.json").get_json()
    assert item["id"] in {m["id"] for m in upcoming["scheduled_maintenances"]}

    live = client.post(
        "/api/v1/schedules",
        data={
            "name": "Network work",
            "status": "1",
            "scheduled_at": "2026-11-25 11:30:00",
            "completed_at": "2026-11-25 13:00:00",
            "components": api.public_id,
        },
        headers=headers,
    ).get_json()["data"]
    assert live["status"] == 1
    assert live["human_status"] == "In Progress"
    stored = db.session.scalar(sa.select(Maintenance).where(Maintenance.public_id == live["id"]))
    assert stored.status == MaintenanceStatus.IN_PROGRESS
    assert db.session.get(Component, api.id).status == ComponentStatus.UNDER_MAINTENANCE
    # Under maintenance has no Cachet number.
    seen = client.get(f"/api/v1/components/{api.public_id}").get_json()["data"]
    assert (seen["status"], seen["status_name"]) == (0, "Under Maintenance")

    listed = client.get("/api/v1/schedules?sort=scheduled_at").get_json()
    ids = [s["id"] for s in listed["data"]]
    assert item["id"] in ids
    assert live["id"] in ids
    assert listed["meta"]["pagination"]["total"] == len(ids)

    bad = [
        ({"name": "x", "scheduled_at": "2026-11-26 02:00:00"}, "completed_at"),
        ({"name": "x", "completed_at": "2026-11-26 02:00:00"}, "scheduled_at"),
        ({"name": "x", "scheduled_at": "soon", "completed_at": "later"}, "scheduled_at"),
        (
            {"name": "x", "status": 5, "scheduled_at": "2026-11-26", "completed_at": "2026-11-27"},
            "status",
        ),
        (
            {
                "name": "x",
                "scheduled_at": "2026-11-26",
                "completed_at": "2026-11-27",
                "components": {"nope": 1},
            },
            "nope",
        ),
    ]
    for body, word in bad:
        assert_cachet_error(client.post("/api/v1/schedules", json=body, headers=headers), 400, word)
    assert_cachet_error(client.post("/api/v1/schedules", json=bad[0][0]), 401)


def test_completed_schedule(frozen_clock, demo, client):
    item = client.post(
        "/api/v1/schedules",
        json={
            "name": "Past work",
            "status": 2,
            "scheduled_at": "2026-11-25 08:00:00",
            "completed_at": "2026-11-25 09:00:00",
        },
        headers=token(),
    ).get_json()["data"]
    assert item["status"] == 2
    assert item["human_status"] == "Complete"
    assert item["completed_at"] == "2026-11-25 09:00:00"


def test_incident_post_with_idempotency_key_creates_one(frozen_clock, demo, client):
    headers = {**token(), "Idempotency-Key": "cachet-retry-1"}
    form = {"name": "Retried once", "status": "1", "message": "Looking.", "visible": "1"}
    first = client.post("/api/v1/incidents", data=form, headers=headers)
    again = client.post("/api/v1/incidents", data=form, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(Incident).filter(Incident.name == "Retried once").count() == 1
    other = client.post(
        "/api/v1/incidents", data={**form, "name": "Something else"}, headers=headers
    )
    assert_cachet_error(other, 409)
    assert "Idempotency-Key" in other.get_json()["errors"][0]["detail"]
