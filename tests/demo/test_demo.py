"""`statuspage demo`: what it loads, and when it refuses."""

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from statuspage.accounts.auth import verify_password
from statuspage.accounts.models import Role, User
from statuspage.accounts.services import create_user
from statuspage.clock import utcnow
from statuspage.components.models import Component, ComponentStatus, ComponentStatusChange
from statuspage.components.uptime import daily_uptime, last_days
from statuspage.demo import DatabaseNotEmptyError, load_demo
from statuspage.extensions import db
from statuspage.incidents.models import Impact, Incident, IncidentStatus
from statuspage.maintenance.models import Maintenance, MaintenanceStatus
from statuspage.site.queries import get_page_settings

BERLIN = ZoneInfo("Europe/Berlin")
BAD = {ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.PARTIAL_OUTAGE,
       ComponentStatus.MAJOR_OUTAGE}


def all_of(model):
    return db.session.scalars(sa.select(model).order_by(model.id)).all()


def history(component):
    return [(c.changed_at, c.status) for c in db.session.scalars(
        sa.select(ComponentStatusChange).where(ComponentStatusChange.component_id == component.id)
        .order_by(ComponentStatusChange.changed_at, ComponentStatusChange.id)
    )]


def test_summary_settings_and_staff(demo):
    assert demo.counts["groups"] == 4
    assert demo.counts["components"] == 12
    assert demo.counts["users"] == 3
    assert (demo.admin_email, demo.admin_password) == ("admin@example.com", "statuspage-demo")

    settings = get_page_settings()
    assert settings.id is not None
    assert settings.name == "Acme Cloud"
    assert settings.time_zone == "Europe/Berlin"
    assert settings.default_language == "en"
    assert settings.support_url

    roles = {u.email: u.role for u in all_of(User)}
    assert roles == {"admin@example.com": Role.ADMIN, "comms@example.com": Role.COMMUNICATOR,
                     "support@example.com": Role.SUPPORT}
    assert all(verify_password(u.password_hash, "statuspage-demo") for u in all_of(User))


def test_components_cover_the_display_options(demo):
    components = all_of(Component)
    assert {c.name for c in components} >= {"API", "Dashboard", "Webhooks", "Authentication",
                                            "Database", "CDN", "Email delivery"}
    assert all(c.group is not None for c in components)
    today = utcnow().astimezone(BERLIN).date()
    [new] = [c for c in components if c.start_date is not None]
    assert timedelta(days=25) <= today - new.start_date <= timedelta(days=35)
    assert sum(c.only_show_if_degraded for c in components) == 1
    assert sum(not c.showcase for c in components) == 1


def test_incidents_tell_realistic_stories(demo):
    incidents = all_of(Incident)
    open_ = [i for i in incidents if i.status.is_open]
    resolved = [i for i in incidents if not i.status.is_open]

    [active] = open_
    assert active.public_id == demo.active_incident_id
    assert active.status is IncidentStatus.IDENTIFIED
    assert [(c.name, c.status) for c in active.components] == [
        ("Dashboard", ComponentStatus.DEGRADED_PERFORMANCE)]
    assert active.impact is Impact.MINOR

    assert 10 <= len(resolved) <= 14
    assert {i.impact for i in resolved} >= {Impact.MINOR, Impact.MAJOR, Impact.CRITICAL}
    full = [i for i in resolved if [u.status for u in reversed(i.updates)] == [
        IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING,
        IncidentStatus.RESOLVED]]
    assert len(full) >= 8
    assert all(len(i.updates) >= 2 and i.resolved_at for i in resolved)
    assert any("**" in u.body or "\n- " in u.body for i in incidents for u in i.updates)

    [postmortem] = [i for i in incidents if i.postmortem_body]
    assert postmortem.status is IncidentStatus.POSTMORTEM
    assert postmortem.postmortem_published_at <= utcnow()

    now = utcnow()
    assert all(u.display_at <= now for i in incidents for u in i.updates)
    assert all(u.notify is False for i in incidents for u in i.updates)
    [backfilled] = [i for i in incidents if i.backfilled]
    assert not backfilled.status.is_open


def test_history_spans_90_days_with_varied_bad_days(demo):
    now = utcnow()
    today = now.astimezone(BERLIN).date()
    days = last_days(today, 90)
    bad_days: Counter[ComponentStatus] = Counter()
    earliest = now
    for component in all_of(Component):
        changes = history(component)
        if changes:
            earliest = min(earliest, changes[0][0])
        for day in daily_uptime(changes, initial_status=ComponentStatus.OPERATIONAL,
                                start_date=component.start_date, days=days, tz=BERLIN, now=now,
                                partial_weight=0.3):
            if day.has_data and day.worst in BAD:
                bad_days[day.worst] += 1
            if component.start_date and day.day < component.start_date:
                assert not day.has_data
    assert timedelta(days=80) <= now - earliest <= timedelta(days=90)
    assert all(bad_days[status] >= 2 for status in BAD), bad_days
    assert sum(bad_days.values()) >= 15


def test_an_outage_crosses_midnight_in_the_page_time_zone(demo):
    crossing = []
    for component in all_of(Component):
        changes = history(component)
        for (start, status), (end, _next) in zip(changes, changes[1:], strict=False):
            if status is ComponentStatus.MAJOR_OUTAGE and (
                start.astimezone(BERLIN).date() != end.astimezone(BERLIN).date()
            ):
                crossing.append(component.name)
    assert crossing


def test_maintenance_past_and_upcoming(demo):
    now = utcnow()
    by_status = {m.status: m for m in all_of(Maintenance)}
    upcoming = by_status[MaintenanceStatus.SCHEDULED]
    assert upcoming.public_id == demo.upcoming_maintenance_id
    assert timedelta(days=1) <= upcoming.scheduled_for - now <= timedelta(days=3)
    assert upcoming.auto_start
    assert upcoming.auto_complete
    assert upcoming.components

    done = by_status[MaintenanceStatus.COMPLETED]
    assert done.completed_at < now
    assert [u.status for u in sorted(done.updates, key=lambda u: u.display_at)] == [
        MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.COMPLETED]
    under = {s for c in done.components for _at, s in history(c)}
    assert ComponentStatus.UNDER_MAINTENANCE in under
    assert all(c.status is ComponentStatus.OPERATIONAL for c in done.components)


def test_load_refuses_a_non_empty_database_unless_forced(app_ctx):
    create_user("someone@example.com", "long enough password", "support")
    with pytest.raises(DatabaseNotEmptyError):
        load_demo()
    assert all_of(Component) == []

    summary = load_demo(force=True)
    assert summary.counts["users"] == 3
    assert "someone@example.com" not in {u.email for u in all_of(User)}


def test_forced_reload_replaces_everything_and_is_deterministic(app_ctx, frozen_clock):
    first = load_demo()
    starts = [(i.name, i.started_at) for i in all_of(Incident)]
    second = load_demo(force=True)
    assert second.counts == first.counts
    assert second.active_incident_id != first.active_incident_id
    assert [(i.name, i.started_at) for i in all_of(Incident)] == starts


def test_cli_refuses_then_skips_then_forces(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo loaded: 4 groups, 12 components" in result.output
    assert "admin@example.com" in result.output

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert "--force" in result.output

    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "database not empty, demo skipped" in result.output

    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    assert "demo loaded" in result.output

    result = runner.invoke(args=["demo", "--force", "--if-empty"])
    assert result.exit_code == 2


def test_cli_if_empty_loads_into_an_empty_database(app, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "demo loaded" in result.output
    with app.app_context():
        assert len(all_of(Component)) == 12


def test_support_view_has_customers_an_alert_and_wording(demo, app):
    from statuspage.customers.models import Customer
    from statuspage.internal.models import InternalIncident, InternalStatus

    customers = {c.name: c for c in all_of(Customer)}
    assert set(customers) == {"Globex Corporation", "Initech GmbH", "Umbrella Health"}
    [alert] = all_of(InternalIncident)
    assert alert.status is InternalStatus.ACKNOWLEDGED
    active = db.session.scalars(
        sa.select(Incident).where(Incident.public_id == demo.active_incident_id)
    ).one()
    assert alert.public_incidents == [active]
    assert [c.name for c in alert.components] == ["Dashboard"]

    from tests.admin.conftest import sign_in

    client = app.test_client()
    sign_in(client, "support@example.com", demo.admin_password)
    found = client.get("/support/customers?q=someone@initech.example")
    assert found.status_code == 200
    assert "Initech GmbH" in found.get_data(as_text=True)
    now = client.get("/support/").get_data(as_text=True)
    assert "Dashboard p95 latency above 2 s" in now
    assert "Your data and the API are not affected" in now
