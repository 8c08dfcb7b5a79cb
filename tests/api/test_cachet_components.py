"""Cachet API v1: general endpoints, components, groups, pagination and errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.accounts.services import create_api_key
from statuspage.components.models import Component, ComponentGroup, ComponentStatus
from statuspage.extensions import db

from ..htmltree import parse

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
COMPONENT_FIELDS = {
    "id",
    "name",
    "description",
    "link",
    "status",
    "status_name",
    "order",
    "group_id",
    "enabled",
    "created_at",
    "updated_at",
}


def token(email: str = "comms@example.com") -> dict[str, str]:
    _key, secret = create_api_key(email)
    return {"X-Cachet-Token": secret}


def component_named(name: str) -> Component:
    found = db.session.scalar(sa.select(Component).where(Component.name == name))
    assert found is not None
    return found


def assert_cachet_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    (error,) = response.get_json()["errors"]
    assert set(error) == {"id", "status", "title", "detail"}
    assert error["status"] == status
    for word in words:
        assert word in error["detail"]
    return error


def test_ping_version_status(frozen_clock, demo, client):
    assert client.get("/api/v1/ping").get_json() == {"data": "Pong!"}
    body = client.get("/api/v1/version").get_json()
    assert isinstance(body["data"], str)
    assert body["data"]
    assert "on_latest" in body["meta"]
    status = client.get("/api/v1/status").get_json()["data"]
    # The demo has an open incident degrading the Dashboard.
    assert status == {"status": "info", "message": "Minor Service Outage"}


def test_status_success_when_all_operational(app_ctx, client):
    from statuspage.components.services import create_component

    create_component("Web")
    status = client.get("/api/v1/status").get_json()["data"]
    assert status == {"status": "success", "message": "All Systems Operational"}


def test_components_list_fields_and_enum_mapping(frozen_clock, demo, client):
    body = client.get("/api/v1/components?per_page=100").get_json()
    items = {c["name"]: c for c in body["data"]}
    dashboard = items["Dashboard"]
    assert set(dashboard) == COMPONENT_FIELDS
    assert dashboard["id"] == component_named("Dashboard").public_id
    assert dashboard["status"] == 2
    assert dashboard["status_name"] == "Performance Issues"
    assert items["API"]["status"] == 1
    assert items["API"]["status_name"] == "Operational"
    assert TIMESTAMP.fullmatch(dashboard["created_at"])
    assert TIMESTAMP.fullmatch(dashboard["updated_at"])
    assert dashboard["enabled"] is True
    group = component_named("Dashboard").group
    assert dashboard["group_id"] == (group.public_id if group else None)
    assert isinstance(dashboard["order"], int)
    # Hidden components stay off the public list.
    hidden = [c.name for c in db.session.scalars(sa.select(Component)) if not c.visible]
    assert not set(hidden) & set(items)


def test_pagination_meta_and_sorting(app_ctx, client):
    from statuspage.components.services import create_component

    for name in ("Echo", "Alpha", "Delta", "Bravo", "Charlie"):
        create_component(name)
    body = client.get("/api/v1/components?per_page=2&page=2&sort=name&order=desc").get_json()
    assert [c["name"] for c in body["data"]] == ["Charlie", "Bravo"]
    pagination = body["meta"]["pagination"]
    assert {k: pagination[k] for k in pagination if k != "links"} == {
        "total": 5,
        "count": 2,
        "per_page": 2,
        "current_page": 2,
        "total_pages": 3,
    }
    links = pagination["links"]
    assert links["next_page"].startswith("http://localhost/api/v1/components?")
    assert "page=3" in links["next_page"]
    assert "sort=name" in links["next_page"]
    assert "page=1" in links["previous_page"]

    first = client.get("/api/v1/components").get_json()
    # Default: 20 per page, creation order.
    assert first["meta"]["pagination"]["per_page"] == 20
    assert first["meta"]["pagination"]["links"] == {"next_page": None, "previous_page": None}
    assert [c["name"] for c in first["data"]] == ["Echo", "Alpha", "Delta", "Bravo", "Charlie"]

    bad = client.get("/api/v1/components?sort=colour")
    assert_cachet_error(bad, 400, "sort")
    assert_cachet_error(client.get("/api/v1/components?per_page=0"), 400, "per_page")


def test_component_status_put_with_query_string_shows_everywhere(frozen_clock, demo, client):
    api = component_named("API")
    headers = token()
    response = client.put(f"/api/v1/components/{api.public_id}?status=4", headers=headers)
    assert response.status_code == 200, response.data
    item = response.get_json()["data"]
    assert item["status"] == 4
    assert item["status_name"] == "Major Outage"

    page = parse(client.get("/").data)
    node = next(
        n
        for n in page.find_all(cls="component")
        if n.attrs.get("data-component-id") == api.public_id
    )
    assert node.attrs["data-status"] == "major_outage"
    v2 = client.get("/api/v2/components.json").get_json()["components"]
    assert {c["id"]: c["status"] for c in v2}[api.public_id] == "major_outage"
    assert client.get(f"/api/v1/components/{api.public_id}").get_json()["data"]["status"] == 4

    # Back to operational through a form body.
    back = client.put(f"/api/v1/components/{api.public_id}", data={"status": "1"}, headers=headers)
    assert back.get_json()["data"]["status"] == 1
    assert db.session.get(Component, api.id).status == ComponentStatus.OPERATIONAL


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, ComponentStatus.OPERATIONAL),
        (2, ComponentStatus.DEGRADED_PERFORMANCE),
        (3, ComponentStatus.PARTIAL_OUTAGE),
        (4, ComponentStatus.MAJOR_OUTAGE),
    ],
)
def test_component_status_codes_both_ways(app_ctx, client, demo, code, status):
    response = client.post(
        "/api/v1/components", json={"name": f"New {code}", "status": code}, headers=token()
    )
    assert response.status_code == 200, response.data
    item = response.get_json()["data"]
    assert item["status"] == code
    assert component_named(f"New {code}").status == status


def test_component_create_update_delete(frozen_clock, demo, client):
    headers = token()
    group = db.session.scalar(sa.select(ComponentGroup).order_by(ComponentGroup.id))
    created = client.post(
        "/api/v1/components?name=Search",
        data={"description": "Full-text search", "group_id": group.public_id, "enabled": "0"},
        headers=headers,
    )
    assert created.status_code == 200, created.data
    item = created.get_json()["data"]
    assert set(item) == COMPONENT_FIELDS
    assert item["name"] == "Search"
    assert item["description"] == "Full-text search"
    assert item["group_id"] == group.public_id
    assert item["enabled"] is False
    assert item["status"] == 1
    assert item["link"] is None
    # Disabled: not public, but a key sees it.
    assert_cachet_error(client.get(f"/api/v1/components/{item['id']}"), 404, item["id"])
    seen = client.get(f"/api/v1/components/{item['id']}", headers=headers)
    assert seen.get_json()["data"]["name"] == "Search"

    # JSON body, partial change: untouched fields stay.
    changed = client.put(
        f"/api/v1/components/{item['id']}",
        json={"name": "Search v2", "enabled": True, "group_id": 0, "order": 0},
        headers=headers,
    )
    assert changed.status_code == 200, changed.data
    after = changed.get_json()["data"]
    assert after["name"] == "Search v2"
    assert after["description"] == "Full-text search"
    assert after["enabled"] is True
    assert after["group_id"] is None
    assert after["order"] == 0
    last = client.put(f"/api/v1/components/{item['id']}?order=999", headers=headers)
    assert last.get_json()["data"]["order"] > 0

    deleted = client.delete(f"/api/v1/components/{item['id']}", headers=headers)
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert_cachet_error(client.get(f"/api/v1/components/{item['id']}", headers=headers), 404)


def test_groups(frozen_clock, demo, client):
    body = client.get("/api/v1/components/groups").get_json()
    names = [g["name"] for g in body["data"]]
    assert "Core platform" in names
    core = next(g for g in body["data"] if g["name"] == "Core platform")
    assert set(core) == {
        "id",
        "name",
        "order",
        "collapsed",
        "visible",
        "created_at",
        "updated_at",
        "enabled_components",
    }
    assert core["enabled_components"]
    assert all(c["group_id"] == core["id"] for c in core["enabled_components"])
    assert body["meta"]["pagination"]["total"] == len(names)
    one = client.get(f"/api/v1/components/groups/{core['id']}").get_json()["data"]
    assert one == core
    assert_cachet_error(client.get("/api/v1/components/groups/nope"), 404, "nope")


def test_write_errors_in_cachet_shape(frozen_clock, demo, client):
    api = component_named("API")
    url = f"/api/v1/components/{api.public_id}"
    missing = client.put(url + "?status=2")
    assert_cachet_error(missing, 401, "API key")
    wrong = client.put(url + "?status=2", headers={"X-Cachet-Token": "nope"})
    assert_cachet_error(wrong, 401)
    support = client.put(url + "?status=2", headers=token("support@example.com"))
    assert_cachet_error(support, 403, "support")
    headers = token()
    assert_cachet_error(client.put(url + "?status=0", headers=headers), 400, "0 (unknown)")
    assert_cachet_error(client.put(url + "?status=7", headers=headers), 400, "status")
    assert_cachet_error(client.put(url + "?status=two", headers=headers), 400, "status")
    assert_cachet_error(client.put("/api/v1/components/nope?status=2", headers=headers), 404)
    assert_cachet_error(client.post("/api/v1/components", json={}, headers=headers), 400, "name")
    bad_json = client.post(
        "/api/v1/components", data="{oops", content_type="application/json", headers=headers
    )
    assert_cachet_error(bad_json, 400, "JSON")
    assert_cachet_error(
        client.post("/api/v1/components", json={"name": "X", "group_id": "zz"}, headers=headers),
        400,
        "group_id",
    )
    assert api.status == ComponentStatus.OPERATIONAL
    assert_cachet_error(client.get("/api/v1/components/nope"), 404, "nope")


def test_subscriber_writes_need_a_token(app_ctx, client):
    # The subscriber endpoints themselves are tested in test_cachet_subscribers.py.
    response = client.post("/api/v1/subscribers", json={"email": "a@example.com"})
    assert_cachet_error(response, 401)
    assert_cachet_error(client.delete("/api/v1/subscribers/abc"), 401)


def test_rate_limit_and_bad_list_parameters(app, app_ctx, client):
    assert_cachet_error(client.get("/api/v1/components?page=abc"), 400, "page")
    assert_cachet_error(client.get("/api/v1/incidents?order=sideways"), 400, "order")
    app.config["API_RATE_LIMIT"] = "2 per minute"
    headers = {"X-Cachet-Token": "sp_whatever"}
    assert client.get("/api/v1/ping", headers=headers).status_code == 200
    assert client.get("/api/v1/ping", headers=headers).status_code == 200
    limited = client.get("/api/v1/ping", headers=headers)
    assert_cachet_error(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
