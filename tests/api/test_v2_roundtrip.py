"""Publishing through the services shows in the v2 API; its reads stay bounded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component, create_group
from statuspage.extensions import db
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident, post_update, resolve_incident
from statuspage.maintenance.services import schedule_maintenance, start_maintenance


def json_of(client: Any, path: str) -> dict[str, Any]:
    response = client.get(f"/api/v2/{path}")
    assert response.status_code == 200
    return response.get_json()


def test_create_update_resolve_round_trip(frozen_clock, demo, client):
    component = create_component("Payments")
    incident = create_incident(
        "Payments failing",
        IncidentStatus.INVESTIGATING,
        "Card payments fail.",
        {component: ComponentStatus.MAJOR_OUTAGE},
    )
    summary = json_of(client, "summary.json")
    listed = {i["id"]: i for i in summary["incidents"]}
    assert incident.public_id in listed
    item = listed[incident.public_id]
    assert item["status"] == "investigating"
    assert item["impact"] == "critical"
    assert [c["id"] for c in item["components"]] == [component.public_id]
    assert item["components"][0]["status"] == "major_outage"
    (update,) = item["incident_updates"]
    assert update["body"] == "Card payments fail."
    assert update["affected_components"] == [
        {
            "code": component.public_id,
            "name": "Payments",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    # The components alone say major (one of several down); the incident's impact is critical.
    assert summary["status"]["indicator"] == "critical"
    unresolved = json_of(client, "incidents/unresolved.json")
    assert incident.public_id in {i["id"] for i in unresolved["incidents"]}

    frozen_clock.advance(timedelta(minutes=10))
    post_update(incident, IncidentStatus.MONITORING, "Fix deployed.")
    item = json_of(client, f"incidents/{incident.public_id}.json")["incident"]
    assert item["status"] == "monitoring"
    assert item["monitoring_at"] is not None
    assert [u["status"] for u in item["incident_updates"]] == ["monitoring", "investigating"]

    frozen_clock.advance(timedelta(minutes=10))
    resolve_incident(incident, "All good.")
    unresolved = json_of(client, "incidents/unresolved.json")
    assert incident.public_id not in {i["id"] for i in unresolved["incidents"]}
    summary = json_of(client, "summary.json")
    assert incident.public_id not in {i["id"] for i in summary["incidents"]}
    assert {c["id"]: c["status"] for c in summary["components"]}[
        component.public_id
    ] == "operational"
    item = json_of(client, f"incidents/{incident.public_id}.json")["incident"]
    assert item["status"] == "resolved"
    assert item["resolved_at"] == "2026-11-25T12:20:00.000Z"
    assert item["incident_updates"][0]["affected_components"][0]["new_status"] == "operational"
    assert json_of(client, "incidents.json")["incidents"][0]["id"] == incident.public_id


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def add_load(offset: int, count: int, now) -> None:
    group = create_group(f"Group {offset}")
    components = [create_component(f"C {offset}-{n}", group=group) for n in range(count)]
    for n, component in enumerate(components):
        incident = create_incident(
            f"Open {offset}-{n}",
            IncidentStatus.INVESTIGATING,
            "Down.",
            {component: ComponentStatus.PARTIAL_OUTAGE},
        )
        post_update(incident, IncidentStatus.IDENTIFIED, "Found it.")
        past = create_incident(f"Past {offset}-{n}", IncidentStatus.INVESTIGATING, "Down.")
        resolve_incident(past, "Fine.")
        window = schedule_maintenance(
            f"Window {offset}-{n}",
            "Work.",
            [component],
            now + timedelta(days=1, hours=n),
            now + timedelta(days=1, hours=n + 1),
        )
        if n == 0:
            live = schedule_maintenance(
                f"Live {offset}", "Work.", [component], now, now + timedelta(hours=1)
            )
            start_maintenance(live)
        del window


def statements_for(client: Any, path: str) -> int:
    db.session.remove()
    with counted() as statements:
        assert client.get(f"/api/v2/{path}").status_code == 200
    return len(statements)


def test_statement_count_does_not_grow(frozen_clock, app_ctx, client):
    add_load(0, 2, frozen_clock.now)
    paths = ["summary.json", "incidents.json", "scheduled-maintenances.json", "status.json"]
    few = {p: statements_for(client, p) for p in paths}
    add_load(1, 12, frozen_clock.now)
    many = {p: statements_for(client, p) for p in paths}
    assert many == few
    assert few["summary.json"] <= 15
