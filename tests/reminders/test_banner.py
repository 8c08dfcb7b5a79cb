"""The reminder banner on every console page: who sees it, who may dismiss it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import ComponentStatus, StatusCause
from statuspage.components.services import create_component, set_component_status
from statuspage.extensions import db
from statuspage.incidents.services import create_incident, post_update
from statuspage.reminders.models import Reminder
from statuspage.reminders.services import run_due_reminders

from ..admin.conftest import csrf_from


def overdue_incident(app, frozen_clock):
    with app.app_context():
        api = create_component("API")
        incident = create_incident(
            "Errors on the API", "investigating", "x", {api: ComponentStatus.MAJOR_OUTAGE}
        )
        public_id = incident.public_id
        db.session.remove()
    frozen_clock.advance(timedelta(minutes=20))
    return public_id


def test_communicators_see_the_banner_on_every_page_and_can_dismiss_it(
    app, signed_in, frozen_clock
):
    public_id = overdue_incident(app, frozen_clock)
    client = signed_in("communicator")
    for url in ("/admin/", "/admin/incidents", "/admin/reports"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert (
            "A public update is due for “Errors on the API”: the last one was 20 min ago."
            in page.text
        )
        assert f'href="/admin/incidents/{public_id}/update"' in page.text
    page = client.get("/admin/incidents")
    response = client.post(
        "/admin/reminders/dismiss",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "update_due",
            "subject": f"incident:{public_id}",
            "due_at": _field(page.text, "due_at"),
            "next": "/admin/incidents",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/incidents"
    page = client.get("/admin/incidents")
    assert "Reminder dismissed." in page.text
    assert "A public update is due" not in page.text
    with app.app_context():
        [row] = db.session.scalars(sa.select(Reminder)).all()
        assert row.dismissed_at is not None
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action == "reminder.dismiss"
                )
            )
            == 1
        )
        # Dismissing does not swallow the broadcast: the worker still sends it once.
        assert run_due_reminders(frozen_clock.now) == 1
        assert run_due_reminders(frozen_clock.now) == 0


def test_the_next_due_period_shows_again_after_a_dismissal(app, signed_in, frozen_clock):
    public_id = overdue_incident(app, frozen_clock)
    client = signed_in("communicator")
    page = client.get("/admin/")
    client.post(
        "/admin/reminders/dismiss",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "update_due",
            "subject": f"incident:{public_id}",
            "due_at": _field(page.text, "due_at"),
        },
    )
    assert "A public update is due" not in client.get("/admin/").text
    with app.app_context():
        from statuspage.incidents.models import Incident

        incident = db.session.scalars(sa.select(Incident)).one()
        post_update(incident, "identified", "Found it.")
        db.session.remove()
    frozen_clock.advance(timedelta(minutes=15))
    assert "A public update is due" in client.get("/admin/").text


def test_a_stale_reminder_cannot_be_dismissed(app, signed_in, frozen_clock):
    public_id = overdue_incident(app, frozen_clock)
    client = signed_in("communicator")
    page = client.get("/admin/")
    response = client.post(
        "/admin/reminders/dismiss",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "update_due",
            "subject": f"incident:{public_id}",
            "due_at": "2020-01-01T00:00:00+00:00",
        },
        follow_redirects=True,
    )
    assert "This reminder is no longer due." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 0


def test_support_sees_the_banner_but_cannot_dismiss(app, signed_in, frozen_clock):
    public_id = overdue_incident(app, frozen_clock)
    client = signed_in("support")
    page = client.get("/admin/")
    assert "A public update is due for “Errors on the API”" in page.text
    assert f'href="/admin/incidents/{public_id}"' in page.text
    assert "/admin/reminders/dismiss" not in page.text
    assert "Post an update" not in page.text.split('id="reminders"')[1].split("</section>")[0]
    response = client.post(
        "/admin/reminders/dismiss",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "update_due",
            "subject": f"incident:{public_id}",
            "due_at": "x",
        },
    )
    assert response.status_code == 403


def test_a_stale_component_shows_with_a_link_to_open_an_incident(app, signed_in, frozen_clock):
    with app.app_context():
        api = create_component("API")
        set_component_status(api, ComponentStatus.PARTIAL_OUTAGE, cause=StatusCause.MANUAL)
        api_id = api.public_id
        db.session.remove()
    frozen_clock.advance(timedelta(hours=3))
    page = signed_in("admin").get("/admin/")
    assert "No incident is open for API, which has shown “Partial Outage” for 3 hr." in page.text
    assert 'href="/admin/incidents/new"' in page.text
    assert f'href="/admin/components/{api_id}"' in page.text


def _field(html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def test_a_malformed_dismissal_is_a_400(app, signed_in, frozen_clock):
    overdue_incident(app, frozen_clock)
    client = signed_in("communicator")
    page = client.get("/admin/")
    response = client.post(
        "/admin/reminders/dismiss",
        data={"csrf_token": csrf_from(page.text), "kind": "nonsense", "subject": "x"},
    )
    assert response.status_code == 400
    assert "This is not a reminder" in response.text
