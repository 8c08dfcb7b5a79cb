"""Maintenance services: scheduling, manual and automatic transitions, racing workers."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.components.models import ComponentStatus, ComponentStatusChange, StatusCause
from statuspage.components.services import create_component
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.incidents.services import create_incident
from statuspage.maintenance.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
from statuspage.maintenance.services import (
    complete_maintenance,
    run_due_transitions,
    schedule_maintenance,
    start_maintenance,
)
from statuspage.signals import maintenance_transitioned

S = ComponentStatus
M = MaintenanceStatus


@pytest.fixture
def window(app_ctx, frozen_clock):
    """A database and an API, and a window on both from in 1 h to in 3 h."""
    database, api = create_component("Database"), create_component("API")
    start = frozen_clock.now + timedelta(hours=1)
    maintenance = schedule_maintenance("Database upgrade", "Brief resets expected.",
                                       [database, api], start, start + timedelta(hours=2))
    return maintenance, database, api


def update_statuses(maintenance):
    return [u.status for u in db.session.scalars(
        sa.select(MaintenanceUpdate).where(MaintenanceUpdate.maintenance_id == maintenance.id)
        .order_by(MaintenanceUpdate.display_at, MaintenanceUpdate.id)
    )]


def test_schedule_validates_the_window(app_ctx, frozen_clock):
    now = frozen_clock.now
    with pytest.raises(ValidationError) as info:
        schedule_maintenance("Upgrade", "", [], now + timedelta(hours=2), now + timedelta(hours=1))
    assert set(info.value.errors) == {"scheduled_until"}
    with pytest.raises(ValidationError) as info:
        schedule_maintenance("", "", [], now, now)
    assert {"name", "scheduled_until"} <= set(info.value.errors)
    with pytest.raises(ValidationError) as info:
        schedule_maintenance("Upgrade", "", [], now.replace(tzinfo=None), now + timedelta(hours=1))
    assert "scheduled_for" in info.value.errors


def test_schedule_writes_the_window_and_its_first_update(window):
    maintenance, database, api = window
    assert maintenance.status is M.SCHEDULED
    assert [c.name for c in maintenance.components] == ["Database", "API"]
    assert update_statuses(maintenance) == [M.SCHEDULED]
    assert database.status is S.OPERATIONAL


def test_auto_transitions_follow_the_clock_and_are_idempotent(app, window, frozen_clock):
    maintenance, database, api = window
    seen = []
    with maintenance_transitioned.connected_to(lambda s, **kw: seen.append(kw["status"]),
                                               sender=app):
        assert run_due_transitions(frozen_clock.now) == 0

        frozen_clock.advance(timedelta(hours=1, seconds=1))
        assert run_due_transitions(frozen_clock.now) == 1
        assert run_due_transitions(frozen_clock.now) == 0
        db.session.expire_all()
        assert maintenance.status is M.IN_PROGRESS
        assert maintenance.started_at == maintenance.scheduled_for
        assert (database.status, api.status) == (S.UNDER_MAINTENANCE, S.UNDER_MAINTENANCE)

        frozen_clock.advance(timedelta(hours=2))
        assert run_due_transitions(frozen_clock.now) == 1
        assert run_due_transitions(frozen_clock.now) == 0
    db.session.expire_all()
    assert maintenance.status is M.COMPLETED
    assert maintenance.completed_at == maintenance.scheduled_until
    assert (database.status, api.status) == (S.OPERATIONAL, S.OPERATIONAL)
    assert update_statuses(maintenance) == [M.SCHEDULED, M.IN_PROGRESS, M.COMPLETED]
    assert seen == ["in_progress", "completed"]
    history = db.session.scalars(
        sa.select(ComponentStatusChange).where(ComponentStatusChange.component_id == database.id)
    ).all()
    assert {(h.status, h.cause, h.maintenance_id) for h in history} == {
        (S.UNDER_MAINTENANCE, StatusCause.MAINTENANCE, maintenance.id),
        (S.OPERATIONAL, StatusCause.MAINTENANCE, maintenance.id),
    }


def test_windows_without_auto_flags_wait_for_a_person(app_ctx, frozen_clock):
    api = create_component("API")
    now = frozen_clock.now
    manual = schedule_maintenance("Manual", "", [api], now - timedelta(hours=2),
                                  now - timedelta(hours=1), auto_start=False)
    assert run_due_transitions(now) == 0
    assert manual.status is M.SCHEDULED

    start_maintenance(manual)
    manual.auto_complete = False
    db.session.commit()
    assert run_due_transitions(now) == 0
    complete_maintenance(manual)
    assert manual.status is M.COMPLETED
    with pytest.raises(ValidationError):
        complete_maintenance(manual)


def test_a_missed_window_is_started_and_completed_in_one_pass(window, frozen_clock):
    maintenance, database, _ = window
    frozen_clock.advance(timedelta(hours=5))
    assert run_due_transitions(frozen_clock.now) == 2
    db.session.expire_all()
    assert maintenance.status is M.COMPLETED
    assert database.status is S.OPERATIONAL
    assert maintenance.started_at < maintenance.completed_at <= frozen_clock.now


def test_completion_leaves_what_an_incident_made_worse(window, frozen_clock):
    maintenance, database, api = window
    frozen_clock.advance(timedelta(hours=1))
    start_maintenance(maintenance)
    frozen_clock.advance(timedelta(minutes=30))
    create_incident("Database down after upgrade", "investigating", "",
                    {database: S.MAJOR_OUTAGE})
    frozen_clock.advance(timedelta(minutes=30))
    complete_maintenance(maintenance)
    assert database.status is S.MAJOR_OUTAGE
    assert api.status is S.OPERATIONAL


def test_start_does_not_hide_an_ongoing_outage(window, frozen_clock):
    maintenance, database, api = window
    create_incident("Database down", "investigating", "", {database: S.PARTIAL_OUTAGE})
    frozen_clock.advance(timedelta(hours=1))
    start_maintenance(maintenance)
    assert database.status is S.PARTIAL_OUTAGE
    assert api.status is S.UNDER_MAINTENANCE
    with pytest.raises(ValidationError) as info:
        start_maintenance(maintenance)
    assert "status" in info.value.errors


def test_overlapping_windows_keep_shared_components_under_maintenance(app_ctx, frozen_clock):
    api = create_component("API")
    now = frozen_clock.now
    short = schedule_maintenance("Short", "", [api], now, now + timedelta(hours=1))
    long = schedule_maintenance("Long", "", [api], now, now + timedelta(hours=3))
    start_maintenance(short)
    start_maintenance(long)
    complete_maintenance(short)
    assert api.status is S.UNDER_MAINTENANCE
    complete_maintenance(long)
    assert api.status is S.OPERATIONAL


def test_two_workers_racing_make_each_transition_once(app, frozen_clock):
    with app.app_context():
        components = [create_component(f"Part {i}") for i in range(4)]
        now = frozen_clock.now
        for i, component in enumerate(components):
            schedule_maintenance(f"Window {i}", "", [component], now - timedelta(minutes=1),
                                 now + timedelta(hours=1))

    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                counts.append(run_due_transitions(now))
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(counts) == 4
    with app.app_context():
        assert set(db.session.scalars(sa.select(Maintenance.status))) == {M.IN_PROGRESS}
        started = db.session.scalar(
            sa.select(sa.func.count()).select_from(MaintenanceUpdate)
            .where(MaintenanceUpdate.status == M.IN_PROGRESS)
        )
        assert started == 4
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(ComponentStatusChange))
        assert changes == 4
