"""Reminders: an update due on an active incident, a component left broken, sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.components.models import ComponentStatus, StatusCause
from statuspage.components.services import create_component, set_component_status
from statuspage.extensions import db
from statuspage.incidents.services import create_incident, post_update, resolve_incident
from statuspage.notifications.broadcasts import create_channel
from statuspage.notifications.content import render_chat
from statuspage.notifications.models import Delivery, OutboxEvent
from statuspage.notifications.planner import plan_events
from statuspage.reminders.models import Reminder, ReminderKind
from statuspage.reminders.queries import active_reminders, due_items
from statuspage.reminders.services import REMINDER_DUE, run_due_reminders, scan_reminders
from statuspage.worker.loop import Worker
from statuspage.worker.tasks import registered_tasks

S = ComponentStatus
SLACK = "slack://TokenA/TokenB/TokenC/#ops"


def reminder_events():
    return list(
        db.session.scalars(
            sa.select(OutboxEvent).where(OutboxEvent.kind == REMINDER_DUE).order_by(OutboxEvent.id)
        )
    )


def reminder_rows():
    return list(db.session.scalars(sa.select(Reminder).order_by(Reminder.id)))


@pytest.fixture
def api(app_ctx):
    return create_component("API")


def test_the_scan_is_a_worker_task():
    assert "reminders.scan" in registered_tasks()


def test_an_update_is_due_after_the_impacts_interval_and_is_sent_once(app, api, frozen_clock):
    incident = create_incident(
        "Errors on the API", "investigating", "Looking.", {api: S.MAJOR_OUTAGE}
    )
    assert incident.impact.value == "critical"  # 15 minutes by default
    assert run_due_reminders(frozen_clock.now) == 0
    frozen_clock.advance(timedelta(minutes=14, seconds=59))
    assert run_due_reminders(frozen_clock.now) == 0
    assert active_reminders(frozen_clock.now) == []
    frozen_clock.advance(timedelta(seconds=1))
    assert run_due_reminders(frozen_clock.now) == 1
    frozen_clock.advance(timedelta(minutes=5))
    assert run_due_reminders(frozen_clock.now) == 0

    [row] = reminder_rows()
    assert row.kind is ReminderKind.UPDATE_DUE
    assert row.subject == f"incident:{incident.public_id}"
    assert row.due_at == incident.started_at + timedelta(minutes=15)
    assert row.sent_at == row.due_at
    [event] = reminder_events()
    reminder = event.payload["context"]["reminder"]
    assert reminder["name"] == "Errors on the API"
    assert reminder["url"].endswith(f"/admin/incidents/{incident.public_id}")
    chat = render_chat(app, event.payload["context"], "en")
    assert chat.title.endswith("Reminder: a public update is due for Errors on the API")
    assert reminder["url"] in chat.body


def test_the_configured_minutes_per_impact_are_used(app, api, frozen_clock):
    # As STATUSPAGE_UPDATE_DUE_MINUTES gives it; impacts not named keep their defaults.
    app.config["UPDATE_DUE_MINUTES"] = "critical=5"
    create_incident("Errors", "investigating", "Looking.", {api: S.MAJOR_OUTAGE})
    frozen_clock.advance(timedelta(minutes=5))
    assert run_due_reminders(frozen_clock.now) == 1


def test_a_public_update_clears_the_reminder_and_the_next_one_is_due_later(api, frozen_clock):
    incident = create_incident("Errors", "investigating", "Looking.", {api: S.PARTIAL_OUTAGE})
    assert incident.impact.value == "major"  # 30 minutes
    frozen_clock.advance(timedelta(minutes=31))
    assert run_due_reminders(frozen_clock.now) == 1
    assert [i.name for i in active_reminders(frozen_clock.now)] == ["Errors"]

    post_update(incident, "identified", "Found it.")
    assert active_reminders(frozen_clock.now) == []  # gone at once, not at the next scan
    assert run_due_reminders(frozen_clock.now) == 0
    assert reminder_rows()[0].cleared_at == frozen_clock.now

    frozen_clock.advance(timedelta(minutes=30))
    assert run_due_reminders(frozen_clock.now) == 1
    assert len(reminder_rows()) == 2
    assert len(reminder_events()) == 2

    resolve_incident(incident, "Fixed.")
    frozen_clock.advance(timedelta(hours=5))
    assert due_items(frozen_clock.now) == []
    assert run_due_reminders(frozen_clock.now) == 0


def test_hidden_incidents_are_not_reminded(api, frozen_clock):
    from statuspage.incidents.services import set_incident_hidden

    incident = create_incident("Test run", "investigating", "x", {api: S.PARTIAL_OUTAGE})
    set_incident_hidden(incident, True)
    frozen_clock.advance(timedelta(hours=3))
    assert all(i.kind is not ReminderKind.UPDATE_DUE for i in due_items(frozen_clock.now))


def test_a_component_broken_for_hours_without_an_incident_is_reminded(app, api, frozen_clock):
    web = create_component("Dashboard")
    set_component_status(api, S.PARTIAL_OUTAGE, cause=StatusCause.MANUAL)
    frozen_clock.advance(timedelta(minutes=30))
    set_component_status(api, S.MAJOR_OUTAGE, cause=StatusCause.MANUAL)  # still the same outage
    set_component_status(web, S.UNDER_MAINTENANCE, cause=StatusCause.MANUAL)  # expected state
    frozen_clock.advance(timedelta(minutes=89))
    assert run_due_reminders(frozen_clock.now) == 0
    frozen_clock.advance(timedelta(minutes=1))  # two hours after the outage began
    assert run_due_reminders(frozen_clock.now) == 1
    [row] = reminder_rows()
    assert (row.kind, row.component_id) == (ReminderKind.STALE_COMPONENT, api.id)
    [event] = reminder_events()
    chat = render_chat(app, event.payload["context"], "en")
    assert chat.title.endswith("Reminder: no incident is open for API (Major Outage)")

    # Opening an incident for it clears the reminder.
    create_incident("API down", "investigating", "Looking.", {api: S.MAJOR_OUTAGE})
    assert all(i.kind is not ReminderKind.STALE_COMPONENT for i in due_items(frozen_clock.now))


def test_the_stale_hours_are_configurable_and_recovery_restarts_the_clock(app, api, frozen_clock):
    app.config["STALE_COMPONENT_HOURS"] = 1
    set_component_status(api, S.DEGRADED_PERFORMANCE, cause=StatusCause.MANUAL)
    frozen_clock.advance(timedelta(minutes=50))
    set_component_status(api, S.OPERATIONAL, cause=StatusCause.MANUAL)
    set_component_status(api, S.DEGRADED_PERFORMANCE, cause=StatusCause.MANUAL)
    frozen_clock.advance(timedelta(minutes=59))
    assert due_items(frozen_clock.now) == []
    frozen_clock.advance(timedelta(minutes=1))
    assert [i.name for i in due_items(frozen_clock.now)] == ["API"]


def test_the_reminder_goes_to_the_matching_broadcast_channels_only(app, api, frozen_clock):
    other = create_component("Billing")
    ops = create_channel("Ops", SLACK, actor="test")
    billing = create_channel("Billing team", SLACK, component_ids=[other.id], actor="test")
    quiet = create_channel("Outages only", SLACK, minimum_impact="critical", actor="test")
    create_incident("Slow API", "investigating", "Looking.", {api: S.DEGRADED_PERFORMANCE})
    frozen_clock.advance(timedelta(hours=1))  # minor: 60 minutes
    assert run_due_reminders(frozen_clock.now) == 1
    plan_events(frozen_clock.now)
    [event] = reminder_events()
    channels = set(
        db.session.scalars(
            sa.select(Delivery.broadcast_channel_id).where(Delivery.event_id == event.id)
        )
    )
    assert channels == {ops.id}
    assert billing.id not in channels
    assert quiet.id not in channels
    # Subscribers never hear of reminders.
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Delivery.id)).where(
                Delivery.event_id == event.id, Delivery.subscriber_id.is_not(None)
            )
        )
        == 0
    )


def test_the_worker_scans_every_thirty_seconds(app, api, frozen_clock):
    create_incident("Errors", "investigating", "Looking.", {api: S.MAJOR_OUTAGE})
    worker = Worker(worker_id="test:1", tasks={"reminders.scan": scan_reminders})
    frozen_clock.advance(timedelta(minutes=14, seconds=50))
    assert worker.tick().done["reminders.scan"] == 0  # scanned: not due yet
    frozen_clock.advance(timedelta(seconds=20))  # due now, but the last scan was 20 s ago
    assert worker.tick().done["reminders.scan"] == 0
    frozen_clock.advance(timedelta(seconds=10))
    assert worker.tick().done["reminders.scan"] == 1
    frozen_clock.advance(timedelta(seconds=30))
    assert worker.tick().done["reminders.scan"] == 0
    assert len(reminder_events()) == 1


def test_the_stale_component_hours_setting_is_read_and_checked(monkeypatch, tmp_path):
    from statuspage.config import load_config

    monkeypatch.setenv("STATUSPAGE_STALE_COMPONENT_HOURS", "3.5")
    assert load_config(str(tmp_path))["STALE_COMPONENT_HOURS"] == 3.5
    monkeypatch.setenv("STATUSPAGE_STALE_COMPONENT_HOURS", "0")
    with pytest.raises(RuntimeError, match="STATUSPAGE_STALE_COMPONENT_HOURS"):
        load_config(str(tmp_path))
    monkeypatch.setenv("STATUSPAGE_STALE_COMPONENT_HOURS", "soon")
    with pytest.raises(RuntimeError, match="STATUSPAGE_STALE_COMPONENT_HOURS"):
        load_config(str(tmp_path))
