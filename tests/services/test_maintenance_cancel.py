"""Cancelling maintenance: scheduled or under way, components given back, workers stand aside."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import ComponentStatus, ComponentStatusChange, StatusCause
from statuspage.components.services import create_component, set_component_status
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.maintenance.models import MaintenanceStatus, MaintenanceUpdate
from statuspage.maintenance.queries import current_and_upcoming, get_maintenance
from statuspage.maintenance.services import (
    cancel_maintenance,
    complete_maintenance,
    post_maintenance_update,
    run_due_reminders,
    run_due_transitions,
    schedule_maintenance,
    start_maintenance,
    update_maintenance,
    verify_maintenance,
)
from statuspage.signals import maintenance_cancelled, maintenance_transitioned

S = ComponentStatus
M = MaintenanceStatus


@pytest.fixture
def window(app_ctx, frozen_clock):
    """A database and an API, and a window on both from in 1 h to in 3 h, reminded 30 min before."""
    database, api = create_component("Database"), create_component("API")
    start = frozen_clock.now + timedelta(hours=1)
    maintenance = schedule_maintenance(
        "Database upgrade",
        "Brief resets expected.",
        [database, api],
        start,
        start + timedelta(hours=2),
        remind_before_minutes=30,
    )
    return maintenance, database, api


def updates_of(maintenance):
    return db.session.scalars(
        sa.select(MaintenanceUpdate)
        .where(MaintenanceUpdate.maintenance_id == maintenance.id)
        .order_by(MaintenanceUpdate.display_at, MaintenanceUpdate.id)
    ).all()


def audit_actions(public_id):
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_id == public_id)
        .order_by(AuditEntry.id)
    ).all()


def test_cancel_a_scheduled_window(app, window, frozen_clock):
    maintenance, database, api = window
    sent, transitions = [], []
    with (
        maintenance_cancelled.connected_to(lambda s, **kw: sent.append(kw), sender=app),
        maintenance_transitioned.connected_to(lambda s, **kw: transitions.append(kw), sender=app),
    ):
        update = cancel_maintenance(maintenance, actor="someone@example.com")

    db.session.expire_all()
    assert maintenance.status is M.COMPLETED
    assert maintenance.cancelled
    assert maintenance.cancelled_at == frozen_clock.now
    assert maintenance.started_at is None
    assert [u.body for u in updates_of(maintenance)] == [
        "Brief resets expected.",
        "This maintenance has been cancelled.",
    ]
    assert update.notify is True
    assert sent == [{"maintenance_id": maintenance.id, "update_id": update.id, "notify": True}]
    assert transitions == []  # a cancellation is its own event, not a completion
    assert audit_actions(maintenance.public_id) == ["maintenance.schedule", "maintenance.cancel"]
    # Nothing ever switched: the components are untouched.
    assert (database.status, api.status) == (S.OPERATIONAL, S.OPERATIONAL)
    assert current_and_upcoming(frozen_clock.now) == ([], [])
    read = get_maintenance(maintenance.public_id)
    assert read.cancelled
    assert read.updates[0].cancelled
    assert not read.updates[1].cancelled


def test_cancel_takes_the_given_words_and_may_stay_quiet(app, window):
    maintenance, _, _ = window
    sent = []
    with maintenance_cancelled.connected_to(lambda s, **kw: sent.append(kw), sender=app):
        update = cancel_maintenance(
            maintenance, "  Postponed to next week.  ", notify=False, actor="cli"
        )
    assert update.body == "Postponed to next week."
    assert update.notify is False
    assert sent[0]["notify"] is False


def test_cancel_in_progress_gives_components_back(window, frozen_clock):
    maintenance, database, api = window
    frozen_clock.advance(timedelta(hours=1, minutes=1))
    assert run_due_transitions(frozen_clock.now) == 1
    db.session.expire_all()
    assert (database.status, api.status) == (S.UNDER_MAINTENANCE, S.UNDER_MAINTENANCE)

    frozen_clock.advance(timedelta(minutes=20))
    cancel_maintenance(maintenance, "Rolled back; we will try again.")
    db.session.expire_all()
    assert maintenance.status is M.COMPLETED
    assert maintenance.cancelled
    assert maintenance.completed_at == frozen_clock.now
    assert (database.status, api.status) == (S.OPERATIONAL, S.OPERATIONAL)
    restored = db.session.scalars(
        sa.select(ComponentStatusChange).where(
            ComponentStatusChange.component_id == database.id,
            ComponentStatusChange.status == S.OPERATIONAL,
        )
    ).all()
    assert [(c.cause, c.maintenance_id, c.changed_at) for c in restored] == [
        (StatusCause.MAINTENANCE, maintenance.id, frozen_clock.now)
    ]
    # The planned end passes: the worker has nothing left to do with it.
    frozen_clock.advance(timedelta(hours=3))
    assert run_due_transitions(frozen_clock.now) == 0
    assert [u.status for u in updates_of(maintenance)] == [M.SCHEDULED, M.IN_PROGRESS, M.COMPLETED]


def test_cancel_while_verifying_leaves_an_outage_and_a_shared_component_alone(
    app_ctx, window, frozen_clock
):
    maintenance, database, api = window
    cache = create_component("Cache")
    other = schedule_maintenance(
        "Cache resize", "", [api, cache], frozen_clock.now, frozen_clock.now + timedelta(hours=9)
    )
    start_maintenance(other)
    start_maintenance(maintenance)
    verify_maintenance(maintenance)
    # An incident made the database worse meanwhile.
    set_component_status(database, S.MAJOR_OUTAGE, cause=StatusCause.MANUAL)

    cancel_maintenance(maintenance)
    db.session.expire_all()
    assert database.status is S.MAJOR_OUTAGE  # never hide an outage
    assert api.status is S.UNDER_MAINTENANCE  # the other window still holds it
    assert cache.status is S.UNDER_MAINTENANCE


@pytest.mark.parametrize("done", ["completed", "cancelled"])
def test_cancel_refuses_a_finished_window_and_writes_nothing(window, done):
    maintenance, _, _ = window
    if done == "completed":
        complete_maintenance(maintenance)
    else:
        cancel_maintenance(maintenance)
    count = len(updates_of(maintenance))
    with pytest.raises(ValidationError) as info:
        cancel_maintenance(maintenance)
    message = info.value.errors["status"]
    assert ("completed" in message) if done == "completed" else ("already cancelled" in message)
    db.session.expire_all()
    assert len(updates_of(maintenance)) == count


def test_a_cancelled_window_cannot_be_started_completed_verified_or_edited(window):
    maintenance, database, api = window
    cancel_maintenance(maintenance)
    for step in (start_maintenance, complete_maintenance, verify_maintenance):
        with pytest.raises(ValidationError) as info:
            step(maintenance)
        assert info.value.errors == {"status": "This maintenance was cancelled."}
    with pytest.raises(ValidationError):
        update_maintenance(
            maintenance,
            "New name",
            "",
            [database],
            maintenance.scheduled_for,
            maintenance.scheduled_until,
        )
    # A note after the fact is still possible (it reads as part of the cancellation).
    post_maintenance_update(maintenance, "Sorry for the short notice.")


def test_the_worker_neither_starts_nor_reminds_a_cancelled_window(window, frozen_clock):
    maintenance, database, api = window
    cancel_maintenance(maintenance)
    frozen_clock.advance(timedelta(minutes=40))  # the reminder time has come
    assert run_due_reminders(frozen_clock.now) == 0
    frozen_clock.advance(timedelta(hours=1))  # the start time has passed
    assert run_due_transitions(frozen_clock.now) == 0
    db.session.expire_all()
    assert maintenance.reminded_at is None
    assert maintenance.started_at is None
    assert (database.status, api.status) == (S.OPERATIONAL, S.OPERATIONAL)
