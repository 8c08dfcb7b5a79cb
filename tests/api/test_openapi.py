"""/api/openapi.json: valid OpenAPI 3.1 matching the routes, real answers and a schemathesis run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from statuspage import create_app
from statuspage.accounts.models import User
from statuspage.accounts.services import create_api_key, revoke_api_key
from statuspage.api.openapi import build_document
from statuspage.extensions import db
from statuspage.site.queries import get_page_settings

DOC_URI = "urn:statuspage:openapi"
# Routes that only catch wrong URLs under /api/ (answering a JSON 404/405), not endpoints.
FALLBACK_RULES = {"/api/v2/<path:path>"}


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class Contract:
    """Check real responses against the document: status documented, body valid."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
        self.driven: set[str] = set()

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """Return the documented operation, failing clearly when there is none."""
        item = self.document["paths"].get(path)
        assert item is not None, f"{path} is not in the document"
        assert method.lower() in item, f"{method} {path} is not in the document"
        return dict(item[method.lower()])

    def check(self, response: Any, method: str, path: str) -> Any:
        """Assert the response's status is documented and its body matches; return the body."""
        op = self.operation(method, path)
        status = str(response.status_code)
        documented = op["responses"]
        assert status in documented, (
            f"{method} {path} answered {status} ({response.data[:300]!r}); "
            f"documented: {sorted(documented)}"
        )
        content = documented[status].get("content")
        if content is None:
            assert not response.data, f"{method} {path} {status} documents no body"
            body = None
        else:
            assert response.mimetype == "application/json", response.mimetype
            body = response.get_json()
            pointer = "/".join(
                _escape(part)
                for part in (
                    "paths",
                    path,
                    method.lower(),
                    "responses",
                    status,
                    "content",
                    "application/json",
                    "schema",
                )
            )
            validator = Draft202012Validator(
                {"$ref": f"{DOC_URI}#/{pointer}"},
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(body)
            ]
            assert not errors, f"{method} {path} {status}: " + "; ".join(errors[:10])
        if response.status_code < 400:
            self.driven.add(op["operationId"])
        return body


def _document(client: Any) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return dict(response.get_json())


def _oauth(email: str = "comms@example.com") -> dict[str, str]:
    _key, secret = create_api_key(email)
    return {"Authorization": f"OAuth {secret}"}


def _cachet(email: str = "comms@example.com") -> dict[str, str]:
    _key, secret = create_api_key(email)
    return {"X-Cachet-Token": secret}


# -- the document ------------------------------------------------------------------------


def test_document_is_valid_openapi_31_with_cors_and_etag(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    etag = response.headers["ETag"]
    again = client.get("/api/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["OAuth"]["description"],
    }
    assert schemes["Bearer"]["scheme"] == "bearer"
    assert (schemes["ApiKeyQuery"]["in"], schemes["ApiKeyQuery"]["name"]) == ("query", "api_key")
    assert schemes["CachetToken"]["name"] == "X-Cachet-Token"


def test_enums_are_exact_and_nullables_typed(client: Any) -> None:
    schemas = _document(client)["components"]["schemas"]
    assert schemas["ComponentStatus"]["enum"] == [
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    ]
    assert schemas["IncidentStatus"]["enum"] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
    ]
    assert schemas["MaintenanceStatus"]["enum"] == [
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
    ]
    assert schemas["Impact"]["enum"] == ["none", "minor", "major", "critical", "maintenance"]
    component = schemas["Component"]["properties"]
    assert component["description"]["type"] == ["string", "null"]
    assert component["group_id"]["type"] == ["string", "null"]
    assert schemas["Incident"]["properties"]["resolved_at"]["type"] == ["string", "null"]


def _routes(app: Flask) -> set[tuple[str, str]]:
    """Return (method, path template) of every /api/ rule, `.json` twins folded together."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    by_endpoint = {(r.endpoint, r.rule) for r in rules}
    found = set()
    for rule in rules:
        if rule.rule in FALLBACK_RULES:
            continue
        text = rule.rule
        # The Manage API serves X and X.json from one view: one operation documents both.
        if text.endswith(".json") and (rule.endpoint, text[: -len(".json")]) in by_endpoint:
            text = text[: -len(".json")]
        template = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", text)
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                found.add((method.lower(), template))
    return found


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, item in document["paths"].items()
        for method in item
    }


def test_every_api_route_and_method_is_documented_and_back(app: Flask, client: Any) -> None:
    routes = _routes(app)
    operations = _operations(_document(client))
    assert routes - operations == set(), "routes without an operation"
    assert operations - routes == set(), "operations without a route"
    # Every plain Manage path also answers with .json (and the document says so once).
    manage = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/pages")}
    assert all(rule + ".json" in manage for rule in manage if not rule.endswith(".json"))


def test_operations_of_unregistered_routes_are_left_out() -> None:
    bare = Flask("bare")
    bare.add_url_rule("/api/v2/summary.json", "summary", lambda: "")
    bare.add_url_rule(
        "/api/v1/pages/<pid>/subscribers/<sid>", "sub", lambda **_: "", methods=["GET"]
    )
    document = build_document(bare)
    assert _operations(document) == {
        ("get", "/api/v2/summary.json"),
        ("get", "/api/v1/pages/{}/subscribers/{}"),
    }
    assert "/api/v1/pages/{page_id}/subscribers/{subscriber_id}" in document["paths"]
    validate(document)


# -- real answers ------------------------------------------------------------------------


def test_real_responses_match_the_document(frozen_clock: Any, demo: Any, client: Any) -> None:
    contract = Contract(_document(client))
    check = contract.check
    key = _oauth()
    token = _cachet()
    page = get_page_settings().public_id
    v1 = "/api/v1/pages/{page_id}"

    def manage(method: str, path: str, template: str, **kwargs: Any) -> Any:
        response = client.open(f"/api/v1/pages/{page}{path}", method=method, headers=key, **kwargs)
        return check(response, method, v1 + template)

    check(client.get("/api/openapi.json"), "get", "/api/openapi.json")

    # Public API v2.
    for name in (
        "summary",
        "status",
        "components",
        "incidents",
        "incidents/unresolved",
        "scheduled-maintenances",
        "scheduled-maintenances/upcoming",
        "scheduled-maintenances/active",
    ):
        check(client.get(f"/api/v2/{name}.json"), "get", f"/api/v2/{name}.json")
    summary = client.get("/api/v2/summary.json")
    not_modified = client.get(
        "/api/v2/summary.json", headers={"If-None-Match": summary.headers["ETag"]}
    )
    check(not_modified, "get", "/api/v2/summary.json")
    incidents = client.get("/api/v2/incidents.json").get_json()["incidents"]
    assert incidents, "the demo data has incidents"
    one = check(
        client.get(f"/api/v2/incidents/{incidents[0]['id']}.json"),
        "get",
        "/api/v2/incidents/{incident_id}.json",
    )
    assert one["incident"]["id"] == incidents[0]["id"]
    subscribed = check(
        client.post(
            "/api/v2/subscribers.json",
            json={"subscriber": {"email": "reader@example.org"}},
        ),
        "post",
        "/api/v2/subscribers.json",
    )
    assert subscribed["status"]
    check(
        client.post("/api/v2/subscribers.json", json={"subscriber": {"email": "not-an-address"}}),
        "post",
        "/api/v2/subscribers.json",
    )
    check(
        client.post("/api/v2/subscribers.json", data="{", content_type="application/json"),
        "post",
        "/api/v2/subscribers.json",
    )

    # Manage API: pages and components.
    check(client.get("/api/v1/pages", headers=key), "get", "/api/v1/pages")
    manage("GET", ".json", "")
    manage("GET", "/components", "/components")
    made = manage(
        "POST",
        "/components",
        "/components",
        json={"component": {"name": "Search", "status": "degraded_performance"}},
    )
    cid = made["id"]
    manage("GET", f"/components/{cid}.json", "/components/{component_id}")
    manage(
        "PATCH",
        f"/components/{cid}",
        "/components/{component_id}",
        json={"component": {"description": "Find things", "start_date": "2026-01-01"}},
    )
    manage(
        "PUT",
        f"/components/{cid}",
        "/components/{component_id}",
        data={"component[name]": "Search v2", "component[showcase]": "false"},
    )

    # Component groups.
    manage("GET", "/component-groups", "/component-groups")
    group = manage(
        "POST",
        "/component-groups",
        "/component-groups",
        json={"component_group": {"name": "Discovery", "components": [cid]}},
    )
    gid = group["id"]
    assert group["components"] == [cid]
    manage("GET", f"/component-groups/{gid}", "/component-groups/{group_id}")
    manage(
        "PATCH",
        f"/component-groups/{gid}",
        "/component-groups/{group_id}",
        json={"component_group": {"description": "Finding things"}},
    )
    manage(
        "PUT",
        f"/component-groups/{gid}",
        "/component-groups/{group_id}",
        json={"component_group": {"name": "Discovery", "components": [cid]}},
    )

    # Incidents and their updates.
    manage("GET", "/incidents", "/incidents")
    manage("GET", "/incidents/unresolved?per_page=5", "/incidents/unresolved")
    incident = manage(
        "POST",
        "/incidents",
        "/incidents",
        json={
            "incident": {
                "name": "Search is slow",
                "status": "investigating",
                "body": "Results take seconds.",
                "components": {cid: "degraded_performance"},
                "metadata": {"ticket": "OPS-7"},
            }
        },
    )
    iid = incident["id"]
    manage("GET", f"/incidents/{iid}", "/incidents/{incident_id}")
    frozen_clock.advance(timedelta(minutes=5))
    patched = manage(
        "PATCH",
        f"/incidents/{iid}",
        "/incidents/{incident_id}",
        json={"incident": {"status": "identified", "body": "An index is missing."}},
    )
    uid = patched["incident_updates"][0]["id"]
    manage(
        "PUT",
        f"/incidents/{iid}",
        "/incidents/{incident_id}",
        json={"incident": {"impact_override": "major"}},
    )
    for method in ("PATCH", "PUT"):
        manage(
            method,
            f"/incidents/{iid}/incident_updates/{uid}",
            "/incidents/{incident_id}/incident_updates/{update_id}",
            json={"incident_update": {"body": "A database index is missing."}},
        )

    # Scheduled maintenance through the incidents endpoint.
    start = frozen_clock.now + timedelta(hours=2)
    window = manage(
        "POST",
        "/incidents",
        "/incidents",
        json={
            "incident": {
                "name": "Index rebuild",
                "status": "scheduled",
                "body": "We rebuild the search index.",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=1)).isoformat(),
                "component_ids": [cid],
            }
        },
    )
    mid = window["id"]
    assert window["scheduled_for"] is not None
    manage("GET", "/incidents/upcoming", "/incidents/upcoming")
    manage("GET", "/incidents/scheduled", "/incidents/scheduled")
    manage("GET", f"/incidents/{mid}", "/incidents/{incident_id}")
    moved = manage(
        "PATCH",
        f"/incidents/{mid}",
        "/incidents/{incident_id}",
        json={"incident": {"status": "in_progress"}},
    )
    assert moved["status"] == "in_progress"
    manage("GET", "/incidents/active_maintenance", "/incidents/active_maintenance")
    check(client.get("/api/v2/summary.json"), "get", "/api/v2/summary.json")

    # Cachet API.
    for path in ("/ping", "/version", "/status", "/components", "/components/groups"):
        check(client.get("/api/v1" + path), "get", "/api/v1" + path)
    check(client.get("/api/v1/incidents?per_page=2"), "get", "/api/v1/incidents")
    check(client.get("/api/v1/schedules"), "get", "/api/v1/schedules")
    check(client.get(f"/api/v1/components/{cid}"), "get", "/api/v1/components/{component_id}")
    check(
        client.get(f"/api/v1/components/groups/{gid}"),
        "get",
        "/api/v1/components/groups/{group_id}",
    )
    cachet_component = check(
        client.post("/api/v1/components", headers=token, json={"name": "Mail", "status": 2}),
        "post",
        "/api/v1/components",
    )["data"]
    check(
        client.put(
            f"/api/v1/components/{cachet_component['id']}",
            headers=token,
            data={"status": "3", "enabled": "0"},
        ),
        "put",
        "/api/v1/components/{component_id}",
    )
    opened = check(
        client.post(
            "/api/v1/incidents",
            headers=token,
            json={
                "name": "Mail delayed",
                "status": 1,
                "message": "Mail is late.",
                "component_id": cachet_component["id"],
                "component_status": 3,
            },
        ),
        "post",
        "/api/v1/incidents",
    )["data"]
    cachet_incident = "/api/v1/incidents/{incident_id}"
    check(client.get(f"/api/v1/incidents/{opened['id']}"), "get", cachet_incident)
    check(
        client.put(f"/api/v1/incidents/{opened['id']}", headers=token, json={"name": "Mail late"}),
        "put",
        cachet_incident,
    )
    check(
        client.post(
            f"/api/v1/incidents/{opened['id']}/updates",
            headers=token,
            json={"status": 4, "message": "Delivered."},
        ),
        "post",
        cachet_incident + "/updates",
    )
    check(
        client.get(f"/api/v1/incidents/{opened['id']}/updates"), "get", cachet_incident + "/updates"
    )
    schedule = check(
        client.post(
            "/api/v1/schedules",
            headers=token,
            json={
                "name": "Mail server swap",
                "message": "New hardware.",
                "scheduled_at": "2030-01-01 10:00:00",
                "completed_at": "2030-01-01 11:00:00",
                "components": {cachet_component["id"]: 1},
            },
        ),
        "post",
        "/api/v1/schedules",
    )["data"]
    cachet_subscriber = check(
        client.post(
            "/api/v1/subscribers",
            headers=token,
            json={
                "email": "cat@example.com",
                "verify": True,
                "components": [cachet_component["id"]],
            },
        ),
        "post",
        "/api/v1/subscribers",
    )["data"]
    assert cachet_subscriber["subscriptions"] == [cachet_component["id"]]
    check(
        client.delete(f"/api/v1/subscribers/{cachet_subscriber['id']}", headers=token),
        "delete",
        "/api/v1/subscribers/{subscriber_id}",
    )
    check(
        client.delete(f"/api/v1/schedules/{schedule['id']}", headers=token),
        "delete",
        "/api/v1/schedules/{schedule_id}",
    )
    check(
        client.delete(f"/api/v1/components/{cachet_component['id']}", headers=token),
        "delete",
        "/api/v1/components/{component_id}",
    )

    # Incident templates.
    templates, template = "/incident_templates", "/incident_templates/{template_id}"
    manage("GET", templates, templates)
    made_template = manage(
        "POST",
        templates,
        templates,
        json={
            "template": {
                "name": "Slow search",
                "title": "Search is slow",
                "body": "We are looking into it.",
                "component_ids": [cid],
            }
        },
    )
    tid = made_template["id"]
    assert made_template["component_status"] == "major_outage"
    manage("GET", f"{templates}/{tid}.json", template)
    manage("PATCH", f"{templates}/{tid}", template, json={"template": {"title": "Slower"}})
    manage(
        "PUT",
        f"{templates}/{tid}",
        template,
        data={"template[name]": "Slow search", "template[title]": "Slow"},
    )
    window_template = manage(
        "POST",
        templates,
        templates,
        json={"template": {"name": "Upgrade", "title": "Upgrade", "update_status": "scheduled"}},
    )
    assert window_template["update_status"] == "scheduled"

    # Uptime.
    today = frozen_clock.now.date()
    first, last = today - timedelta(days=9), today + timedelta(days=3)
    uptime = manage(
        "GET",
        f"/components/{cid}/uptime?start={first}&end={last}",
        "/components/{component_id}/uptime",
    )
    assert uptime["warnings"], "the future end is cut to today and says so"
    manage("GET", f"/component-groups/{gid}/uptime", "/component-groups/{group_id}/uptime")

    # Subscribers.
    subscribers = "/subscribers"
    subscriber = "/subscribers/{subscriber_id}"
    person = manage(
        "POST",
        subscribers,
        subscribers,
        json={"subscriber": {"email": "ana@example.com", "component_ids": [cid]}},
    )
    sid = person["id"]
    assert person["components"] == [cid]
    again = client.post(
        f"/api/v1/pages/{page}/subscribers",
        headers=key,
        json={"subscriber": {"email": "ana@example.com"}},
    )
    assert again.status_code == 200
    check(again, "POST", v1 + subscribers)
    hook = manage(
        "POST",
        subscribers,
        subscribers,
        data={
            "subscriber[endpoint]": "https://hooks.example.com/status",
            "subscriber[skip_confirmation_notification]": "true",
        },
    )
    assert hook["type"] == "webhook"
    assert hook["webhook_secret"]
    manage("GET", f"{subscribers}?state=all&per_page=5", subscribers)
    manage("GET", f"{subscribers}/count?type=email", "/subscribers/count")
    manage("GET", f"{subscribers}/{sid}", subscriber)
    manage(
        "PATCH",
        f"{subscribers}/{sid}",
        subscriber,
        json={"subscriber": {"events": ["incidents"], "language": "de"}},
    )
    resent = manage(
        "POST",
        f"{subscribers}/resend_confirmation",
        "/subscribers/resend_confirmation",
        json={"subscribers": [sid]},
    )
    assert resent["subscribers"] == [sid]
    gone = manage(
        "POST",
        f"{subscribers}/unsubscribe",
        "/subscribers/unsubscribe",
        data={"subscribers[]": hook["id"]},
    )
    assert gone["count"] == 1
    manage(
        "POST",
        f"{subscribers}/reactivate",
        "/subscribers/reactivate",
        json={"subscribers": [hook["id"]]},
    )
    following = "/incidents/{incident_id}/subscribers"
    manage(
        "POST",
        f"/incidents/{iid}/subscribers",
        following,
        json={"subscriber": {"email": "ben@example.com"}},
    )
    assert len(manage("GET", f"/incidents/{iid}/subscribers?state=all", following)) == 1
    unsubscribed = manage("DELETE", f"{subscribers}/{sid}", subscriber)
    assert unsubscribed["state"] == "unsubscribed"

    # Postmortem of the (now resolved) incident.
    manage(
        "PATCH",
        f"/incidents/{iid}",
        "/incidents/{incident_id}",
        json={"incident": {"status": "resolved", "body": "Fixed."}},
    )
    postmortem = "/incidents/{incident_id}/postmortem"
    empty = manage("GET", f"/incidents/{iid}/postmortem", postmortem)
    assert empty["body_draft"] is None
    draft = {"postmortem": {"body_draft": "An index was missing."}}
    manage("PUT", f"/incidents/{iid}/postmortem", postmortem, json=draft)
    manage("DELETE", f"/incidents/{iid}/postmortem", postmortem)
    published = manage(
        "PUT",
        f"/incidents/{iid}/postmortem/publish",
        postmortem + "/publish",
        json={"postmortem": {"body_draft": "An index was missing.", "notify_subscribers": False}},
    )
    assert published["body"] == "An index was missing."
    reverted = manage("PUT", f"/incidents/{iid}/postmortem/revert", postmortem + "/revert")
    assert reverted["body"] is None

    # Deletes last: each answers the object as it was (a maintenance: as it now is, cancelled).
    manage("DELETE", f"{templates}/{tid}", template)
    cancelled = manage(
        "DELETE",
        f"/incidents/{mid}",
        "/incidents/{incident_id}",
        json={"incident": {"body": "Not needed after all."}},
    )
    assert cancelled["status"] == "completed"
    assert cancelled["cancelled_at"]
    manage("DELETE", f"/incidents/{iid}", "/incidents/{incident_id}")
    manage("DELETE", f"/component-groups/{gid}", "/component-groups/{group_id}")
    manage("DELETE", f"/components/{cid}", "/components/{component_id}")

    documented = {
        op["operationId"] for item in contract.document["paths"].values() for op in item.values()
    }
    assert documented - contract.driven == set(), "operations no test drives"


# -- errors ------------------------------------------------------------------------------


def _readable(body: Any) -> str:
    """Return the person-readable message of an error body (either API's shape)."""
    if "errors" in body and isinstance(body["errors"], list):
        message = str(body["errors"][0]["detail"])
    else:
        message = str(body["error"])
    assert len(message) > 10, message
    assert "Traceback" not in message
    return message


BIG = "x" * (1024 * 1024 + 10)


@pytest.mark.parametrize(
    ("method", "path", "template", "kwargs", "status", "needle"),
    [
        ("GET", "/components", "/components", {"headers": None}, 401, "API key"),
        ("GET", "/components", "/components", {"headers": "support"}, 403, "support"),
        ("GET", "/components/nope", "/components/{component_id}", {}, 404, "nope"),
        ("GET", "/component-groups/nope", "/component-groups/{group_id}", {}, 404, "nope"),
        ("GET", "/incidents/nope.json", "/incidents/{incident_id}", {}, 404, "nope"),
        ("GET", "/incidents?page=-1", "/incidents", {}, 422, "from 1"),
        ("GET", "/incidents?per_page=1000", "/incidents", {}, 422, "100"),
        ("GET", "/incidents?page=99999999999999999999", "/incidents", {}, 422, "whole number"),
        (
            "POST",
            "/incidents",
            "/incidents",
            {"data": "{not json", "content_type": "application/json"},
            400,
            "not valid JSON",
        ),
        (
            "POST",
            "/incidents",
            "/incidents",
            {"data": "name=x", "content_type": "text/plain"},
            415,
            "text/plain",
        ),
        (
            "POST",
            "/incidents",
            "/incidents",
            {"data": BIG, "content_type": "application/json"},
            413,
            "1 MiB",
        ),
        (
            "POST",
            "/incidents",
            "/incidents",
            {"json": {"incident": {"name": "X", "status": "broken"}}},
            422,
            "investigating",
        ),
        (
            "POST",
            "/components",
            "/components",
            {"json": {"component": {"name": "X", "position": 2**40}}},
            422,
            "whole number",
        ),
        (
            "PATCH",
            "/components/nope",
            "/components/{component_id}",
            {"json": {"component": {"status": "fine"}}},
            404,
            "nope",
        ),
        (
            "PATCH",
            "/incidents/nope",
            "/incidents/{incident_id}",
            {"json": {"incident": {"name": "X"}}},
            404,
            "nope",
        ),
        ("GET", "/incident_templates/nope", "/incident_templates/{template_id}", {}, 404, "nope"),
        (
            "POST",
            "/incident_templates",
            "/incident_templates",
            {"json": {"template": {"name": "X", "title": "Y", "update_status": "broken"}}},
            422,
            "investigating",
        ),
        (
            "DELETE",
            "/incident_templates/nope",
            "/incident_templates/{template_id}",
            {},
            404,
            "nope",
        ),
        ("GET", "/components/nope/uptime", "/components/{component_id}/uptime", {}, 404, "nope"),
        (
            "GET",
            "/component-groups/nope/uptime",
            "/component-groups/{group_id}/uptime",
            {},
            404,
            "nope",
        ),
        ("GET", "/subscribers/nope", "/subscribers/{subscriber_id}", {}, 404, "nope"),
        ("GET", "/subscribers?state=gone", "/subscribers", {}, 422, "active"),
        ("GET", "/subscribers/count?type=pigeon", "/subscribers/count", {}, 422, "webhook"),
        (
            "POST",
            "/subscribers",
            "/subscribers",
            {"json": {"subscriber": {}}},
            422,
            "email",
        ),
        (
            "POST",
            "/subscribers",
            "/subscribers",
            {"json": {"subscriber": {"email": "a@example.com", "component_ids": ["nope"]}}},
            422,
            "component_ids",
        ),
        (
            "PATCH",
            "/subscribers/nope",
            "/subscribers/{subscriber_id}",
            {"json": {"subscriber": {"language": "de"}}},
            404,
            "nope",
        ),
        ("DELETE", "/subscribers/nope", "/subscribers/{subscriber_id}", {}, 404, "nope"),
        (
            "POST",
            "/subscribers/unsubscribe",
            "/subscribers/unsubscribe",
            {"json": {"subscribers": ["nope"]}},
            422,
            "nope",
        ),
        (
            "POST",
            "/subscribers/reactivate",
            "/subscribers/reactivate",
            {"data": "{x", "content_type": "application/json"},
            400,
            "not valid JSON",
        ),
        (
            "POST",
            "/subscribers/resend_confirmation",
            "/subscribers/resend_confirmation",
            {"json": {}},
            422,
            "all",
        ),
        (
            "GET",
            "/incidents/nope/subscribers",
            "/incidents/{incident_id}/subscribers",
            {},
            404,
            "nope",
        ),
        (
            "POST",
            "/incidents/nope/subscribers",
            "/incidents/{incident_id}/subscribers",
            {"json": {"subscriber": {"email": "a@example.com"}}},
            404,
            "nope",
        ),
        (
            "GET",
            "/incidents/nope/postmortem",
            "/incidents/{incident_id}/postmortem",
            {},
            404,
            "nope",
        ),
        (
            "PUT",
            "/incidents/nope/postmortem/revert",
            "/incidents/{incident_id}/postmortem/revert",
            {},
            404,
            "nope",
        ),
    ],
)
def test_manage_errors_are_documented_and_readable(
    demo: Any,
    client: Any,
    method: str,
    path: str,
    template: str,
    kwargs: dict[str, Any],
    status: int,
    needle: str,
) -> None:
    contract = Contract(_document(client))
    page = get_page_settings().public_id
    kwargs = dict(kwargs)  # parameters are shared by both engines: never mutate them
    headers = kwargs.pop("headers", "comms")
    sent = {} if headers is None else _oauth(f"{headers}@example.com")
    response = client.open(f"/api/v1/pages/{page}{path}", method=method, headers=sent, **kwargs)
    assert response.status_code == status, response.data[:300]
    body = contract.check(response, method, "/api/v1/pages/{page_id}" + template)
    assert needle in json.dumps(body)
    _readable(body)


def test_manage_wrong_page_revoked_key_and_idempotency_conflict(demo: Any, client: Any) -> None:
    contract = Contract(_document(client))
    page = get_page_settings().public_id
    template = "/api/v1/pages/{page_id}/components"
    key = _oauth()
    wrong = client.get("/api/v1/pages/nope/components", headers=key)
    assert wrong.status_code == 404
    assert "nope" in _readable(contract.check(wrong, "get", template))

    api_key, secret = create_api_key("comms@example.com")
    admin = db.session.query(User).filter(User.email == "admin@example.com").one()
    revoke_api_key(api_key, admin)
    revoked = client.get(f"/api/v1/pages/{page}/components", query_string={"api_key": secret})
    assert revoked.status_code == 401
    assert "revoked" in _readable(contract.check(revoked, "get", template))

    path = f"/api/v1/pages/{page}/components"
    first = client.post(
        path, headers={**key, "Idempotency-Key": "k1"}, json={"component": {"name": "A"}}
    )
    contract.check(first, "post", template)
    other = client.post(
        path, headers={**key, "Idempotency-Key": "k1"}, json={"component": {"name": "B"}}
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in _readable(contract.check(other, "post", template))


def test_manage_p1_errors_that_need_data_are_documented(
    frozen_clock: Any, demo: Any, client: Any
) -> None:
    contract = Contract(_document(client))
    page = get_page_settings().public_id
    key = _oauth()

    def expect(method: str, path: str, template: str, status: int, needle: str, **kw: Any) -> None:
        response = client.open(f"/api/v1/pages/{page}{path}", method=method, headers=key, **kw)
        assert response.status_code == status, response.data[:300]
        body = contract.check(response, method, "/api/v1/pages/{page_id}" + template)
        assert needle in json.dumps(body)
        _readable(body)

    made = client.post(
        f"/api/v1/pages/{page}/incidents",
        headers=key,
        json={"incident": {"name": "Open", "status": "investigating", "body": "Hm."}},
    )
    iid = made.get_json()["id"]
    postmortem = "/incidents/{incident_id}/postmortem"
    expect("DELETE", f"/incidents/{iid}/postmortem", postmortem, 404, iid)
    expect(
        "PUT",
        f"/incidents/{iid}/postmortem",
        postmortem,
        422,
        "body_draft",
        json={"postmortem": {"body_draft": " "}},
    )
    expect(
        "PUT",
        f"/incidents/{iid}/postmortem/publish",
        postmortem + "/publish",
        422,
        "Resolve",
        json={"postmortem": {"body_draft": "Too early."}},
    )
    component = client.get(f"/api/v1/pages/{page}/components", headers=key).get_json()[0]["id"]
    uptime = "/components/{component_id}/uptime"
    expect("GET", f"/components/{component}/uptime?start=soon", uptime, 422, "YYYY-MM-DD")
    expect(
        "GET", f"/components/{component}/uptime?start=2026-05-01&end=2026-04-01", uptime, 422, "end"
    )

    template = client.post(
        f"/api/v1/pages/{page}/incident_templates",
        headers=key,
        json={"template": {"name": "T", "title": "T"}},
    ).get_json()["id"]
    expect(
        "PATCH",
        f"/incident_templates/{template}",
        "/incident_templates/{template_id}",
        422,
        "update_status",
        json={"template": {"update_status": "scheduled"}},
    )

    start = frozen_clock.now + timedelta(hours=2)
    window = client.post(
        f"/api/v1/pages/{page}/incidents",
        headers=key,
        json={
            "incident": {
                "name": "Swap",
                "status": "scheduled",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=1)).isoformat(),
            }
        },
    ).get_json()["id"]
    expect(
        "POST",
        f"/incidents/{window}/subscribers",
        "/incidents/{incident_id}/subscribers",
        422,
        "maintenance",
        json={"subscriber": {"email": "a@example.com"}},
    )
    expect("GET", f"/incidents/{window}/postmortem", postmortem, 404, "maintenance")
    cancelled = client.delete(f"/api/v1/pages/{page}/incidents/{window}", headers=key)
    assert cancelled.status_code == 200
    expect("DELETE", f"/incidents/{window}", "/incidents/{incident_id}", 422, "cancel")


def test_cachet_subscriber_and_schedule_errors_are_documented(demo: Any, client: Any) -> None:
    contract = Contract(_document(client))
    token = _cachet()

    def expect(response: Any, method: str, template: str, status: int, needle: str) -> None:
        assert response.status_code == status, response.data[:300]
        body = contract.check(response, method, "/api/v1" + template)
        assert needle in json.dumps(body)
        _readable(body)

    expect(
        client.post("/api/v1/subscribers", json={"email": "a@example.com"}),
        "post",
        "/subscribers",
        401,
        "API key",
    )
    expect(
        client.post("/api/v1/subscribers", headers=token, json={"verify": 1}),
        "post",
        "/subscribers",
        400,
        "email",
    )
    expect(
        client.post(
            "/api/v1/subscribers",
            headers=token,
            json={"email": "a@example.com", "components": [{"id": 1}]},
        ),
        "post",
        "/subscribers",
        400,
        "components",
    )
    expect(
        client.delete("/api/v1/subscribers/nope", headers=token),
        "delete",
        "/subscribers/{subscriber_id}",
        404,
        "nope",
    )
    expect(
        client.delete("/api/v1/schedules/nope", headers=token),
        "delete",
        "/schedules/{schedule_id}",
        404,
        "nope",
    )
    made = client.post(
        "/api/v1/schedules",
        headers=token,
        json={
            "name": "Swap",
            "message": "New disks.",
            "scheduled_at": "2030-01-01 10:00:00",
            "completed_at": "2030-01-01 11:00:00",
        },
    )
    schedule = made.get_json()["data"]["id"]
    assert client.delete(f"/api/v1/schedules/{schedule}", headers=token).status_code == 204
    expect(
        client.delete(f"/api/v1/schedules/{schedule}", headers=token),
        "delete",
        "/schedules/{schedule_id}",
        400,
        "cancel",
    )


@pytest.mark.parametrize(
    ("method", "path", "template", "kwargs", "status", "needle"),
    [
        ("POST", "/components", "/components", {"headers": None}, 401, "API key"),
        ("POST", "/components", "/components", {"headers": "support"}, 403, "support"),
        ("GET", "/components/nope", "/components/{component_id}", {}, 404, "nope"),
        ("GET", "/incidents/nope", "/incidents/{incident_id}", {}, 404, "nope"),
        ("GET", "/components?sort=colour", "/components", {}, 400, "sort"),
        ("GET", "/components?page=99999999999999", "/components", {}, 400, "page"),
        (
            "POST",
            "/components",
            "/components",
            {"data": "{oops", "content_type": "application/json"},
            400,
            "not valid JSON",
        ),
        (
            "POST",
            "/components",
            "/components",
            {"json": {"name": "X", "status": 9}},
            400,
            "operational",
        ),
        (
            "POST",
            "/incidents",
            "/incidents",
            {"data": BIG, "content_type": "application/json"},
            413,
            "",
        ),
        (
            "PUT",
            "/incidents/nope",
            "/incidents/{incident_id}",
            {"json": {"status": 2}},
            404,
            "nope",
        ),
    ],
)
def test_cachet_errors_are_documented_and_readable(
    demo: Any,
    client: Any,
    method: str,
    path: str,
    template: str,
    kwargs: dict[str, Any],
    status: int,
    needle: str,
) -> None:
    contract = Contract(_document(client))
    kwargs = dict(kwargs)  # parameters are shared by both engines: never mutate them
    headers = kwargs.pop("headers", "comms")
    sent = {} if headers is None else _cachet(f"{headers}@example.com")
    response = client.open("/api/v1" + path, method=method, headers=sent, **kwargs)
    assert response.status_code == status, response.data[:300]
    body = contract.check(response, method, "/api/v1" + template)
    assert needle in json.dumps(body)
    _readable(body)


def test_v2_unknown_incident_is_documented_and_readable(demo: Any, client: Any) -> None:
    contract = Contract(_document(client))
    response = client.get("/api/v2/incidents/nope.json")
    assert response.status_code == 404
    _readable(contract.check(response, "get", "/api/v2/incidents/{incident_id}.json"))


@pytest.mark.parametrize(
    ("method", "path", "status", "shape"),
    [
        ("GET", "/api/nope", 404, "error"),
        ("POST", "/api/openapi.json", 405, "error"),
        ("GET", "/api/v1/nope", 404, "errors"),
        ("DELETE", "/api/v1/ping", 405, "errors"),
        ("PATCH", "/api/v1/components/abc", 405, "errors"),
        ("GET", "/api/v1/pages/abc/nothing-here", 404, "error"),
        ("GET", "/api/v2/nothing-here.json", 404, "error"),
    ],
)
def test_unknown_api_urls_and_wrong_methods_answer_json(
    client: Any, method: str, path: str, status: int, shape: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert shape in body
    _readable(body)
    if status == 405:
        assert response.headers["Allow"]


def test_rate_limited_answers_are_documented(database_url: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "API_RATE_LIMIT": "1 per minute",
        }
    )
    with app.app_context():
        from statuspage.demo import load_demo

        load_demo()
        client = app.test_client()
        contract = Contract(_document(client))
        page = get_page_settings().public_id
        key = _oauth()
        path = f"/api/v1/pages/{page}/components"
        assert client.get(path, headers=key).status_code == 200
        limited = client.get(path, headers=key)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        _readable(contract.check(limited, "get", "/api/v1/pages/{page_id}/components"))

        token = _cachet()
        made = client.post("/api/v1/components", headers=token, json={"name": "A"})
        assert made.status_code == 200
        again = client.post("/api/v1/components", headers=token, json={"name": "B"})
        assert again.status_code == 429
        _readable(contract.check(again, "post", "/api/v1/components"))
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


# -- schemathesis ------------------------------------------------------------------------

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small and repeatable: a few examples per operation and mode, the same ones every run.
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}


@pytest.fixture
def fuzz_app(database_url: str) -> Iterator[tuple[Flask, str, str]]:
    """An app with the demo data, a communicator's key and no practical rate limit."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            # The run sends hundreds of requests with one key; 429 has its own test.
            "API_RATE_LIMIT": "100000 per minute",
        }
    )
    with app.app_context():
        from statuspage.demo import load_demo

        load_demo()
        _key, secret = create_api_key("comms@example.com")
        page_id = get_page_settings().public_id or ""
        db.session.remove()
    yield app, secret, page_id
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _run_operation(
    operation: Any, mode: GenerationMode, app: Flask, headers: dict[str, str], page_id: str
) -> None:
    pinned = {"page_id": page_id} if "{page_id}" in operation.path else None

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=pinned))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, app=app)

    check()


def test_schemathesis_finds_nothing(fuzz_app: tuple[Flask, str, str]) -> None:
    app, secret, page_id = fuzz_app
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # The WSGI client does not inflate gzip as an HTTP client would: ask for plain bodies.
    headers = {"Authorization": f"OAuth {secret}", "Accept-Encoding": "identity"}
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        ran += 1
        for mode in EXAMPLES:
            try:
                _run_operation(operation, mode, app, headers, page_id)
            except Unsatisfiable:
                # Negative mode on an operation with no input to get wrong: nothing to send.
                continue
            except (Exception, BaseExceptionGroup) as exc:
                # Collect every operation's failures, then report them all at once.
                name = f"{operation.method.upper()} {operation.path} ({mode.value})"
                failures.append(f"{name}: {exc}"[:3000])
    assert ran > 50
    assert not failures, "\n\n".join(failures)
