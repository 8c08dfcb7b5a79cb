"""Maintenance in the console: schedule, prefill from a template, edit, transitions, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import ComponentStatus
from statuspage.maintenance.models import Maintenance, MaintenanceStatus, MaintenanceUpdate

from .conftest import csrf_from, post_form
from .console_pages import (
    component_statuses,
    db_session,
    field_errors,
    headline,
    parse,
    row_counts,
    section_text,
)

# The frozen clock says 2026-11-25 12:00 UTC, which is 13:00 in Berlin (CET, UTC+1).
BERLIN_TOMORROW_10 = "2026-11-26T10:00"
BERLIN_TOMORROW_12 = "2026-11-26T12:00"


@dataclass(frozen=True)
class World:
    api: str
    database: str
    maintenance: str  # scheduled tomorrow 10:00-12:00 Berlin, on the API


@pytest.fixture
def world(app, staff, frozen_clock) -> World:
    """A page in Berlin time, two components and one scheduled window."""
    from statuspage.components.services import create_component, create_group
    from statuspage.maintenance.services import schedule_maintenance
    from statuspage.site.models import PageSettings

    with db_session(app) as session:
        session.add(PageSettings(name="Acme Status", time_zone="Europe/Berlin"))
        session.commit()
        core = create_group("Core")
        api = create_component("API", group=core)
        database = create_component("Database", group=core)
        start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        window = schedule_maintenance(
            "Network upgrade", "Short blips.", [api], start, start + timedelta(hours=2)
        )
        return World(api.public_id, database.public_id, window.public_id)


def schedule_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Database upgrade",
        "body": "We upgrade the **database**.",
        "components": [world.database],
        "scheduled_for": BERLIN_TOMORROW_10,
        "scheduled_until": BERLIN_TOMORROW_12,
        "auto_start": "y",
        "auto_complete": "y",
        "notify_on_start": "y",
        "notify_on_complete": "y",
        "remind_before_minutes": "30",
        "notify": "y",
    }
    data.update(overrides)
    return data


def post_prefixed(client, url: str, prefix: str, data: dict[str, object], form_url: str):
    """POST one of several forms on a page: its fields, CSRF token included, carry a prefix."""
    token = csrf_from(client.get(form_url).text)
    return client.post(
        url, data={f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in data.items()}}
    )


def maintenance_named(app, name: str) -> Maintenance | None:
    with db_session(app) as session:
        found = session.scalar(sa.select(Maintenance).where(Maintenance.name == name))
        if found is not None:
            session.expunge(found)
        return found


def test_schedule_through_the_form_shows_it_upcoming_on_the_public_page(app, signed_in, world):
    client = signed_in("communicator")
    response = post_form(client, "/admin/maintenance/new", schedule_data(world))
    assert response.status_code == 302, field_errors(response.text)

    window = maintenance_named(app, "Database upgrade")
    assert window is not None
    assert response.location == f"/admin/maintenance/{window.public_id}"
    # Entered in the page's zone (Berlin), stored in UTC.
    assert window.scheduled_for == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert window.scheduled_until == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert window.remind_before_minutes == 30
    assert window.status is MaintenanceStatus.SCHEDULED
    with db_session(app) as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "maintenance.schedule")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry.actor_label == "comms@example.com"
        assert entry.actor_id is not None
        [announcement] = session.scalars(
            sa.select(MaintenanceUpdate).where(MaintenanceUpdate.maintenance_id == window.id)
        ).all()
        assert announcement.notify is True

    detail = client.get(response.location)
    assert "We upgrade the <strong>database</strong>." in detail.text
    upcoming = section_text(client.get("/").text, "maintenance-upcoming")
    assert "Database upgrade" in upcoming


def test_the_form_shows_times_in_the_page_zone(signed_in, world):
    client = signed_in("communicator")
    page = client.get(f"/admin/maintenance/{world.maintenance}/edit")
    assert 'value="2026-11-26T10:00"' in page.text
    assert "Europe/Berlin" in page.text
    new = client.get("/admin/maintenance/new")
    # Default: tomorrow at the next full hour, page time.
    assert 'value="2026-11-26T14:00"' in new.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"body": "x" * 20_001}, "body"),
        ({"scheduled_until": "2026-11-26T09:00"}, "scheduled_until"),
        ({"scheduled_until": BERLIN_TOMORROW_10}, "scheduled_until"),
        ({"scheduled_for": "tomorrow"}, "scheduled_for"),
        ({"scheduled_for": ""}, "scheduled_for"),
        ({"components": ["nosuchcompo"]}, "components"),
        ({"remind_before_minutes": "soon"}, "remind_before_minutes"),
        ({"remind_before_minutes": "0"}, "remind_before_minutes"),
        # 02:30 on the last Sunday of March does not exist in Berlin.
        ({"scheduled_for": "2027-03-28T02:30", "scheduled_until": "2027-03-28T05:00"},
         "scheduled_for"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_the_field_and_writes_nothing(
    app, signed_in, world, overrides, field
):
    client = signed_in("communicator")
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = post_form(client, "/admin/maintenance/new", schedule_data(world, **overrides))
    assert response.status_code == 400
    assert field in field_errors(response.text), field_errors(response.text)
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before
    # The user's input is kept.
    if "name" not in overrides:
        assert 'value="Database upgrade"' in response.text


def test_end_before_start_says_so_beside_the_end(signed_in, world):
    client = signed_in("communicator")
    response = post_form(
        client, "/admin/maintenance/new", schedule_data(world, scheduled_until="2026-11-26T09:00")
    )
    assert field_errors(response.text) == {
        "scheduled_until": "The window must end after it starts."
    }


def test_a_stale_form_is_explained_and_writes_nothing(app, signed_in, world):
    client = signed_in("communicator")
    client.get("/admin/maintenance/new")
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = client.post("/admin/maintenance/new", data=schedule_data(world))
    assert response.status_code == 400
    assert "open too long" in response.text
    assert 'value="Database upgrade"' in response.text
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before


def make_maintenance_template(app, world: World, **extra: object) -> str:
    from statuspage.components.services import find_component
    from statuspage.incidents.template_services import create_template

    with db_session(app):
        template = create_template(
            "maintenance",
            "Planned upgrade",
            "{component} upgrade",
            "From {start} to {end}, {component} may be slow. — {page}",
            "scheduled",
            [find_component(world.database)],
            notify=False,
            **extra,
        )
        return template.public_id


def test_a_template_prefills_the_form_with_variables_filled(app, signed_in, world):
    template_id = make_maintenance_template(app, world)
    client = signed_in("communicator")
    page = client.get(f"/admin/maintenance/new?template={template_id}")
    assert page.status_code == 200
    assert 'value="Database upgrade"' in page.text
    assert (
        "From 2026-11-26 14:00 CET to 2026-11-26 15:00 CET, Database may be slow. — Acme Status"
        in page.text
    )
    assert f'value="{world.database}" id="components-1" checked' in page.text
    # The template does not notify: the box starts unticked.
    assert 'id="notify" name="notify" type="checkbox"' in page.text


def test_fill_from_template_uses_the_times_and_components_in_the_form(app, signed_in, world):
    template_id = make_maintenance_template(app, world)
    client = signed_in("communicator")
    page = client.get("/admin/maintenance/new")
    before = row_counts(app, Maintenance)
    response = client.post(
        "/admin/maintenance/new",
        data={
            "csrf_token": csrf_from(page.text),
            "template": template_id,
            "fill": "1",
            "components": [world.api],
            "scheduled_for": "2026-12-01T22:00",
            "scheduled_until": "2026-12-01T23:30",
        },
    )
    assert response.status_code == 200
    assert 'value="API upgrade"' in response.text
    assert "From 2026-12-01 22:00 CET to 2026-12-01 23:30 CET, API may be slow." in response.text
    assert row_counts(app, Maintenance) == before


def test_edit_a_scheduled_window_is_audited_with_before_and_after(app, signed_in, world):
    client = signed_in("communicator")
    url = f"/admin/maintenance/{world.maintenance}/edit"
    response = post_form(
        client,
        url,
        {
            "name": "Network upgrade, part 1",
            "body": "Longer blips.",
            "components": [world.api, world.database],
            "scheduled_for": "2026-11-26T11:00",
            "scheduled_until": "2026-11-26T13:00",
            "auto_start": "y",
            "notify_on_start": "y",
            "remind_before_minutes": "15",
        },
    )
    assert response.status_code == 302, field_errors(response.text)
    with db_session(app) as session:
        window = session.scalar(
            sa.select(Maintenance).where(Maintenance.public_id == world.maintenance)
        )
        assert window.name == "Network upgrade, part 1"
        assert window.scheduled_for == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
        assert window.auto_complete is False
        assert window.notify_on_complete is False
        assert window.remind_before_minutes == 15
        assert [c.public_id for c in window.components] == [world.api, world.database]
        assert window.updates[-1].body == "Longer blips."
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "maintenance.edit"))
        assert entry.actor_label == "comms@example.com"
        assert entry.before["name"] == "Network upgrade"
        assert entry.before["body"] == "Short blips."
        assert entry.after["name"] == "Network upgrade, part 1"
        assert entry.after["components"] == [world.api, world.database]


def test_edit_refuses_bad_input_and_writes_nothing(app, signed_in, world):
    client = signed_in("communicator")
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = post_form(
        client,
        f"/admin/maintenance/{world.maintenance}/edit",
        {"name": "", "scheduled_for": BERLIN_TOMORROW_12, "scheduled_until": BERLIN_TOMORROW_10},
    )
    assert response.status_code == 400
    assert set(field_errors(response.text)) == {"name", "scheduled_until"}
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before


def test_manual_start_puts_components_under_maintenance_on_the_public_page(
    app, signed_in, world
):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    response = post_prefixed(
        client, f"{detail}/start", "start", {"body": "Work has begun."}, detail
    )
    assert response.status_code == 302
    public = client.get("/").text
    assert component_statuses(public)[world.api] == ComponentStatus.UNDER_MAINTENANCE.value
    assert component_statuses(public)[world.database] == ComponentStatus.OPERATIONAL.value
    assert headline(public) == "maintenance"
    assert "Network upgrade" in section_text(public, "maintenance-in-progress")
    assert "Work has begun." in client.get(detail).text

    # Verifying, then complete: the components come back.
    assert post_prefixed(client, f"{detail}/verify", "verify", {}, detail).status_code == 302
    with db_session(app) as session:
        status = session.scalar(
            sa.select(Maintenance.status).where(Maintenance.public_id == world.maintenance)
        )
        assert status is MaintenanceStatus.VERIFYING
    assert post_prefixed(client, f"{detail}/complete", "complete", {}, detail).status_code == 302
    public = client.get("/").text
    assert component_statuses(public)[world.api] == ComponentStatus.OPERATIONAL.value
    assert headline(public) == "none"
    # A completed window cannot be edited any more.
    assert client.get(f"{detail}/edit").status_code == 302


def test_a_transition_that_does_not_apply_is_refused(app, signed_in, world):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = post_prefixed(client, f"{detail}/verify", "verify", {}, detail)
    assert response.status_code == 400
    assert "Only a maintenance in progress can be verified." in response.text
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before


def test_transition_message_too_long_is_refused_beside_it(app, signed_in, world):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = post_prefixed(client, f"{detail}/start", "start", {"body": "x" * 20_001}, detail)
    assert response.status_code == 400
    assert "start-body" in field_errors(response.text)
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before


def test_post_an_update_shows_on_the_public_maintenance_page(app, signed_in, world):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    empty = post_prefixed(client, f"{detail}/updates", "update", {"body": "  "}, detail)
    assert empty.status_code == 400
    assert field_errors(empty.text) == {"update-body": "Write a message."}

    response = post_prefixed(
        client, f"{detail}/updates", "update", {"body": "Moved by an hour."}, detail
    )
    assert response.status_code == 302
    assert "Moved by an hour." in client.get(f"/maintenance/{world.maintenance}").text
    with db_session(app) as session:
        update = session.scalar(
            sa.select(MaintenanceUpdate).where(MaintenanceUpdate.body == "Moved by an hour.")
        )
        # The checkbox was not sent: no notification.
        assert update.notify is False
        assert update.status is MaintenanceStatus.SCHEDULED


def test_support_may_look_but_not_write(app, signed_in, world):
    client = signed_in("support")
    detail = f"/admin/maintenance/{world.maintenance}"
    assert client.get("/admin/maintenance").status_code == 200
    page = client.get(detail)
    assert page.status_code == 200
    assert "Start now" not in page.text
    token = csrf_from(page.text)
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    for url in ["/admin/maintenance/new", f"{detail}/edit"]:
        assert client.get(url).status_code == 403, url
    for url in [
        "/admin/maintenance/new",
        f"{detail}/edit",
        f"{detail}/start",
        f"{detail}/verify",
        f"{detail}/complete",
        f"{detail}/updates",
    ]:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before


def test_unknown_window_is_404(signed_in, world):
    client = signed_in("communicator")
    assert client.get("/admin/maintenance/nosuchwindow").status_code == 404
    assert client.get("/admin/maintenance/nosuchwindow/edit").status_code == 404


def test_list_groups_windows_by_state(signed_in, world):
    client = signed_in("support")
    page = client.get("/admin/maintenance").text
    assert "Network upgrade" in section_text(page, "maintenance-upcoming")
    assert "Network upgrade" not in section_text(page, "maintenance-active")
    assert "Nov 26, 2026, 10:00" in page  # Berlin time


def test_detail_offers_template_wording_for_the_next_step(app, signed_in, world):
    from statuspage.incidents.template_services import create_template

    with db_session(app):
        started = create_template(
            "maintenance", "Started", "x", "Work on {component} until {end} began.", "in_progress"
        ).public_id
        done = create_template(
            "maintenance", "Done", "x", "{component} is back.", "completed"
        ).public_id
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    page = client.get(detail).text
    assert f"{detail}?use={started}#transition-start" in page
    assert f"{detail}?use={done}#transition-complete" in page

    filled = client.get(f"{detail}?use={started}")
    start_form = parse(filled.text).one("id", "start-body")
    assert start_form.text == "Work on API until 2026-11-26 12:00 CET began."
    # Nothing was written by filling.
    with db_session(app) as session:
        status = session.scalar(
            sa.select(Maintenance.status).where(Maintenance.public_id == world.maintenance)
        )
        assert status is MaintenanceStatus.SCHEDULED


# -- cancelling ---------------------------------------------------------------------------


def test_cancel_from_the_edit_page_after_confirming(app, signed_in, world):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    edit = parse(client.get(f"{detail}/edit").text)
    link = edit.one("id", "cancel-maintenance-link").attrs["href"]
    assert link == f"{detail}/cancel"

    # The confirm step: GET shows what happens and writes nothing.
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert "Cancel “Network upgrade”?" in confirm.text
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before

    response = post_form(
        client, link, {"body": "The switch vendor postponed.", "notify": "y"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == detail
    page = client.get(detail).text
    assert "is cancelled." in page
    assert parse(page).one("id", "maintenance-status").text == "Cancelled"
    assert "The switch vendor postponed." in page
    assert 'id="cancel-maintenance-link"' not in page
    with db_session(app) as session:
        window = session.scalar(
            sa.select(Maintenance).where(Maintenance.public_id == world.maintenance)
        )
        assert window.cancelled_at is not None
        assert window.cancelled_by_id is not None
        assert window.status is MaintenanceStatus.COMPLETED
        actions = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_id == world.maintenance)
        ).all()
        assert "maintenance.cancel" in actions

    # The list shows a Cancelled badge among the past windows, none upcoming.
    listing = client.get("/admin/maintenance").text
    assert "Network upgrade" not in section_text(listing, "maintenance-upcoming")
    row = parse(listing).one("data-maintenance-id", world.maintenance)
    assert row.attrs["data-status"] == "cancelled"
    assert "Cancelled" in row.text
    assert "Network upgrade" in section_text(listing, "maintenance-past")

    # The public page says so; edit and a second cancel are refused.
    public = client.get(f"/maintenance/{world.maintenance}").text
    assert "Cancelled" in public
    assert "Network upgrade" not in client.get("/").text
    assert client.get(f"{detail}/edit").status_code == 302
    assert client.get(link).status_code == 302
    again = post_form(client, link, {}, form_url=detail)
    assert again.status_code == 400
    assert "already cancelled" in again.text


def test_cancel_without_a_csrf_token_is_refused_and_writes_nothing(app, signed_in, world):
    client = signed_in("communicator")
    before = row_counts(app, Maintenance, MaintenanceUpdate)
    response = client.post(f"/admin/maintenance/{world.maintenance}/cancel", data={"notify": "y"})
    assert response.status_code == 400
    assert row_counts(app, Maintenance, MaintenanceUpdate) == before
    with db_session(app) as session:
        assert session.scalar(
            sa.select(Maintenance.cancelled_at).where(Maintenance.public_id == world.maintenance)
        ) is None


def test_cancel_in_progress_from_the_detail_page_gives_components_back(app, signed_in, world):
    client = signed_in("communicator")
    detail = f"/admin/maintenance/{world.maintenance}"
    post_prefixed(client, f"{detail}/start", "start", {}, detail)
    assert component_statuses(client.get("/").text)[world.api] == "under_maintenance"
    link = parse(client.get(detail).text).one("id", "cancel-maintenance-link").attrs["href"]
    confirm = client.get(link).text
    assert "get back the status they had before it started" in confirm

    assert post_form(client, link, {}).status_code == 302
    public = client.get("/").text
    assert component_statuses(public)[world.api] == ComponentStatus.OPERATIONAL.value
    assert headline(public) == "none"
    timeline = client.get(detail).text
    assert "This maintenance has been cancelled." in timeline
    with db_session(app) as session:
        update = session.scalar(
            sa.select(MaintenanceUpdate).where(
                MaintenanceUpdate.body == "This maintenance has been cancelled."
            )
        )
        # The checkbox was not sent: nobody is notified.
        assert update.notify is False


def test_support_cannot_cancel(app, signed_in, world):
    client = signed_in("support")
    detail = f"/admin/maintenance/{world.maintenance}"
    page = client.get(detail)
    assert 'id="cancel-maintenance-link"' not in page.text
    assert client.get(f"{detail}/cancel").status_code == 403
    token = csrf_from(page.text)
    response = client.post(f"{detail}/cancel", data={"csrf_token": token})
    assert response.status_code == 403
