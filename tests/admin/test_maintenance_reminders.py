"""The maintenance reminder: a worker task that marks reminded_at and signals exactly once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.maintenance.services import (
    run_due_reminders,
    schedule_maintenance,
    start_maintenance,
    update_maintenance,
)
from statuspage.signals import maintenance_reminder_due
from statuspage.worker.loop import Worker
from statuspage.worker.tasks import registered_tasks


def test_the_reminder_task_is_registered():
    assert "maintenance.reminders" in registered_tasks()


def test_reminder_fires_once_at_its_time(app, app_ctx, frozen_clock):
    api = create_component("API")
    start = frozen_clock.now + timedelta(hours=3)
    window = schedule_maintenance(
        "Upgrade", "", [api], start, start + timedelta(hours=1), remind_before_minutes=60
    )
    schedule_maintenance("No reminder", "", [api], start, start + timedelta(hours=1))
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    worker = Worker(worker_id="test:1")
    with maintenance_reminder_due.connected_to(receiver, sender=app):
        assert worker.tick().done["maintenance.reminders"] == 0
        frozen_clock.advance(timedelta(hours=1, minutes=59))
        assert worker.tick().done["maintenance.reminders"] == 0
        frozen_clock.advance(timedelta(minutes=1))  # exactly 60 minutes before the start
        assert worker.tick().done["maintenance.reminders"] == 1
        reminded_at = frozen_clock.now
        frozen_clock.advance(timedelta(minutes=10))
        assert worker.tick().done["maintenance.reminders"] == 0
        assert run_due_reminders(frozen_clock.now) == 0

    assert seen == [{"maintenance_id": window.id}]
    db.session.refresh(window)
    assert window.reminded_at == reminded_at
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "maintenance.remind")
    ).all()
    assert actions == ["maintenance.remind"]


def test_moving_the_start_re_arms_the_reminder(app, app_ctx, frozen_clock):
    api = create_component("API")
    start = frozen_clock.now + timedelta(minutes=30)
    window = schedule_maintenance(
        "Upgrade", "", [api], start, start + timedelta(hours=1), remind_before_minutes=60
    )
    assert run_due_reminders(frozen_clock.now) == 1
    later = start + timedelta(days=1)
    update_maintenance(
        window, "Upgrade", "", [api], later, later + timedelta(hours=1), remind_before_minutes=60
    )
    assert window.reminded_at is None
    assert run_due_reminders(frozen_clock.now) == 0
    frozen_clock.set(later - timedelta(minutes=60))
    assert run_due_reminders(frozen_clock.now) == 1


def test_no_reminder_for_started_windows_or_missed_starts(app, app_ctx, frozen_clock):
    api = create_component("API")
    start = frozen_clock.now + timedelta(minutes=30)
    started = schedule_maintenance(
        "Started early", "", [api], start, start + timedelta(hours=1), remind_before_minutes=60
    )
    start_maintenance(started)
    past = frozen_clock.now - timedelta(minutes=5)
    schedule_maintenance(
        "Missed", "", [], past, past + timedelta(hours=1), remind_before_minutes=60,
        auto_start=False,
    )
    assert run_due_reminders(frozen_clock.now) == 0


def test_posting_an_update_is_announced_after_commit(app, app_ctx, frozen_clock):
    from statuspage.maintenance.services import post_maintenance_update
    from statuspage.signals import maintenance_update_posted

    start = frozen_clock.now + timedelta(hours=1)
    window = schedule_maintenance("Upgrade", "", [], start, start + timedelta(hours=1))
    seen = []
    with maintenance_update_posted.connected_to(
        lambda sender, **kw: seen.append(kw), sender=app
    ):
        update = post_maintenance_update(window, "Moved by an hour.", notify=False)
    assert seen == [{"maintenance_id": window.id, "update_id": update.id, "notify": False}]
