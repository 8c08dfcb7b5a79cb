"""Statuspage Manage API v1 (P1) over HTTP: incident templates, postmortems, uptime."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from statuspage.accounts.services import create_api_key
from statuspage.demo.services import DEMO_PASSWORD
from statuspage.site.queries import get_page_settings
from tests.admin.conftest import sign_in


def _key(email: str = "comms@example.com") -> dict[str, str]:
    _api_key, secret = create_api_key(email)
    return {"Authorization": f"OAuth {secret}"}


@pytest.fixture
def api(frozen_clock: Any, demo: Any, client: Any) -> Any:
    """A client with a communicator's key and the page id (demo data, clock frozen first)."""

    class Api:
        headers = _key()
        page = get_page_settings().public_id
        clock = frozen_clock

        def call(self, method: str, path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return client.open(
                f"/api/v1/pages/{self.page}{path}", method=method, headers=headers, **kwargs
            )

    return Api()


def _component(api: Any, name: str, **fields: Any) -> str:
    made = api.call("POST", "/components", json={"component": {"name": name, **fields}})
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["id"])


def _error(response: Any, status: int, field: str | None = None) -> str:
    """Assert a JSON error with this status (naming field, if given); return its message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    message = body["error"]
    assert isinstance(message, str)
    assert message
    if field is not None:
        assert field in body["errors"], body
    return message


_P1_ROUTES = [
    ("GET", "/incident_templates"),
    ("POST", "/incident_templates"),
    ("GET", "/incident_templates/some-id"),
    ("PATCH", "/incident_templates/some-id"),
    ("DELETE", "/incident_templates/some-id"),
    ("GET", "/incidents/some-id/postmortem"),
    ("PUT", "/incidents/some-id/postmortem"),
    ("DELETE", "/incidents/some-id/postmortem"),
    ("PUT", "/incidents/some-id/postmortem/publish"),
    ("PUT", "/incidents/some-id/postmortem/revert"),
    ("GET", "/components/some-id/uptime"),
    ("GET", "/component-groups/some-id/uptime"),
]


def test_every_p1_route_needs_a_communicator_key(frozen_clock: Any, demo: Any, client: Any) -> None:
    # No keyed request comes first here: the test keeps one app context for every request.
    page = get_page_settings().public_id
    support = _key("support@example.com")
    for method, path in _P1_ROUTES:
        url = f"/api/v1/pages/{page}{path}"
        assert "API key" in _error(client.open(url, method=method), 401)
        assert "support" in _error(client.open(url, method=method, headers=support), 403)


# -- incident templates ---------------------------------------------------------------------


def test_template_create_answers_every_field_and_lists_it(api: Any) -> None:
    cid = _component(api, "Checkout")
    made = api.call(
        "POST",
        "/incident_templates",
        json={
            "template": {
                "name": "Checkout down",
                "title": "Checkout is failing",
                "body": "Orders cannot be placed.",
                "update_status": "identified",
                "should_send_notifications": False,
                "component_ids": [cid],
                "group_id": None,
                "should_tweet": True,
            }
        },
    )
    assert made.status_code == 201, made.get_json()
    template = made.get_json()
    assert template["name"] == "Checkout down"
    assert template["title"] == "Checkout is failing"
    assert template["body"] == "Orders cannot be placed."
    assert template["update_status"] == "identified"
    assert template["should_send_notifications"] is False
    assert [c["id"] for c in template["components"]] == [cid]
    assert template["components"][0]["name"] == "Checkout"
    assert template["group_id"] is None
    assert template["should_tweet"] is False
    assert template["component_status"] == "major_outage"
    listed = api.call("GET", "/incident_templates.json")
    assert listed.status_code == 200
    assert template in listed.get_json()
    assert api.call("GET", f"/incident_templates/{template['id']}").get_json() == template


def test_template_defaults_and_maintenance_kind(api: Any) -> None:
    made = api.call(
        "POST", "/incident_templates", json={"template": {"name": "Plain", "title": "Hello"}}
    )
    assert made.status_code == 201
    plain = made.get_json()
    assert plain["update_status"] == "investigating"
    assert plain["should_send_notifications"] is True
    assert plain["body"] == ""
    assert plain["components"] == []
    assert plain["component_status"] is None
    cid = _component(api, "Billing")
    resolving = api.call(
        "POST",
        "/incident_templates",
        json={
            "template": {
                "name": "All clear",
                "title": "Fixed",
                "update_status": "resolved",
                "component_ids": [cid],
            }
        },
    ).get_json()
    assert resolving["component_status"] == "operational"
    window = api.call(
        "POST",
        "/incident_templates",
        json={"template": {"name": "DB upgrade", "title": "Upgrade", "update_status": "scheduled"}},
    )
    assert window.status_code == 201
    assert window.get_json()["update_status"] == "scheduled"
    put = api.call(
        "PUT",
        f"/incident_templates/{window.get_json()['id']}",
        json={"template": {"name": "DB upgrade", "title": "Upgrade soon"}},
    )
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["update_status"] == "scheduled"
    chosen = api.call(
        "POST",
        "/incident_templates",
        json={
            "template": {
                "name": "Slow billing",
                "title": "Slow",
                "component_ids": [cid],
                "component_status": "degraded_performance",
            }
        },
    )
    assert chosen.get_json()["component_status"] == "degraded_performance"


def test_template_form_encoded_and_shown_in_console(api: Any, client: Any) -> None:
    made = api.call(
        "POST",
        "/incident_templates",
        data={
            "template[name]": "Form made",
            "template[title]": "Trouble with the page",
            "template[body]": "We are on it.",
            "template[should_send_notifications]": "false",
        },
    )
    assert made.status_code == 201, made.get_json()
    template = made.get_json()
    assert template["should_send_notifications"] is False
    # The console offers the template and prefills a new incident with it.
    sign_in(client, "comms@example.com", DEMO_PASSWORD)
    home = client.get("/admin/")
    assert f'href="/admin/incidents/new?template={template["id"]}"' in home.text
    form = client.get(f"/admin/incidents/new?template={template['id']}")
    assert form.status_code == 200
    assert "Trouble with the page" in form.text


def test_template_patch_put_delete(api: Any) -> None:
    cid = _component(api, "Login")
    tid = api.call(
        "POST",
        "/incident_templates",
        json={
            "template": {
                "name": "Login slow",
                "title": "Slow sign-in",
                "body": "Looking.",
                "component_ids": [cid],
                "should_send_notifications": False,
            }
        },
    ).get_json()["id"]
    patched = api.call(
        "PATCH", f"/incident_templates/{tid}", json={"template": {"title": "Sign-in is slow"}}
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["title"] == "Sign-in is slow"
    assert body["body"] == "Looking."
    assert body["should_send_notifications"] is False
    assert [c["id"] for c in body["components"]] == [cid]
    replaced = api.call(
        "PUT", f"/incident_templates/{tid}", json={"template": {"name": "Login", "title": "T"}}
    ).get_json()
    assert replaced["body"] == ""
    assert replaced["components"] == []
    assert replaced["should_send_notifications"] is True
    switch = api.call(
        "PATCH", f"/incident_templates/{tid}", json={"template": {"update_status": "scheduled"}}
    )
    _error(switch, 422, "update_status")
    deleted = api.call("DELETE", f"/incident_templates/{tid}")
    assert deleted.status_code == 200
    assert deleted.get_json()["name"] == "Login"
    _error(api.call("GET", f"/incident_templates/{tid}"), 404)
    assert tid not in [t["id"] for t in api.call("GET", "/incident_templates").get_json()]


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"title": "No name"}, "name", "name"),
        ({"name": "No title"}, "title", "title"),
        ({"name": "A", "title": "B", "update_status": "bogus"}, "update_status", "investigating"),
        ({"name": "A", "title": "B", "component_ids": ["nope"]}, "component_ids", "unknown"),
        ({"name": "A", "title": "B", "component_ids": "x,y", "extra": 1}, "component_ids", ""),
        ({"name": "A", "title": "B", "group_id": "g1"}, "group_id", "group"),
        ({"name": "A", "title": "B", "should_send_notifications": "maybe"}, None, "true or false"),
        ({"name": "A", "title": "B", "component_status": "down"}, "component_status", "major"),
        ({"name": "x" * 201, "title": "B"}, "name", "200"),
    ],
)
def test_template_field_errors(
    api: Any, fields: dict[str, Any], field: str | None, needle: str
) -> None:
    response = api.call("POST", "/incident_templates", json={"template": fields})
    message = _error(response, 422, field)
    assert needle in message


def test_template_duplicate_name_and_request_errors(api: Any, client: Any) -> None:
    first = api.call(
        "POST", "/incident_templates", json={"template": {"name": "Dup", "title": "1"}}
    )
    assert first.status_code == 201
    again = api.call(
        "POST", "/incident_templates", json={"template": {"name": "dup", "title": "2"}}
    )
    assert "already" in _error(again, 422, "name")
    _error(api.call("POST", "/incident_templates", data="{", content_type="application/json"), 400)
    _error(api.call("GET", "/incident_templates/nope"), 404)
    wrong_page = client.get("/api/v1/pages/nope/incident_templates", headers=api.headers)
    assert "nope" in _error(wrong_page, 404)


def test_template_idempotency_key(api: Any) -> None:
    payload = {"template": {"name": "Once", "title": "Once"}}
    headers = {"Idempotency-Key": "tpl-1"}
    first = api.call("POST", "/incident_templates", json=payload, headers=headers)
    second = api.call("POST", "/incident_templates", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
    names = [t["name"] for t in api.call("GET", "/incident_templates").get_json()]
    assert names.count("Once") == 1


# -- postmortem -----------------------------------------------------------------------------


def _resolved_incident(api: Any, name: str = "Queue stuck") -> str:
    cid = _component(api, f"{name} component")
    made = api.call(
        "POST",
        "/incidents",
        json={
            "incident": {"name": name, "body": "Jobs wait.", "components": {cid: "major_outage"}}
        },
    )
    iid = str(made.get_json()["id"])
    api.clock.advance(timedelta(minutes=30))
    resolved = api.call(
        "PATCH", f"/incidents/{iid}", json={"incident": {"status": "resolved", "body": "Done."}}
    )
    assert resolved.status_code == 200
    return iid


def test_postmortem_round_trip_public_page_and_v2(api: Any, client: Any) -> None:
    iid = _resolved_incident(api)
    empty = api.call("GET", f"/incidents/{iid}/postmortem")
    assert empty.status_code == 200
    assert empty.get_json() == {
        "preview_key": None,
        "body": None,
        "body_draft": None,
        "body_updated_at": None,
        "published_at": None,
        "notify_subscribers": False,
        "notify_twitter": False,
        "custom_tweet": None,
    }

    api.clock.advance(timedelta(minutes=5))
    draft = api.call(
        "PUT",
        f"/incidents/{iid}/postmortem",
        json={"postmortem": {"body_draft": "A **full disk** stopped the queue."}},
    )
    assert draft.status_code == 200, draft.get_json()
    pm = draft.get_json()
    assert pm["body"] is None
    assert pm["body_draft"] == "A **full disk** stopped the queue."
    assert pm["body_updated_at"] == "2026-11-25T12:35:00.000Z"
    assert pm["published_at"] is None
    # A draft stays off the public page.
    assert "full disk" not in client.get(f"/incidents/{iid}").get_data(as_text=True)

    api.clock.advance(timedelta(minutes=5))
    published = api.call(
        "PUT",
        f"/incidents/{iid}/postmortem/publish.json",
        json={
            "postmortem": {
                "notify_subscribers": True,
                "notify_twitter": True,
                "custom_tweet": "ignored",
            }
        },
    )
    assert published.status_code == 200, published.get_json()
    pm = published.get_json()
    assert pm["body"] == "A **full disk** stopped the queue."
    assert pm["body_draft"] == pm["body"]
    assert pm["published_at"] == "2026-11-25T12:40:00.000Z"
    assert pm["body_updated_at"] == "2026-11-25T12:40:00.000Z"
    assert pm["notify_subscribers"] is True
    assert pm["notify_twitter"] is False
    assert pm["custom_tweet"] is None
    assert api.call("GET", f"/incidents/{iid}/postmortem").get_json() == pm

    page = client.get(f"/incidents/{iid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="postmortem"' in html
    assert "<strong>full disk</strong>" in html
    # The public API's incident object carries the postmortem as its status.
    v2 = client.get(f"/api/v2/incidents/{iid}.json")
    assert v2.status_code == 200
    assert v2.get_json()["incident"]["status"] == "postmortem"
    assert api.call("GET", f"/incidents/{iid}").get_json()["status"] == "postmortem"

    reverted = api.call("PUT", f"/incidents/{iid}/postmortem/revert")
    assert reverted.status_code == 200
    pm = reverted.get_json()
    assert pm["body"] is None
    assert pm["published_at"] is None
    assert pm["body_draft"] == "A **full disk** stopped the queue."
    assert "full disk" not in client.get(f"/incidents/{iid}").get_data(as_text=True)
    assert client.get(f"/api/v2/incidents/{iid}.json").get_json()["incident"]["status"] == (
        "resolved"
    )

    deleted = api.call("DELETE", f"/incidents/{iid}/postmortem")
    assert deleted.status_code == 200
    assert deleted.get_json()["body_draft"] == "A **full disk** stopped the queue."
    assert api.call("GET", f"/incidents/{iid}/postmortem").get_json()["body_draft"] is None


def test_postmortem_publish_with_body_and_form_encoding(api: Any, client: Any) -> None:
    iid = _resolved_incident(api)
    published = api.call(
        "PUT",
        f"/incidents/{iid}/postmortem/publish",
        data={
            "postmortem[body_draft]": "Straight to the page.",
            "postmortem[notify_subscribers]": "0",
        },
    )
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["body"] == "Straight to the page."
    assert published.get_json()["notify_subscribers"] is False
    assert "Straight to the page." in client.get(f"/incidents/{iid}").get_data(as_text=True)
    # Publishing changes to a published postmortem replaces it.
    again = api.call(
        "PUT",
        f"/incidents/{iid}/postmortem/publish",
        json={"postmortem": {"body_draft": "Second version."}},
    )
    assert again.get_json()["body"] == "Second version."
    assert "Second version." in client.get(f"/incidents/{iid}").get_data(as_text=True)


def test_postmortem_errors(api: Any, client: Any) -> None:
    open_id = api.call(
        "POST", "/incidents", json={"incident": {"name": "Still open", "body": "Hm."}}
    ).get_json()["id"]
    early = api.call(
        "PUT", f"/incidents/{open_id}/postmortem/publish", json={"postmortem": {"body_draft": "x"}}
    )
    assert "Resolve" in _error(early, 422, "status")

    iid = _resolved_incident(api)
    _error(api.call("PUT", f"/incidents/{iid}/postmortem/publish"), 422, "body_draft")
    blank = api.call(
        "PUT", f"/incidents/{iid}/postmortem", json={"postmortem": {"body_draft": " "}}
    )
    _error(blank, 422, "body_draft")
    too_long = {"postmortem": {"body_draft": "x" * 100_001}}
    _error(api.call("PUT", f"/incidents/{iid}/postmortem", json=too_long), 422, "body_draft")
    _error(api.call("PUT", f"/incidents/{iid}/postmortem/revert"), 422, "status")
    assert "no postmortem" in _error(api.call("DELETE", f"/incidents/{iid}/postmortem"), 404)
    bad_flag = {"postmortem": {"body_draft": "x", "notify_subscribers": "maybe"}}
    _error(api.call("PUT", f"/incidents/{iid}/postmortem/publish", json=bad_flag), 422)

    api.call(
        "PUT", f"/incidents/{iid}/postmortem/publish", json={"postmortem": {"body_draft": "P"}}
    )
    edit = api.call("PUT", f"/incidents/{iid}/postmortem", json={"postmortem": {"body_draft": "Q"}})
    assert "revert" in _error(edit, 422, "body_draft")
    assert "revert" in _error(api.call("DELETE", f"/incidents/{iid}/postmortem"), 422, "status")

    assert "nope" in _error(api.call("GET", "/incidents/nope/postmortem"), 404)
    window = api.call(
        "POST",
        "/incidents",
        json={
            "incident": {
                "name": "Window",
                "scheduled_for": "2026-12-01T10:00:00Z",
                "scheduled_until": "2026-12-01T11:00:00Z",
            }
        },
    ).get_json()["id"]
    assert "maintenance" in _error(api.call("GET", f"/incidents/{window}/postmortem"), 404)
    wrong_page = client.get(f"/api/v1/pages/nope/incidents/{iid}/postmortem", headers=api.headers)
    _error(wrong_page, 404)
    _error(api.call("POST", f"/incidents/{iid}/postmortem"), 405)


# -- uptime ---------------------------------------------------------------------------------


def _outage_story(api: Any) -> tuple[str, str]:
    """Two new components; the first has 60 min of major and 30 min of partial outage today."""
    down = _component(api, "Uploads", start_date="2026-11-20")
    fine = _component(api, "Downloads", start_date="2026-11-22")
    api.call("PATCH", f"/components/{down}", json={"component": {"status": "major_outage"}})
    api.clock.advance(timedelta(minutes=60))
    api.call("PATCH", f"/components/{down}", json={"component": {"status": "partial_outage"}})
    api.clock.advance(timedelta(minutes=30))
    api.call("PATCH", f"/components/{down}", json={"component": {"status": "operational"}})
    api.clock.advance(timedelta(minutes=30))
    return down, fine


def test_component_uptime_counts_outage_seconds(api: Any) -> None:
    down, _fine = _outage_story(api)
    response = api.call("GET", f"/components/{down}/uptime?start=2026-11-25&end=2026-11-25")
    assert response.status_code == 200, response.get_json()
    uptime = response.get_json()
    assert uptime["id"] == down
    assert uptime["name"] == "Uploads"
    assert uptime["range_start"] == "2026-11-25"
    assert uptime["range_end"] == "2026-11-25"
    assert uptime["major_outage"] == 3600
    assert uptime["partial_outage"] == 1800
    # The page is in Europe/Berlin: today so far runs from 23:00 UTC to 14:00 UTC, 900
    # minutes, of which 60 down and 30 at the partial weight 0.3.
    assert uptime["uptime_percentage"] == round((1 - (60 + 0.3 * 30) / 900) * 100, 2)
    assert uptime["warnings"] == []
    assert uptime["related_events"] == []


def test_uptime_without_dates_matches_the_public_page(api: Any, client: Any) -> None:
    components = api.call("GET", "/components").get_json()
    api_id = next(c["id"] for c in components if c["name"] == "API")
    uptime = api.call("GET", f"/components/{api_id}/uptime").get_json()
    assert uptime["range_end"] == "2026-11-25"
    assert uptime["range_start"] == "2026-08-28"  # 90 days, as the public page
    assert 0 < uptime["uptime_percentage"] < 100
    assert uptime["major_outage"] > 0
    names = [e["name"] for e in uptime["related_events"]]
    assert "API and Dashboard outage" in names
    assert "Delayed email delivery" not in names
    html = client.get("/").get_data(as_text=True)
    assert f"{uptime['uptime_percentage']:.2f}%" in html


def test_uptime_related_events_and_group_average(api: Any) -> None:
    down, fine = _outage_story(api)
    incident = api.call(
        "POST",
        "/incidents",
        json={"incident": {"name": "Uploads failing", "components": {down: "partial_outage"}}},
    ).get_json()
    group = api.call(
        "POST",
        "/component-groups",
        json={"component_group": {"name": "Files", "components": [down, fine]}},
    ).get_json()
    query = "?start=2026-11-25&end=2026-11-25"
    one = api.call("GET", f"/components/{down}/uptime{query}").get_json()
    assert one["related_events"] == [{"id": incident["id"], "name": "Uploads failing"}]
    other = api.call("GET", f"/components/{fine}/uptime{query}").get_json()
    assert other["uptime_percentage"] == 100.0
    assert other["related_events"] == []
    both = api.call("GET", f"/component-groups/{group['id']}/uptime{query}")
    assert both.status_code == 200
    averaged = both.get_json()
    assert averaged["id"] == group["id"]
    assert averaged["name"] == "Files"
    ratio = 1 - (60 + 0.3 * 30) / 900
    assert averaged["uptime_percentage"] == round((ratio + 1.0) / 2 * 100, 2)
    assert averaged["major_outage"] == 1800
    assert averaged["partial_outage"] == 900
    assert averaged["related_events"] == [{"id": incident["id"], "name": "Uploads failing"}]
    empty = api.call("POST", "/component-groups", json={"component_group": {"name": "Empty"}})
    nothing = api.call("GET", f"/component-groups/{empty.get_json()['id']}/uptime").get_json()
    assert nothing["uptime_percentage"] is None
    assert nothing["warnings"]


def test_uptime_range_adjustments_warn(api: Any) -> None:
    down, fine = _outage_story(api)
    early = api.call("GET", f"/components/{down}/uptime?start=2026-11-01&end=2026-11-25")
    body = early.get_json()
    assert body["range_start"] == "2026-11-20"
    assert len(body["warnings"]) == 1
    assert "2026-11-20" in body["warnings"][0]
    future = api.call("GET", f"/components/{down}/uptime?start=2026-11-21&end=2026-12-31")
    assert future.get_json()["range_end"] == "2026-11-25"
    assert "future" in future.get_json()["warnings"][0]
    month = api.call("GET", f"/components/{down}/uptime?start=2026-11&end=2026-11").get_json()
    assert month["range_end"] == "2026-11-25"
    assert month["range_start"] == "2026-11-20"
    # Without start, the range starts at the component's start date, without a warning.
    default = api.call("GET", f"/components/{fine}/uptime").get_json()
    assert default["range_start"] == "2026-11-22"
    assert default["warnings"] == []
    group = api.call(
        "POST",
        "/component-groups",
        json={"component_group": {"name": "Files", "components": [down, fine]}},
    ).get_json()
    grouped = api.call(
        "GET", f"/component-groups/{group['id']}/uptime?start=2026-11-01&end=2026-11-25"
    ).get_json()
    assert grouped["range_start"] == "2026-11-20"
    assert grouped["warnings"]


@pytest.mark.parametrize(
    ("query", "field", "needle"),
    [
        ("?start=yesterday", "start", "YYYY-MM-DD"),
        ("?end=2026-13-01", "end", "YYYY-MM-DD"),
        ("?start=2026-11-20&end=2026-11-10", "end", "after the start"),
        ("?start=2025-01-01&end=2026-11-01", "end", "one year"),
        ("?start=2025-01-01", "end", "one year"),
        ("?start=2026-12-01", "start", "future"),
    ],
)
def test_uptime_date_errors(api: Any, query: str, field: str, needle: str) -> None:
    cid = _component(api, "Dated")
    for path in (f"/components/{cid}/uptime{query}",):
        assert needle in _error(api.call("GET", path), 422, field)
    group = api.call("POST", "/component-groups", json={"component_group": {"name": "G"}})
    grouped = api.call("GET", f"/component-groups/{group.get_json()['id']}/uptime{query}")
    assert needle in _error(grouped, 422, field)


def test_uptime_unknown_ids_and_keys(api: Any, client: Any) -> None:
    assert "nope" in _error(api.call("GET", "/components/nope/uptime"), 404)
    assert "nope" in _error(api.call("GET", "/component-groups/nope/uptime"), 404)
    cid = _component(api, "Keyed")
    wrong_page = client.get(f"/api/v1/pages/nope/components/{cid}/uptime", headers=api.headers)
    assert "nope" in _error(wrong_page, 404)
    ok = client.get(f"/api/v1/pages/{api.page}/components/{cid}/uptime.json", headers=api.headers)
    assert ok.status_code == 200
    assert json.loads(ok.get_data())["id"] == cid
