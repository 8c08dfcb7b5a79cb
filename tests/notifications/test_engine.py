"""The delivery engine end to end: publish, plan, claim, send signed webhooks, retry, sweep."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from statuspage.clock import utcnow
from statuspage.components.models import ComponentStatus, StatusCause
from statuspage.components.services import create_component, create_group, set_component_status
from statuspage.db import unit_of_work
from statuspage.extensions import db
from statuspage.incidents.models import Impact
from statuspage.incidents.services import (
    create_incident,
    post_update,
    publish_postmortem,
    resolve_incident,
)
from statuspage.maintenance.services import (
    cancel_maintenance,
    run_due_reminders,
    schedule_maintenance,
)
from statuspage.notifications.engine import claim, close_senders, run_deliveries, sweep_leases
from statuspage.notifications.models import BroadcastChannel, Delivery, DeliveryState, OutboxEvent
from statuspage.notifications.planner import plan_batch, plan_events
from statuspage.notifications.queries import delivery_report, events_for_update
from statuspage.notifications.services import retry_failed
from statuspage.notifications.signing import verify
from statuspage.subscribers.models import Channel, EventKind, SubscriberState
from statuspage.subscribers.services import subscribe, unsubscribe

from .receiver import Received, Receiver

WORKER = "test-worker"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    def answer(path: str) -> tuple[int, dict[str, str]]:
        if path.startswith("/fail"):
            return 500, {}
        if path.startswith("/gone"):
            return 410, {}
        if path.startswith("/moved"):
            return 302, {"Location": "https://elsewhere.example/hook"}
        return 200, {}

    server = Receiver(answer=answer).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def engine(app: Flask) -> Iterator[Flask]:
    """The app with loopback webhooks allowed, its context pushed; senders closed after."""
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, BASE_URL="http://status.test")
    with app.app_context():
        yield app
        close_senders(app)


def drain() -> int:
    """Plan every event and send everything due now, as one worker tick does."""
    plan_events(utcnow())
    return run_deliveries(utcnow(), WORKER)


def updates_to(receiver: Receiver, path: str) -> list[Received]:
    """Return what reached one endpoint, pings to new endpoints left out."""
    return [
        r
        for r in receiver.received
        if r.path == path and r.headers["X-Statuspage-Event"] != "subscriber.webhook_created"
    ]


def webhook(receiver: Receiver, path: str, **choices: Any) -> tuple[Any, str]:
    result = subscribe(Channel.WEBHOOK, receiver.url + path, **choices)
    assert result.webhook_secret is not None
    return result.subscriber, result.webhook_secret


def deliveries() -> list[Delivery]:
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def test_published_incident_reaches_the_right_webhooks_signed(
    engine: Flask, receiver: Receiver
) -> None:
    api = create_component("API")
    web = create_component("Website")
    everything, secret = webhook(receiver, "/all")
    webhook(receiver, "/api", components=[api])
    webhook(receiver, "/web", components=[web])
    follower, _secret = webhook(receiver, "/api-follower", components=[api])
    drain()  # the pings to the new endpoints
    pings = [r for r in receiver.received if r.path == "/all"]
    assert [p.headers["X-Statuspage-Event"] for p in pings] == ["subscriber.webhook_created"]

    incident = create_incident(
        "API errors", "investigating", "We are looking into it.", {api: "partial_outage"}
    )
    drain()

    [got] = updates_to(receiver, "/all")
    assert got.headers["X-Statuspage-Event"] == "incident.created"
    assert verify(got.body, secret, got.headers["X-Statuspage-Signature"])
    body = json.loads(got.body)
    assert body["incident"]["id"] == incident.public_id
    assert body["incident"]["incident_updates"][0]["body"] == "We are looking into it."
    assert body["incident"]["components"][0]["name"] == "API"
    assert body["page"]["status_indicator"] == "major"
    assert body["meta"]["unsubscribe"].startswith("http://status.test/unsubscribe/")
    assert body["event"] == "incident.created"
    assert len(updates_to(receiver, "/api")) == 1
    assert updates_to(receiver, "/web") == []  # scoped to another component: nothing
    first_key = got.headers["X-Statuspage-Delivery"]

    unsubscribe(follower)
    post_update(incident, "identified", "Found it.")
    drain()

    assert len(updates_to(receiver, "/all")) == 2
    assert updates_to(receiver, "/all")[1].headers["X-Statuspage-Delivery"] != first_key
    assert len(updates_to(receiver, "/api-follower")) == 1  # nothing after unsubscribing
    [event] = events_for_update(incident.updates[0].public_id)
    report = delivery_report(event)
    assert report.totals[DeliveryState.SENT] == 2
    assert report.by_channel[Channel.WEBHOOK][DeliveryState.SENT] == 2


def test_group_followers_hear_of_components_added_later(
    engine: Flask, receiver: Receiver
) -> None:
    group = create_group("Europe")
    webhook(receiver, "/eu", groups=[group])
    later = create_component("Frankfurt", group=group)
    drain()
    create_incident("Slow", "investigating", "Slow pages.", {later: "degraded_performance"})
    drain()
    assert len(updates_to(receiver, "/eu")) == 1


def test_unpublished_or_silent_changes_write_no_event(engine: Flask, receiver: Receiver) -> None:
    api = create_component("API")
    create_incident("Quiet", "investigating", "Nobody told.", {api: "major_outage"}, notify=False)

    def publish_then_fail() -> None:
        with unit_of_work():
            create_incident("Rolled back", "investigating", "Unseen.", {api: "major_outage"})
            raise RuntimeError("the publish failed after the incident was written")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    kinds = db.session.scalars(sa.select(OutboxEvent.kind)).all()
    assert kinds == []


def test_component_change_by_a_person_notifies_component_followers(
    engine: Flask, receiver: Receiver
) -> None:
    api = create_component("API")
    webhook(receiver, "/api", components=[api])
    drain()
    set_component_status(api, ComponentStatus.DEGRADED_PERFORMANCE, cause=StatusCause.MANUAL)
    drain()
    [got] = updates_to(receiver, "/api")
    body = json.loads(got.body)
    assert got.headers["X-Statuspage-Event"] == "component.status_changed"
    assert body["component_update"]["new_status"] == "degraded_performance"
    assert body["component"]["id"] == api.public_id


def test_failing_endpoint_is_retried_with_backoff_then_dead(
    engine: Flask, receiver: Receiver, frozen_clock: Any
) -> None:
    engine.config["DELIVERY_MAX_ATTEMPTS"] = 3
    webhook(receiver, "/fail")
    drain()
    ping = deliveries()[0]
    assert ping.state is DeliveryState.FAILED
    assert ping.attempts == 1
    assert ping.last_error == "HTTP 500"
    assert ping.next_attempt_at > utcnow()

    drain()  # not due yet: nothing is sent
    assert len(receiver.received) == 1

    frozen_clock.advance(timedelta(hours=2))
    drain()
    frozen_clock.advance(timedelta(hours=2))
    drain()
    db.session.expire_all()
    ping = deliveries()[0]
    assert len(receiver.received) == 3
    assert ping.state is DeliveryState.DEAD
    event = db.session.get(OutboxEvent, ping.event_id)
    assert event is not None
    report = delivery_report(event)
    assert report.totals[DeliveryState.DEAD] == 1
    assert [e.error for e in report.recent_errors] == ["HTTP 500"] * 3

    assert retry_failed(event) == 1
    drain()
    assert len(receiver.received) == 4


def test_redirect_is_a_failure_and_gone_is_permanent(engine: Flask, receiver: Receiver) -> None:
    webhook(receiver, "/moved")
    webhook(receiver, "/gone")
    drain()
    moved, gone = deliveries()
    assert moved.state is DeliveryState.FAILED
    assert moved.last_error is not None
    assert "redirect" in moved.last_error
    assert gone.state is DeliveryState.DEAD  # 410: not retried
    assert [r.path for r in receiver.received if r.path == "/moved"] == ["/moved"]


def test_newer_update_supersedes_a_queued_older_one(engine: Flask, receiver: Receiver) -> None:
    api = create_component("API")
    webhook(receiver, "/all")
    drain()
    incident = create_incident("Down", "investigating", "First.", {api: "major_outage"})
    plan_events(utcnow())
    post_update(incident, "identified", "Second.")
    plan_events(utcnow())
    states = [d.state for d in deliveries()[1:]]
    assert states == [DeliveryState.SUPERSEDED, DeliveryState.QUEUED]

    run_deliveries(utcnow(), WORKER)
    [got] = updates_to(receiver, "/all")
    bodies = [u["body"] for u in json.loads(got.body)["incident"]["incident_updates"]]
    assert bodies == ["Second.", "First."]  # the newest carries the whole timeline


def test_planning_is_resumable_and_idempotent(engine: Flask, receiver: Receiver) -> None:
    for n in range(5):
        webhook(receiver, f"/hook{n}")
    plan_events(utcnow())
    db.session.execute(sa.delete(Delivery))
    db.session.commit()
    create_incident("Down", "investigating", "Oops.")

    assert plan_batch(utcnow(), batch_size=2) == (True, 2)
    event = db.session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert event is not None
    assert event.planned_at is None
    assert event.plan_cursor > 0
    plan_events(utcnow())  # resumes after the cursor
    assert len(deliveries()) == 5

    # As if a worker died before recording its progress: planning again adds nothing.
    with unit_of_work():
        event.planned_at = None
        event.plan_cursor = 0
    plan_events(utcnow())
    assert len(deliveries()) == 5
    assert sorted(d.subscriber_id for d in deliveries()) == sorted(
        {d.subscriber_id for d in deliveries()}
    )


def test_an_expired_lease_goes_back_to_the_queue(
    engine: Flask, receiver: Receiver, frozen_clock: Any
) -> None:
    webhook(receiver, "/hook")
    plan_events(utcnow())
    [claimed] = claim(Channel.WEBHOOK, "worker-that-dies", 10, utcnow())
    assert run_deliveries(utcnow(), WORKER) == 0  # claimed: nobody else takes it
    assert sweep_leases(utcnow()) == 0  # the lease still runs

    frozen_clock.advance(timedelta(seconds=engine.config["DELIVERY_LEASE_SECONDS"] + 1))
    assert sweep_leases(utcnow()) == 1
    run_deliveries(utcnow(), WORKER)

    db.session.expire_all()
    delivery = db.session.get(Delivery, claimed)
    assert delivery is not None
    assert delivery.state is DeliveryState.SENT
    assert delivery.attempts == 2
    assert len(receiver.received) == 1


def test_a_channel_without_a_sender_stays_queued(
    engine: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuspage.notifications import dispatch

    # As on an install whose email sender is not set up (or a plugin channel not loaded).
    monkeypatch.delitem(dispatch._FACTORIES, Channel.EMAIL)
    engine.extensions.pop("statuspage.senders", None)
    subscribe(Channel.EMAIL, "ann@example.org")
    plan_events(utcnow())
    run_deliveries(utcnow(), WORKER)
    [delivery] = deliveries()
    assert delivery.state is DeliveryState.QUEUED
    assert delivery.attempts == 0


def test_an_endpoint_that_keeps_refusing_is_quarantined(
    engine: Flask, receiver: Receiver
) -> None:
    engine.config["DELIVERY_QUARANTINE_AFTER"] = 2
    gone, _secret = webhook(receiver, "/gone")
    drain()  # the ping: 410, dead, one hard failure
    assert gone.failure_count == 1
    create_incident("Down", "investigating", "Oops.")
    drain()
    db.session.expire_all()
    assert gone.state is SubscriberState.QUARANTINED
    create_incident("Down again", "investigating", "Oops.")
    drain()
    assert len(receiver.received) == 2  # nothing more to a quarantined endpoint


def test_scheduled_maintenance_reaches_maintenance_followers(
    engine: Flask, receiver: Receiver, frozen_clock: Any
) -> None:
    db_component = create_component("Database")
    webhook(receiver, "/maint", kinds=[EventKind.MAINTENANCE])
    webhook(receiver, "/incidents-only", kinds=[EventKind.INCIDENTS])
    drain()
    start = utcnow() + timedelta(days=1)
    schedule_maintenance("Upgrade", "Soon.", [db_component], start, start + timedelta(hours=1))
    drain()
    [got] = updates_to(receiver, "/maint")
    body = json.loads(got.body)
    assert got.headers["X-Statuspage-Event"] == "maintenance.scheduled"
    assert body["incident"]["impact"] == "maintenance"
    assert body["incident"]["scheduled_for"] is not None
    assert updates_to(receiver, "/incidents-only") == []


def test_broadcast_channels_get_events_on_their_components_above_their_impact(
    engine: Flask,
) -> None:
    api = create_component("API")
    web = create_component("Website")
    with unit_of_work() as session:
        session.add_all(
            [
                BroadcastChannel(name="ops", apprise_url="json://ops.test", component_ids=[api.id]),
                BroadcastChannel(
                    name="execs", apprise_url="json://execs.test", minimum_impact=Impact.CRITICAL
                ),
                BroadcastChannel(name="off", apprise_url="json://off.test", enabled=False),
            ]
        )
    create_incident("API slow", "investigating", "Slow.", {api: "degraded_performance"})
    create_incident("Web slow", "investigating", "Slow.", {web: "degraded_performance"})
    plan_events(utcnow())
    rows = db.session.execute(
        sa.select(Delivery.event_id, BroadcastChannel.name, Delivery.channel)
        .join(BroadcastChannel, BroadcastChannel.id == Delivery.broadcast_channel_id)
        .order_by(Delivery.event_id)
    ).all()
    assert [(name, channel) for _event, name, channel in rows] == [("ops", Channel.APPRISE)]


def test_an_older_update_planned_after_a_newer_one_is_superseded_at_once(
    engine: Flask, receiver: Receiver
) -> None:
    webhook(receiver, "/all")
    drain()
    incident = create_incident("Down", "investigating", "First.")
    post_update(incident, "identified", "Second.")
    older, newer = db.session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.topic.is_not(None)).order_by(OutboxEvent.id)
    ).all()
    with unit_of_work():  # as if another worker took the newer event while this one was locked
        older.planned_at = utcnow()
    plan_events(utcnow())
    with unit_of_work():
        older.planned_at = None
    plan_events(utcnow())
    by_event = {d.event_id: d.state for d in deliveries() if d.event_id in (older.id, newer.id)}
    assert by_event == {older.id: DeliveryState.SUPERSEDED, newer.id: DeliveryState.QUEUED}


def test_each_publishing_use_case_writes_its_event(engine: Flask, frozen_clock: Any) -> None:
    api = create_component("API")
    incident = create_incident("Down", "investigating", "Oops.", {api: "major_outage"})
    post_update(incident, "monitoring", "Better.", notify=False)  # silent: no event
    resolve_incident(incident, "Fixed.")
    publish_postmortem(incident, "What happened.", notify=True)
    set_component_status(api, ComponentStatus.DEGRADED_PERFORMANCE, cause=StatusCause.API)
    start = utcnow() + timedelta(hours=2)
    window = schedule_maintenance(
        "Upgrade", "Soon.", [api], start, start + timedelta(hours=1), remind_before_minutes=60
    )
    frozen_clock.advance(timedelta(hours=1, minutes=1))
    run_due_reminders(utcnow())
    cancel_maintenance(window, "Not needed.")

    kinds = db.session.scalars(sa.select(OutboxEvent.kind).order_by(OutboxEvent.id)).all()
    assert kinds == [
        "incident.created",
        "incident.updated",  # the resolution; the silent update and the component changes
        "postmortem.published",  # caused by incidents are not events of their own
        "component.status_changed",
        "maintenance.scheduled",
        "maintenance.reminder",
        "maintenance.cancelled",
    ]
    postmortem = db.session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.kind == "postmortem.published")
    ).one()
    assert postmortem.payload["context"]["postmortem_body"] == "What happened."


def test_a_paced_channel_sends_no_more_than_its_rate_at_once(
    engine: Flask, receiver: Receiver
) -> None:
    engine.config["DELIVERY_RATES"] = {"webhook": 2.0}
    for n in range(5):
        webhook(receiver, f"/hook{n}")
    plan_events(utcnow())
    assert run_deliveries(utcnow(), WORKER, budget=0) == 2
    states = [d.state for d in deliveries()]
    assert states.count(DeliveryState.SENT) == 2
    assert states.count(DeliveryState.QUEUED) == 3


def test_webhook_text_is_in_the_subscribers_language_when_translated(
    engine: Flask, receiver: Receiver
) -> None:
    api = create_component("API")
    webhook(receiver, "/de", language="de")
    webhook(receiver, "/fr", language="fr")
    webhook(receiver, "/en")
    drain()  # the pings
    create_incident(
        "API errors",
        "investigating",
        "We are looking into it.",
        {api: "partial_outage"},
        translations={"de": {"name": "API-Fehler", "body": "Wir sehen uns das an."}},
    )
    drain()

    german = json.loads(updates_to(receiver, "/de")[0].body)
    assert german["incident"]["name"] == "API-Fehler"
    assert german["incident"]["incident_updates"][0]["body"] == "Wir sehen uns das an."
    assert german["meta"]["language"] == "de"
    # No French translation: the original text, and the payload says which language it is.
    french = json.loads(updates_to(receiver, "/fr")[0].body)
    assert french["incident"]["name"] == "API errors"
    assert french["meta"]["language"] == "en"
    english = json.loads(updates_to(receiver, "/en")[0].body)
    assert english["incident"]["incident_updates"][0]["body"] == "We are looking into it."
    for payload in (german, french, english):
        # Statuspage's keys only: the translations travel in our outbox, not to receivers.
        assert "translations" not in payload
        assert "default_language" not in payload
