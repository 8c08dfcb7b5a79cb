"""Statuspage Manage API v1 (P0) over HTTP: round trips, CRUD, idempotency, errors, limits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from statuspage import create_app
from statuspage.accounts.models import User
from statuspage.accounts.services import create_api_key, revoke_api_key
from statuspage.extensions import db
from statuspage.incidents.models import Incident
from statuspage.site.queries import get_page_settings


def _key(email: str = "comms@example.com") -> dict[str, str]:
    _api_key, secret = create_api_key(email)
    return {"Authorization": f"OAuth {secret}"}


@pytest.fixture
def api(demo: Any, client: Any) -> Any:
    """A client with a communicator's key and the page id."""

    class Api:
        headers = _key()
        page = get_page_settings().public_id

        def call(self, method: str, path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return client.open(
                f"/api/v1/pages/{self.page}{path}", method=method, headers=headers, **kwargs
            )

    return Api()


def test_pages_list_and_get(api: Any, client: Any) -> None:
    listed = client.get("/api/v1/pages", headers=api.headers)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.get_json()] == [api.page]
    one = client.get(f"/api/v1/pages/{api.page}.json", headers=api.headers)
    assert one.get_json()["id"] == api.page
    wrong = client.get("/api/v1/pages/nope/components", headers=api.headers)
    assert wrong.status_code == 404
    assert "nope" in wrong.get_json()["error"]


def test_incident_round_trip_shows_on_page_api_and_feed(
    frozen_clock: Any, api: Any, client: Any
) -> None:
    component = api.call("POST", "/components", json={"component": {"name": "Payments API"}})
    assert component.status_code == 201
    cid = component.get_json()["id"]
    created = api.call(
        "POST",
        "/incidents",
        json={
            "incident": {
                "name": "Payments failing",
                "status": "investigating",
                "body": "Card payments fail.",
                "components": {cid: "major_outage"},
                "metadata": {"jira": "OPS-1"},
            }
        },
    )
    assert created.status_code == 201, created.get_json()
    incident = created.get_json()
    assert incident["name"] == "Payments failing"
    assert incident["metadata"] == {"jira": "OPS-1"}
    assert incident["impact"] == "critical"
    assert [c["id"] for c in incident["components"]] == [cid]
    iid = incident["id"]
    page = client.get("/")
    assert "Payments failing" in page.get_data(as_text=True)
    summary = client.get("/api/v2/summary.json").get_json()
    assert iid in [i["id"] for i in summary["incidents"]]

    frozen_clock.advance(timedelta(minutes=5))
    patched = api.call(
        "PATCH",
        f"/incidents/{iid}",
        json={"incident": {"status": "identified", "body": "Found it."}},
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["status"] == "identified"
    assert [u["body"] for u in body["incident_updates"]] == ["Found it.", "Card payments fail."]

    frozen_clock.advance(timedelta(minutes=5))
    resolved = api.call(
        "PATCH",
        f"/incidents/{iid}.json",
        json={"incident": {"status": "resolved", "body": "Fixed."}},
    )
    assert resolved.get_json()["status"] == "resolved"
    assert resolved.get_json()["resolved_at"] is not None
    summary = client.get("/api/v2/summary.json").get_json()
    assert iid not in [i["id"] for i in summary["incidents"]]
    assert {c["id"]: c["status"] for c in summary["components"]}[cid] == "operational"
    feed = client.get("/history.atom")
    assert feed.status_code == 200
    assert "Payments failing" in feed.get_data(as_text=True)
    assert "Fixed." in feed.get_data(as_text=True)
    unresolved = api.call("GET", "/incidents/unresolved")
    assert iid not in [i["id"] for i in unresolved.get_json()]


def test_components_crud_and_status_change(api: Any, client: Any) -> None:
    made = api.call(
        "POST",
        "/components.json",
        json={
            "component": {"name": "Search", "description": "Find things", "status": "operational"}
        },
    )
    assert made.status_code == 201
    cid = made.get_json()["id"]
    assert made.get_json()["description"] == "Find things"
    changed = api.call(
        "PATCH", f"/components/{cid}", json={"component": {"status": "partial_outage"}}
    )
    assert changed.status_code == 200
    assert changed.get_json()["status"] == "partial_outage"
    assert changed.get_json()["description"] == "Find things"
    assert {
        c["id"]: c["status"] for c in client.get("/api/v2/components.json").get_json()["components"]
    }[cid] == "partial_outage"
    assert "Search" in client.get("/").get_data(as_text=True)
    replaced = api.call("PUT", f"/components/{cid}", json={"component": {"name": "Search v2"}})
    assert replaced.get_json()["name"] == "Search v2"
    assert replaced.get_json()["description"] is None
    assert cid in [c["id"] for c in api.call("GET", "/components").get_json()]
    assert api.call("GET", f"/components/{cid}").get_json()["name"] == "Search v2"
    deleted = api.call("DELETE", f"/components/{cid}")
    assert deleted.status_code == 200
    assert deleted.get_json()["id"] == cid
    assert api.call("GET", f"/components/{cid}").status_code == 404


def test_component_groups(api: Any) -> None:
    a = api.call("POST", "/components", json={"component": {"name": "Alpha"}}).get_json()["id"]
    b = api.call("POST", "/components", json={"component": {"name": "Beta"}}).get_json()["id"]
    made = api.call(
        "POST",
        "/component-groups",
        json={"component_group": {"name": "Core", "components": [a, b]}},
    )
    assert made.status_code == 201, made.get_json()
    group = made.get_json()
    assert group["group"] is True
    assert sorted(group["components"]) == sorted([a, b])
    gid = group["id"]
    assert api.call("GET", f"/components/{a}").get_json()["group_id"] == gid
    patched = api.call(
        "PATCH", f"/component-groups/{gid}", json={"component_group": {"components": [a]}}
    )
    assert patched.get_json()["components"] == [a]
    assert patched.get_json()["name"] == "Core"
    assert gid in [g["id"] for g in api.call("GET", "/component-groups").get_json()]
    assert api.call("DELETE", f"/component-groups/{gid}").status_code == 200
    assert api.call("GET", f"/component-groups/{gid}").status_code == 404
    assert api.call("GET", f"/components/{a}").get_json()["group_id"] is None


def test_update_edit(api: Any) -> None:
    made = api.call(
        "POST", "/incidents", json={"incident": {"name": "Slow", "body": "Slow pages."}}
    )
    incident = made.get_json()
    uid = incident["incident_updates"][0]["id"]
    edited = api.call(
        "PATCH",
        f"/incidents/{incident['id']}/incident_updates/{uid}",
        json={"incident_update": {"body": "Slow page loads."}},
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["incident_updates"][0]["body"] == "Slow page loads."
    missing = api.call(
        "PATCH", f"/incidents/{incident['id']}/incident_updates/nope", json={"incident_update": {}}
    )
    assert missing.status_code == 404


def test_form_encoded_body(api: Any) -> None:
    made = api.call(
        "POST",
        "/incidents",
        data={
            "incident[name]": "Form made",
            "incident[status]": "identified",
            "incident[body]": "From a form.",
            "incident[deliver_notifications]": "false",
        },
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "identified"
    assert made.get_json()["incident_updates"][0]["deliver_notifications"] is False


def test_idempotent_retry_creates_one_incident(api: Any) -> None:
    payload = {"incident": {"name": "Once only", "body": "Hello."}}
    first = api.call("POST", "/incidents", json=payload, headers={"Idempotency-Key": "k-1"})
    again = api.call("POST", "/incidents", json=payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    count = db.session.query(Incident).filter(Incident.name == "Once only").count()
    assert count == 1
    other = api.call(
        "POST",
        "/incidents",
        json={"incident": {"name": "Other"}},
        headers={"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in other.get_json()["error"]


def _hold_key(key: str, path: str, age: timedelta) -> None:
    """Leave a reservation as a request still running (or killed) under this key would."""
    from statuspage.api.idempotency import PENDING
    from statuspage.api.models import IdempotencyRecord
    from statuspage.clock import utcnow

    user = db.session.query(User).filter(User.email == "comms@example.com").one()
    db.session.add(
        IdempotencyRecord(
            user_id=user.id,
            key=key,
            path=path,
            request_hash="in-flight",
            status=PENDING,
            body="",
            created_at=utcnow() - age,
        )
    )
    db.session.commit()


def test_retry_while_first_request_runs_is_refused(api: Any) -> None:
    path = f"/api/v1/pages/{api.page}/incidents"
    _hold_key("k-busy", path, timedelta(seconds=5))
    payload = {"incident": {"name": "Busy", "body": "Hello."}}
    retry = api.call("POST", "/incidents", json=payload, headers={"Idempotency-Key": "k-busy"})
    assert retry.status_code == 409
    assert "still being processed" in retry.get_json()["error"]
    assert db.session.query(Incident).filter(Incident.name == "Busy").count() == 0


def test_key_of_a_killed_request_is_freed(api: Any) -> None:
    path = f"/api/v1/pages/{api.page}/incidents"
    _hold_key("k-dead", path, timedelta(minutes=10))
    payload = {"incident": {"name": "Revived", "body": "Hello."}}
    retry = api.call("POST", "/incidents", json=payload, headers={"Idempotency-Key": "k-dead"})
    assert retry.status_code == 201, retry.get_json()
    again = api.call("POST", "/incidents", json=payload, headers={"Idempotency-Key": "k-dead"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(Incident).filter(Incident.name == "Revived").count() == 1


def test_failed_request_frees_its_key(api: Any) -> None:
    bad = {"incident": {"name": "Fixed later", "status": "broken"}}
    failed = api.call("POST", "/incidents", json=bad, headers={"Idempotency-Key": "k-fix"})
    assert failed.status_code == 422
    fixed = {"incident": {"name": "Fixed later", "status": "identified"}}
    ok = api.call("POST", "/incidents", json=fixed, headers={"Idempotency-Key": "k-fix"})
    assert ok.status_code == 201, ok.get_json()


@pytest.mark.parametrize(
    ("kwargs", "status", "needle"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
        ({"data": "name=x", "content_type": "text/plain"}, 415, "text/plain"),
        ({"json": {"incident": {"name": "X", "status": "broken"}}}, 422, "investigating"),
        ({"json": {"incident": {"status": "investigating"}}}, 422, "name"),
        (
            {"json": {"incident": {"name": "X", "components": {"nope": "major_outage"}}}},
            422,
            "unknown",
        ),
        ({"json": {"incident": {"name": "X", "impact_override": "huge"}}}, 422, "critical"),
        ({"data": "x" * (1024 * 1024 + 10), "content_type": "application/json"}, 413, "1 MiB"),
    ],
)
def test_errors_are_json_and_readable(
    api: Any, kwargs: dict[str, Any], status: int, needle: str
) -> None:
    response = api.call("POST", "/incidents", **kwargs)
    assert response.status_code == status
    assert response.is_json
    assert needle in json.dumps(response.get_json())


def test_unknown_ids_answer_404(api: Any) -> None:
    for path in ("/incidents/nope", "/components/nope", "/component-groups/nope"):
        response = api.call("GET", path)
        assert response.status_code == 404
        assert "nope" in response.get_json()["error"]


def test_keys_missing_revoked_and_too_weak(api: Any, client: Any) -> None:
    path = f"/api/v1/pages/{api.page}/incidents"
    missing = client.get(path)
    assert missing.status_code == 401
    assert missing.get_json()["error"]
    support = client.get(path, headers=_key("support@example.com"))
    assert support.status_code == 403
    key, secret = create_api_key("comms@example.com")
    admin = db.session.query(User).filter(User.email == "admin@example.com").one()
    revoke_api_key(key, admin)
    revoked = client.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401
    assert client.get(path, headers=api.headers).status_code == 200


def test_per_key_rate_limit(database_url: str) -> None:
    app: Flask = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "API_RATE_LIMIT": "2 per minute",
        }
    )
    with app.app_context():
        from statuspage.demo import load_demo

        load_demo()
        headers = _key()
        other = _key()
        page = get_page_settings().public_id
        client = app.test_client()
        path = f"/api/v1/pages/{page}/components"
        assert client.get(path, headers=headers).status_code == 200
        assert client.get(path + ".json", headers=headers).status_code == 200
        limited = client.get(path, headers=headers)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert "error" in limited.get_json()
        # Another key has its own budget.
        assert client.get(path, headers=other).status_code == 200
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_maintenance_through_incidents_endpoint(frozen_clock: Any, api: Any, client: Any) -> None:
    cid = api.call("POST", "/components", json={"component": {"name": "Database"}}).get_json()["id"]
    start = frozen_clock.now + timedelta(hours=2)
    made = api.call(
        "POST",
        "/incidents",
        json={
            "incident": {
                "name": "DB upgrade",
                "status": "scheduled",
                "body": "We upgrade the database.",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
                "scheduled_auto_in_progress": False,
                "scheduled_remind_prior": True,
                "component_ids": [cid],
            }
        },
    )
    assert made.status_code == 201, made.get_json()
    window = made.get_json()
    mid = window["id"]
    assert window["impact"] == "maintenance"
    assert window["status"] == "scheduled"
    assert window["scheduled_auto_in_progress"] is False
    assert window["scheduled_remind_prior"] is True
    assert window["scheduled_for"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    assert mid in [m["id"] for m in api.call("GET", "/incidents/upcoming").get_json()]
    assert mid in [m["id"] for m in api.call("GET", "/incidents/scheduled.json").get_json()]
    assert "DB upgrade" in client.get("/").get_data(as_text=True)
    assert mid in [
        m["id"]
        for m in client.get("/api/v2/scheduled-maintenances/upcoming.json").get_json()[
            "scheduled_maintenances"
        ]
    ]
    assert api.call("GET", f"/incidents/{mid}").get_json()["name"] == "DB upgrade"

    started = api.call(
        "PATCH",
        f"/incidents/{mid}",
        json={"incident": {"status": "in_progress", "body": "Started."}},
    )
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["status"] == "in_progress"
    assert mid in [m["id"] for m in api.call("GET", "/incidents/active_maintenance").get_json()]
    component = api.call("GET", f"/components/{cid}").get_json()
    assert component["status"] == "under_maintenance"
    back = api.call("PATCH", f"/incidents/{mid}", json={"incident": {"status": "scheduled"}})
    assert back.status_code == 422
    assert "in_progress" in back.get_json()["error"]
    done = api.call("PATCH", f"/incidents/{mid}", json={"incident": {"status": "completed"}})
    assert done.get_json()["status"] == "completed"
    assert api.call("GET", f"/components/{cid}").get_json()["status"] == "operational"


def test_maintenance_needs_both_times(api: Any) -> None:
    response = api.call(
        "POST",
        "/incidents",
        json={"incident": {"name": "Half", "scheduled_for": "2030-01-01T00:00:00Z"}},
    )
    assert response.status_code == 422
    assert "scheduled_until" in response.get_json()["error"]


def test_unknown_route_and_method_are_json(api: Any, client: Any) -> None:
    wrong_method = api.call("POST", "/incidents/unresolved")
    assert wrong_method.status_code == 405
    assert wrong_method.is_json
    unknown = api.call("GET", "/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]


def test_component_position_moves_it(api: Any) -> None:
    first = api.call("POST", "/components", json={"component": {"name": "First"}}).get_json()
    second = api.call("POST", "/components", json={"component": {"name": "Second"}}).get_json()
    moved = api.call(
        "PATCH", f"/components/{second['id']}", json={"component": {"position": first["position"]}}
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["position"] == first["position"]
    assert api.call("GET", f"/components/{first['id']}").get_json()["position"] > first["position"]
    far = api.call("PATCH", f"/components/{first['id']}", json={"component": {"position": 999}})
    assert far.status_code == 422
    assert "position" in far.get_json()["error"]
