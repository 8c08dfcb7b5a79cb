"""Delivery reports in the console: counts per channel on the incident page, the full report,
live JSON, and the retry button, for a published incident with real webhook subscribers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from statuspage.notifications.models import OutboxEvent

from ..htmltree import parse
from ..notifications.receiver import Receiver
from .conftest import csrf_from, sign_in
from .console_pages import db_session

WORKER = "report-worker"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(answer=lambda path: (500, {}) if path == "/fail" else (200, {})).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Published:
    incident_id: str
    update_id: str
    event_id: int


def plan(app: Flask) -> None:
    from statuspage.clock import utcnow
    from statuspage.notifications.planner import plan_events

    with app.app_context():
        plan_events(utcnow())


def deliver(app: Flask) -> None:
    from statuspage.clock import utcnow
    from statuspage.notifications.engine import close_senders, run_deliveries

    with app.app_context():
        run_deliveries(utcnow(), WORKER)
        close_senders(app)


def publish(app: Flask, receiver: Receiver) -> Published:
    """Three webhook subscribers (one answering 500), their pings sent, then an incident."""
    from statuspage.components.models import Component, ComponentStatus
    from statuspage.components.services import create_component
    from statuspage.incidents.services import create_incident
    from statuspage.subscribers.models import Channel
    from statuspage.subscribers.services import subscribe

    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, BASE_URL="http://status.test")
    with db_session(app):
        api_id = create_component("API").id
        for path in ("/ok1", "/ok2", "/fail"):
            subscribe(Channel.WEBHOOK, receiver.url + path)
    plan(app)
    deliver(app)
    receiver.received.clear()
    with db_session(app) as session:
        api = session.get(Component, api_id)
        incident = create_incident(
            "Login broken", "identified", "We found it.", {api: ComponentStatus.MAJOR_OUTAGE}
        )
        update_id = incident.updates[-1].public_id
        event = session.scalars(
            sa.select(OutboxEvent).where(OutboxEvent.update_public_id == update_id)
        ).one()
        return Published(incident.public_id, update_id, event.id)


def counts(markup: str, event_id: int) -> dict[str, str]:
    """Return the report's cells (data-count -> number) of one event on a page."""
    box = parse(markup).one("data-event-id", str(event_id))
    return {n.attrs["data-count"]: n.text for n in box.by_attr("data-count")}


def test_incident_page_reports_sent_and_failed_and_retry_queues_again(
    app, staff, receiver: Receiver
) -> None:
    published = publish(app, receiver)
    client = app.test_client()
    sign_in(client, staff.communicator)
    page = f"/admin/incidents/{published.incident_id}"

    # Written, not yet planned: the report says it waits for the worker.
    markup = client.get(page).text
    assert "Waiting for the worker" in markup
    plan(app)
    assert counts(client.get(page).text, published.event_id)["total:queued"] == "3"

    deliver(app)
    assert sorted(r.path for r in receiver.received) == ["/fail", "/ok1", "/ok2"]
    markup = client.get(page).text
    cells = counts(markup, published.event_id)
    assert cells["webhook:sent"] == "2"
    assert cells["webhook:failed"] == "1"
    assert cells["total:queued"] == "0"
    assert "HTTP 500" in markup
    assert "/fail" not in markup  # the endpoint is masked

    status = client.get(f"/admin/deliveries/{published.event_id}/status").get_json()
    assert status["active"] is False
    assert status["totals"]["sent"] == 2
    assert status["totals"]["failed"] == 1
    assert status["channels"][0]["channel"] == "webhook"

    report = client.get(f"/admin/deliveries/{published.event_id}").text
    failed = parse(report).by_id("failed-deliveries")
    [row] = failed.find_all("tr")[1:]
    assert "HTTP 500" in row.text
    assert "Failed" in row.text
    assert "/fail" not in report

    response = client.post(
        f"/admin/deliveries/{published.event_id}/retry",
        data={"csrf_token": csrf_from(markup), "next": page},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)
    markup = client.get(page).text
    assert "1 deliveries were queued again." in markup
    cells = counts(markup, published.event_id)
    assert cells["webhook:queued"] == "1"
    assert cells["webhook:failed"] == "0"
    assert cells["webhook:sent"] == "2"
    status = client.get(f"/admin/deliveries/{published.event_id}/status").get_json()
    assert status["active"] is True


def test_support_reads_the_report_but_cannot_retry(app, staff, receiver: Receiver) -> None:
    published = publish(app, receiver)
    plan(app)
    deliver(app)
    client = app.test_client()
    sign_in(client, staff.support)
    markup = client.get(f"/admin/incidents/{published.incident_id}").text
    assert counts(markup, published.event_id)["webhook:failed"] == "1"
    assert "Retry failed" not in markup
    report = client.get(f"/admin/deliveries/{published.event_id}")
    assert report.status_code == 200
    assert "Retry failed" not in report.text
    response = client.post(
        f"/admin/deliveries/{published.event_id}/retry",
        data={"csrf_token": csrf_from(client.get("/admin/account/password").text)},
    )
    assert response.status_code == 403
    cells = counts(client.get(f"/admin/deliveries/{published.event_id}").text, published.event_id)
    assert cells["webhook:failed"] == "1"


def test_retry_without_a_token_changes_nothing(app, staff, receiver: Receiver) -> None:
    published = publish(app, receiver)
    plan(app)
    deliver(app)
    client = app.test_client()
    sign_in(client, staff.communicator)
    response = client.post(f"/admin/deliveries/{published.event_id}/retry", data={})
    assert response.status_code == 400
    status = client.get(f"/admin/deliveries/{published.event_id}/status").get_json()
    assert status["totals"]["failed"] == 1


def test_unknown_event_is_a_404(app, staff) -> None:
    client = app.test_client()
    sign_in(client, staff.support)
    assert client.get("/admin/deliveries/999999").status_code == 404
    assert client.get("/admin/deliveries/999999/status").status_code == 404
    assert client.get("/admin/deliveries/abc").status_code == 404
