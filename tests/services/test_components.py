"""Component services: groups, components, status changes and their history."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import ComponentStatus, ComponentStatusChange, StatusCause
from statuspage.components.services import create_component, create_group, set_component_status
from statuspage.db import unit_of_work
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.signals import component_status_changed


def changes(component):
    return db.session.scalars(
        sa.select(ComponentStatusChange)
        .where(ComponentStatusChange.component_id == component.id)
        .order_by(ComponentStatusChange.changed_at)
    ).all()


def audit_actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_create_group_and_components_place_them_last_and_audit(app_ctx):
    core = create_group("Core")
    data = create_group("Data", description="Where data lives")
    api = create_component("API", group=core)
    web = create_component("Dashboard", group=core, showcase=False, only_show_if_degraded=True)
    db_component = create_component("Database", group=data, start_date=date(2026, 10, 1))

    assert (core.position, data.position) == (0, 1)
    assert (api.position, web.position, db_component.position) == (0, 1, 0)
    assert api.status is ComponentStatus.OPERATIONAL
    assert web.showcase is False
    assert web.only_show_if_degraded is True
    assert db_component.start_date == date(2026, 10, 1)
    assert len(api.public_id) == 12
    assert audit_actions() == ["component_group.create", "component_group.create"] + [
        "component.create"
    ] * 3
    # Creating a component writes no history: uptime treats it as operational until a change.
    assert changes(api) == []


@pytest.mark.parametrize(("name", "field"), [("", "name"), ("   ", "name"), ("x" * 201, "name")])
def test_create_component_rejects_bad_names(app_ctx, name, field):
    with pytest.raises(ValidationError) as info:
        create_component(name)
    assert field in info.value.errors


def test_set_status_writes_history_only_when_it_changes(app_ctx, frozen_clock):
    api = create_component("API")
    first = set_component_status(api, "partial_outage", cause=StatusCause.MANUAL)
    frozen_clock.advance(timedelta(minutes=5))
    same = set_component_status(api, ComponentStatus.PARTIAL_OUTAGE, cause=StatusCause.MANUAL)
    frozen_clock.advance(timedelta(minutes=5))
    back = set_component_status(api, ComponentStatus.OPERATIONAL, cause=StatusCause.API)

    assert same is None
    assert first is not None
    assert back is not None
    rows = changes(api)
    assert [(r.previous_status, r.status, r.cause) for r in rows] == [
        (ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE, StatusCause.MANUAL),
        (ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.OPERATIONAL, StatusCause.API),
    ]
    assert rows[0].changed_at == frozen_clock.now - timedelta(minutes=10)
    assert api.status is ComponentStatus.OPERATIONAL
    assert audit_actions().count("component.status") == 2


def test_backdated_change_fills_history_without_touching_the_current_status(app_ctx, frozen_clock):
    api = create_component("API")
    now = frozen_clock.now
    set_component_status(api, ComponentStatus.DEGRADED_PERFORMANCE, cause=StatusCause.MANUAL)

    # An outage recorded after the fact, a day earlier: history only.
    set_component_status(api, ComponentStatus.MAJOR_OUTAGE, cause=StatusCause.INCIDENT,
                         at=now - timedelta(days=1))

    assert api.status is ComponentStatus.DEGRADED_PERFORMANCE
    assert [(r.changed_at, r.status) for r in changes(api)] == [
        (now - timedelta(days=1), ComponentStatus.MAJOR_OUTAGE),
        (now, ComponentStatus.DEGRADED_PERFORMANCE),
    ]
    # Its previous status is what the history says held then (operational), not the current one.
    assert changes(api)[0].previous_status is ComponentStatus.OPERATIONAL


def test_set_status_rejects_an_unknown_status(app_ctx):
    api = create_component("API")
    with pytest.raises(ValidationError) as info:
        set_component_status(api, "on_fire", cause=StatusCause.MANUAL)
    assert "status" in info.value.errors


def test_status_signal_is_sent_after_commit_and_not_on_rollback(app, app_ctx):
    api = create_component("API")
    seen = []

    def receiver(sender, **kwargs):
        # Sent after commit: a fresh connection already sees the new status.
        with db.engine.connect() as conn:
            stored = conn.scalar(sa.text("SELECT status FROM component WHERE id = :id"),
                                 {"id": kwargs["component_id"]})
        seen.append((kwargs, stored))

    def rolled_back():
        with unit_of_work():
            set_component_status(api, ComponentStatus.OPERATIONAL, cause=StatusCause.MANUAL)
            raise RuntimeError("boom")

    with component_status_changed.connected_to(receiver, sender=app):
        set_component_status(api, ComponentStatus.MAJOR_OUTAGE, cause=StatusCause.MANUAL)
        with pytest.raises(RuntimeError):
            rolled_back()

    assert seen == [
        ({"component_id": api.id, "old": "operational", "new": "major_outage",
          "cause": "manual"}, "major_outage"),
    ]
    assert api.status is ComponentStatus.MAJOR_OUTAGE
