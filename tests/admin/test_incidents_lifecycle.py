"""After publishing: edit an update, resolve, backfill, postmortem, hide, delete, preview."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.signals import incident_published, postmortem_published

from .conftest import csrf_from
from .incidents_world import (
    STALE,
    audit_entries,
    build,
    component_statuses,
    counts,
    error_of,
    local_input,
    read,
    scraped,
    submit,
)


@pytest.fixture
def world(app, frozen_clock):
    return build(app)


@pytest.fixture
def comms(signed_in):
    return signed_in("communicator")


def incident_row(app, public_id):
    from statuspage.incidents.services import find_incident

    def fetch():
        incident = find_incident(public_id)
        if incident is None:
            return None
        return {
            "status": incident.status.value,
            "hidden": incident.hidden,
            "backfilled": incident.backfilled,
            "impact": incident.impact.value,
            "started_at": incident.started_at,
            "resolved_at": incident.resolved_at,
            "postmortem_body": incident.postmortem_body,
            "postmortem_published_at": incident.postmortem_published_at,
            "updates": [
                (u.status.value, u.body, u.notify, u.display_at)
                for u in sorted(incident.updates, key=lambda u: (u.display_at, u.id))
            ],
        }

    return read(app, fetch)


def history(app):
    from statuspage.components.models import ComponentStatusChange
    from statuspage.extensions import db

    def fetch():
        rows = db.session.scalars(
            sa.select(ComponentStatusChange).order_by(
                ComponentStatusChange.changed_at, ComponentStatusChange.id
            )
        ).all()
        return [(r.component.name, r.status.value, r.changed_at, r.incident_id) for r in rows]

    return read(app, fetch)


def edit_url(world):
    return f"/admin/incidents/{world.incident}/updates/{world.update}/edit"


# --------------------------------------------------------------------------- edit an update


def test_fixing_a_typo_updates_the_public_page_without_notifying(app, world, comms):
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        page = comms.get(edit_url(world))
        assert "The dashboard is slow." in page.text
        assert not re.search(r'id="notify_again"[^>]*checked', page.text)
        response = submit(comms, edit_url(world), {"body": "The dashboard is very slow."})
    assert response.status_code == 302
    assert published == []
    row = incident_row(app, world.incident)
    assert row["updates"][0][1] == "The dashboard is very slow."
    # The time was left alone: it keeps its seconds.
    assert row["updates"][0][3] == row["started_at"]
    [entry] = audit_entries(app, "incident.update_edit")
    assert entry["object_id"] == world.update
    assert entry["before"]["body"] == "The dashboard is slow."
    assert entry["after"]["body"] == "The dashboard is very slow."
    assert entry["after"]["notify_again"] is False
    assert "The dashboard is very slow." in comms.get(f"/incidents/{world.incident}").text
    assert "edited" not in comms.get(f"/admin/incidents/{world.incident}").text  # same instant


def test_notify_again_sends_the_update_once_more(app, world, comms):
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(comms, edit_url(world), {"body": "Fixed typo.", "notify_again": "y"})
    assert response.status_code == 302
    assert [p["notify"] for p in published] == [True]
    assert audit_entries(app, "incident.update_edit")[0]["after"]["notify_again"] is True


def test_a_stale_edit_is_refused_beside_the_body_and_writes_nothing(
    app, world, comms, frozen_clock
):
    from statuspage.incidents.services import edit_update, find_incident, find_update

    page = comms.get(edit_url(world))
    frozen_clock.advance(timedelta(minutes=2))

    def other_edit():
        incident = find_incident(world.incident)
        edit_update(find_update(incident, world.update), "Someone else's wording.", actor="other")

    read(app, other_edit)
    before = counts(app)
    payload = scraped(page.text, edit_url(world))
    payload.update({"csrf_token": csrf_from(page.text), "body": "My wording."})
    response = comms.post(edit_url(world), data=payload)
    assert response.status_code == 400
    assert "Someone else changed this update" in error_of(response.text, "body")
    assert "My wording." in response.text  # what I typed is kept
    assert "<p>Someone else's wording.</p>" in response.text  # and theirs is shown
    assert counts(app) == before
    assert incident_row(app, world.incident)["updates"][0][1] == "Someone else's wording."
    # Sending the re-rendered form again, on purpose, overwrites.
    again = scraped(response.text, edit_url(world))
    again["csrf_token"] = csrf_from(response.text)
    assert comms.post(edit_url(world), data=again).status_code == 302
    assert incident_row(app, world.incident)["updates"][0][1] == "My wording."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"body": "x" * 20_001}, "body", "Use at most 20000 characters."),
        ({"display_at": "2026-11-25T14:00"}, "display_at", "cannot be dated in the future"),
        ({"display_at": "2026-11-25T12:00"}, "display_at", "before the incident started"),
        ({"version": "garbled"}, "version", "incomplete"),
    ],
)
def test_edit_rejects_bad_input_and_writes_nothing(app, world, comms, overrides, field, message):
    before = counts(app)
    response = submit(comms, edit_url(world), overrides)
    assert response.status_code == 400
    assert message in error_of(response.text, field)
    assert counts(app) == before


def test_edit_can_move_the_display_time(app, world, comms, frozen_clock):
    frozen_clock.advance(timedelta(hours=1))
    response = submit(comms, edit_url(world), {"display_at": "2026-11-25T13:30"})
    assert response.status_code == 302
    assert incident_row(app, world.incident)["updates"][0][3] == frozen_clock.now - timedelta(
        minutes=30
    )
    detail = comms.get(f"/admin/incidents/{world.incident}").text
    assert '<span class="flag">edited</span>' in detail


# --------------------------------------------------------------------------- resolve


def test_resolve_offers_the_affected_components_and_restores_them(app, world, comms):
    url = f"/admin/incidents/{world.incident}/resolve"
    page = comms.get(url).text
    assert "This incident has been resolved." in page
    assert re.search(rf'value="{world.web}"[^>]*checked', page)
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(comms, url)
    assert response.status_code == 302
    row = incident_row(app, world.incident)
    assert row["status"] == "resolved"
    assert row["updates"][-1][:3] == ("resolved", "This incident has been resolved.", True)
    assert component_statuses(app)["Dashboard"] == "operational"
    assert [p["notify"] for p in published] == [True]
    public = comms.get("/").text
    assert re.search(r'id="headline" data-indicator="none"', public)
    # A resolved incident cannot be resolved again.
    again = comms.get(url)
    assert again.status_code == 302


def test_resolve_leaves_unticked_components_alone(app, world, comms):
    url = f"/admin/incidents/{world.incident}/resolve"
    response = submit(comms, url, remove=("restore",), overrides={"notify": ""})
    assert response.status_code == 302
    assert component_statuses(app)["Dashboard"] == "degraded_performance"
    assert incident_row(app, world.incident)["updates"][-1][2] is False


def test_resolve_does_not_tick_a_component_another_incident_holds(app, world, comms):
    from statuspage.components.services import find_component
    from statuspage.incidents.services import create_incident

    read(
        app,
        lambda: create_incident(
            "Also slow", "identified", "", {find_component(world.web): "partial_outage"}
        ),
    )
    page = comms.get(f"/admin/incidents/{world.incident}/resolve").text
    assert not re.search(rf'value="{world.web}"[^>]*checked', page)
    assert "another open incident affects it" in page


def test_resolve_rejects_an_unknown_component(app, world, comms):
    before = counts(app)
    response = submit(
        comms, f"/admin/incidents/{world.incident}/resolve", {"restore": [world.web, "nosuchthing"]}
    )
    assert response.status_code == 400
    assert "unknown" in error_of(response.text, "restore")
    assert counts(app) == before


# --------------------------------------------------------------------------- backfill


def test_backfill_records_a_past_incident_without_notifying(app, world, comms, frozen_clock):
    published = []
    start = frozen_clock.now - timedelta(days=3)
    end = start + timedelta(hours=2)
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(
            comms,
            "/admin/incidents/backfill",
            {
                "name": "SMS delays last week",
                f"components-{world.mail}": "partial_outage",
                "started_at": local_input(start),
                "resolved_at": local_input(end),
                "body": "Some messages were late.",
                "notify": "y",  # posted by hand: still never notifies
            },
        )
    assert response.status_code == 302
    incident_id = response.headers["Location"].rsplit("/", 1)[1]
    row = incident_row(app, incident_id)
    assert row["backfilled"] is True
    assert row["status"] == "resolved"
    assert (row["started_at"], row["resolved_at"]) == (start, end)
    assert row["impact"] == "major"
    assert [u[2] for u in row["updates"]] == [False, False]
    assert [p["notify"] for p in published] == [False, False]
    # The outage is in the history (uptime) and the component is as it was.
    assert component_statuses(app)["Email"] == "operational"
    mail_history = [(s, at) for name, s, at, _incident in history(app) if name == "Email"]
    assert mail_history == [("partial_outage", start), ("operational", end)]
    assert "SMS delays last week" in comms.get("/history").text


@pytest.mark.parametrize(
    ("start_days", "end_days", "field", "message"),
    [
        (-2, -3, "resolved_at", "The end must be after the start."),
        (-2, -2, "resolved_at", "The end must be after the start."),
        (-2, 1, "resolved_at", "must be dated in the past"),
        (1, 2, "started_at", "must be dated in the past"),
        (None, -1, "started_at", "Enter when it started."),
        (-1, None, "resolved_at", "Enter when it ended."),
    ],
)
def test_backfill_rejects_bad_times_and_writes_nothing(
    app, world, comms, frozen_clock, start_days, end_days, field, message
):
    def value(days):
        return "" if days is None else local_input(frozen_clock.now + timedelta(days=days))

    before = counts(app)
    response = submit(
        comms,
        "/admin/incidents/backfill",
        {"name": "Bad times", "started_at": value(start_days), "resolved_at": value(end_days)},
    )
    assert response.status_code == 400
    assert message in error_of(response.text, field)
    assert counts(app) == before


def test_backfill_rejects_an_empty_name_and_an_unknown_component(app, world, comms, frozen_clock):
    before = counts(app)
    response = submit(
        comms,
        "/admin/incidents/backfill",
        {
            "name": "",
            "components-nosuchthing": "major_outage",
            "started_at": local_input(frozen_clock.now - timedelta(hours=3)),
            "resolved_at": local_input(frozen_clock.now - timedelta(hours=2)),
        },
    )
    assert response.status_code == 400
    assert "unknown" in error_of(response.text, "components")
    assert counts(app) == before
    response = submit(
        comms,
        "/admin/incidents/backfill",
        {
            "name": "",
            "started_at": local_input(frozen_clock.now - timedelta(hours=3)),
            "resolved_at": local_input(frozen_clock.now - timedelta(hours=2)),
        },
    )
    assert response.status_code == 400
    assert error_of(response.text, "name") == "Enter a name."
    assert counts(app) == before


# --------------------------------------------------------------------------- postmortem


def resolve(app, world):
    from statuspage.incidents.services import find_incident, resolve_incident

    read(app, lambda: resolve_incident(find_incident(world.incident), "Fixed."))


def test_postmortem_draft_publish_and_revert(app, world, comms):
    resolve(app, world)
    url = f"/admin/incidents/{world.incident}/postmortem"
    public_url = f"/incidents/{world.incident}"
    page = comms.get(url).text
    assert "## What happened" in page  # an outline to start from

    response = submit(comms, url, {"body": "## Cause\n\nA full disk.", "action": "save"})
    assert response.status_code == 302
    assert incident_row(app, world.incident)["postmortem_body"] == "## Cause\n\nA full disk."
    assert 'id="postmortem"' not in comms.get(public_url).text

    published = []
    with postmortem_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(comms, url, {"action": "publish", "notify": "y"})
    assert response.status_code == 302
    row = incident_row(app, world.incident)
    assert row["status"] == "postmortem"
    assert row["postmortem_published_at"] is not None
    assert [p["notify"] for p in published] == [True]
    public = comms.get(public_url).text
    assert 'id="postmortem"' in public
    assert "A full disk." in public
    [entry] = audit_entries(app, "incident.postmortem")
    assert entry["after"]["notify"] is True

    # Saving a draft over the published text is refused (it would change the public page).
    before = counts(app)
    response = submit(comms, url, {"body": "Changed", "action": "save"})
    assert response.status_code == 400
    assert "published" in error_of(response.text, "body")
    assert counts(app) == before

    page = comms.get(url).text
    assert 'data-confirm="Take the postmortem off the public page?"' in page
    response = submit(comms, f"{url}/revert", form_url=url)
    assert response.status_code == 302
    row = incident_row(app, world.incident)
    assert (row["status"], row["postmortem_published_at"]) == ("resolved", None)
    assert row["postmortem_body"] == "## Cause\n\nA full disk."
    assert 'id="postmortem"' not in comms.get(public_url).text
    assert audit_entries(app, "incident.postmortem_revert")


def test_postmortem_publish_is_refused_while_the_incident_is_open(app, world, comms):
    before = counts(app)
    url = f"/admin/incidents/{world.incident}/postmortem"
    response = submit(comms, url, {"body": "Too early.", "action": "publish"})
    assert response.status_code == 400
    assert "Resolve the incident before publishing its postmortem." in response.text
    assert counts(app) == before


def test_postmortem_rejects_oversize_text_and_a_missing_token(app, world, comms):
    resolve(app, world)
    url = f"/admin/incidents/{world.incident}/postmortem"
    before = counts(app)
    response = submit(comms, url, {"body": "x" * 100_001, "action": "save"})
    assert response.status_code == 400
    assert "100000" in error_of(response.text, "body")
    response = submit(comms, url, {"body": "Hi", "action": "publish"}, remove=("csrf_token",))
    assert response.status_code == 400
    assert STALE in response.text
    assert comms.post(f"{url}/revert", data={}).status_code == 400
    assert counts(app) == before


# --------------------------------------------------------------------------- hide and delete


def test_hide_asks_first_then_hides_and_shows_again(app, world, comms):
    url = f"/admin/incidents/{world.incident}/hide"
    page = comms.get(url)
    assert "Hide “Slow dashboard”?" in page.text
    assert incident_row(app, world.incident)["hidden"] is False  # GET changes nothing
    assert submit(comms, url).status_code == 302
    assert incident_row(app, world.incident)["hidden"] is True
    assert comms.get(f"/incidents/{world.incident}").status_code == 404
    assert f'data-incident-id="{world.incident}"' not in comms.get("/").text
    [entry] = audit_entries(app, "incident.hide")
    assert (entry["before"]["hidden"], entry["after"]["hidden"]) == (False, True)
    assert entry["before"]["name"] == "Slow dashboard"

    assert "Show “Slow dashboard” on the public page again?" in comms.get(url).text
    assert submit(comms, url).status_code == 302
    assert incident_row(app, world.incident)["hidden"] is False
    assert audit_entries(app, "incident.unhide")


def test_delete_asks_first_removes_the_incident_and_keeps_uptime(app, world, comms):
    from statuspage.incidents.models import IncidentUpdate

    url = f"/admin/incidents/{world.incident}/delete"
    history_before = history(app)
    assert any(incident_id is not None for *_rest, incident_id in history_before)
    assert "Delete “Slow dashboard”?" in comms.get(url).text
    response = submit(comms, url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/incidents"
    assert incident_row(app, world.incident) is None
    from statuspage.extensions import db

    assert read(app, lambda: db.session.scalar(sa.select(sa.func.count(IncidentUpdate.id)))) == 0
    # The status history stays, without the link to the deleted incident.
    assert [h[:3] for h in history(app)] == [h[:3] for h in history_before]
    assert all(incident_id is None for *_rest, incident_id in history(app))
    [entry] = audit_entries(app, "incident.delete")
    assert entry["after"] is None
    assert entry["before"]["name"] == "Slow dashboard"
    assert entry["before"]["updates"][0]["body"] == "The dashboard is slow."
    assert comms.get(f"/admin/incidents/{world.incident}").status_code == 404


def test_delete_without_a_token_deletes_nothing(app, world, comms):
    before = counts(app)
    response = comms.post(f"/admin/incidents/{world.incident}/delete", data={})
    assert response.status_code == 400
    assert STALE in response.text
    assert counts(app) == before


# --------------------------------------------------------------------------- preview


def test_preview_returns_sanitized_html(app, world, comms):
    token = csrf_from(comms.get("/admin/incidents/new").text)
    response = comms.post(
        "/admin/preview",
        data={"csrf_token": token, "body": "**Down** <script>alert(1)</script> [x](javascript:1)"},
    )
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>Down</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_preview_needs_a_token_and_limits_the_size(app, world, comms):
    assert comms.post("/admin/preview", data={"body": "Hi"}).status_code == 400
    token = csrf_from(comms.get("/admin/incidents/new").text)
    response = comms.post("/admin/preview", data={"csrf_token": token, "body": "x" * 100_001})
    assert response.status_code == 400
    assert "100000" in response.get_json()["error"]
