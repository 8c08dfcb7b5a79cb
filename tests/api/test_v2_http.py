"""The v2 read API over HTTP: CORS, ETag/304, Cache-Control, preflight, JSON errors."""

from __future__ import annotations

import pytest

from statuspage.components.models import ComponentStatus
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident
from statuspage.public.cache import CACHE_CONTROL

PATHS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]


@pytest.mark.parametrize("path", PATHS)
def test_json_cors_etag_and_cache(frozen_clock, demo, client, path):
    response = client.get(f"/api/v2/{path}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    etag = response.headers["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")

    again = client.get(f"/api/v2/{path}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"

    other = client.get(f"/api/v2/{path}", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.data == response.data


def test_etag_changes_with_content(frozen_clock, demo, client):
    first = client.get("/api/v2/summary.json")
    assert client.get("/api/v2/summary.json").headers["ETag"] == first.headers["ETag"]
    create_incident("New trouble", IncidentStatus.INVESTIGATING, "Looking.")
    second = client.get("/api/v2/summary.json", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]


def test_head_answers_headers(frozen_clock, demo, client):
    response = client.head("/api/v2/status.json")
    assert response.status_code == 200
    assert response.headers["ETag"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["summary.json", "incidents/abc.json", "no/such/path"])
def test_preflight(app, client, path):
    response = client.options(
        f"/api/v2/{path}",
        headers={
            "Origin": "https://example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("path", ["nope", "nope.json", "incidents/a/b.json", "v2.json"])
def test_unknown_path_is_json_404(app, client, path):
    response = client.get(f"/api/v2/{path}")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert isinstance(response.get_json()["error"], str)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_wrong_method_is_json_405(app, client):
    response = client.post("/api/v2/summary.json", json={})
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]
    unknown = client.delete("/api/v2/nope.json")
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/json"


def test_server_error_is_json(frozen_clock, demo, app, client, monkeypatch):
    from statuspage.api import v2_views

    def boom(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(v2_views, "visible_component_tree", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v2/components.json")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert "fire" not in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"


def test_component_status_change_shows(frozen_clock, demo, client):
    from statuspage.components.services import create_component

    component = create_component("Fresh")
    create_incident(
        "Fresh is down",
        IncidentStatus.INVESTIGATING,
        "Down.",
        {component: ComponentStatus.MAJOR_OUTAGE},
    )
    components = client.get("/api/v2/components.json").get_json()["components"]
    assert {c["name"]: c["status"] for c in components}["Fresh"] == "major_outage"
