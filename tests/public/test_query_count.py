"""The public pages run a fixed number of SQL statements, however big the page is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from statuspage.components.models import ComponentStatus, StatusCause
from statuspage.components.services import create_component, create_group, set_component_status
from statuspage.extensions import db
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident, post_update, resolve_incident
from statuspage.maintenance.services import schedule_maintenance, start_maintenance

MAX_STATEMENTS = 15


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def add_components(count: int, now, offset: int) -> list:
    groups = [create_group(f"Group {offset + g}") for g in range(3)]
    made = []
    for n in range(count):
        group = groups[n % 3] if n % 4 else None
        component = create_component(f"Component {offset + n}", group=group)
        for days, status, minutes in (
            (40, ComponentStatus.PARTIAL_OUTAGE, 30),
            (5, ComponentStatus.MAJOR_OUTAGE, 12),
        ):
            at = now - timedelta(days=days, minutes=n)
            set_component_status(component, status, cause=StatusCause.MANUAL, at=at)
            set_component_status(
                component,
                ComponentStatus.OPERATIONAL,
                cause=StatusCause.MANUAL,
                at=at + timedelta(minutes=minutes),
            )
        made.append(component)
    for n in range(0, count, 4):
        past = create_incident(
            f"Past {offset + n}",
            IncidentStatus.INVESTIGATING,
            "Down.",
            {made[n]: ComponentStatus.MAJOR_OUTAGE},
            started_at=now - timedelta(days=10, hours=n),
        )
        resolve_incident(past, "Fixed.", display_at=now - timedelta(days=10, hours=n - 1))
        live = create_incident(
            f"Live {offset + n}",
            IncidentStatus.INVESTIGATING,
            "Slow.",
            {made[n + 1]: ComponentStatus.DEGRADED_PERFORMANCE},
            started_at=now - timedelta(hours=2),
        )
        post_update(live, IncidentStatus.IDENTIFIED, "Found.", display_at=now - timedelta(hours=1))
    m = schedule_maintenance(
        f"Window {offset}",
        "Work.",
        made[2:4],
        now - timedelta(hours=1),
        now + timedelta(hours=1),
        notify=False,
    )
    start_maintenance(m, at=now - timedelta(hours=1))
    schedule_maintenance(
        f"Later {offset}",
        "Work.",
        made[:2],
        now + timedelta(days=1),
        now + timedelta(days=1, hours=2),
        notify=False,
    )
    return made


def statements_for(client, path: str) -> list[str]:
    db.session.expire_all()
    with counted() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return statements


def test_front_page_statement_count_does_not_grow(frozen_clock, app_ctx, client):
    add_components(12, frozen_clock.now, 0)
    small = statements_for(client, "/")
    add_components(12, frozen_clock.now, 100)
    big = statements_for(client, "/")
    body = client.get("/").get_data(as_text=True)
    assert body.count('class="component"') == 24
    assert body.count('class="incident-link"') == 6
    assert len(big) == len(small), "\n\n".join(big)
    assert len(big) <= MAX_STATEMENTS, "\n\n".join(big)


def test_other_pages_statement_counts_do_not_grow(frozen_clock, app_ctx, client):
    add_components(8, frozen_clock.now, 0)
    paths = ["/history", "/uptime"]
    small = {p: len(statements_for(client, p)) for p in paths}
    add_components(16, frozen_clock.now, 100)
    big = {p: len(statements_for(client, p)) for p in paths}
    assert big == small
    assert all(n <= MAX_STATEMENTS for n in big.values())
