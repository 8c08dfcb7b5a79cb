"""Opening and updating incidents in the console: templates, component changes, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.signals import incident_published

from .conftest import csrf_from
from .incidents_world import (
    STALE,
    audit_entries,
    build,
    component_statuses,
    counts,
    error_of,
    read,
    scraped,
    selected,
    submit,
)


@pytest.fixture
def world(app, frozen_clock):
    return build(app)


@pytest.fixture
def comms(signed_in):
    return signed_in("communicator")


def incident_state(app, public_id):
    from statuspage.incidents.services import find_incident

    def fetch():
        incident = find_incident(public_id)
        if incident is None:
            return None
        updates = sorted(incident.updates, key=lambda u: (u.display_at, u.id))
        return {
            "name": incident.name,
            "status": incident.status.value,
            "impact": incident.impact.value,
            "started_at": incident.started_at,
            "hidden": incident.hidden,
            "components": sorted(c.name for c in incident.components),
            "updates": [
                {
                    "status": u.status.value,
                    "body": u.body,
                    "notify": u.notify,
                    "display_at": u.display_at,
                    "changes": sorted(
                        (
                            c.component.name,
                            c.old_status.value if c.old_status else None,
                            c.new_status.value,
                        )
                        for c in u.component_changes
                    ),
                }
                for u in updates
            ],
        }

    return read(app, fetch)


def newest_incident_id(app):
    from statuspage.extensions import db
    from statuspage.incidents.models import Incident

    return read(
        app,
        lambda: db.session.scalar(
            sa.select(Incident.public_id).order_by(Incident.id.desc()).limit(1)
        ),
    )


# --------------------------------------------------------------------------- create


def test_template_prefills_everything_and_publishing_it_as_is_works(app, world, comms):
    url = f"/admin/incidents/new?template={world.template}"
    page = comms.get(url)
    html = page.text
    assert 'value="Errors on API"' in html
    # {start} is in the page's zone (Berlin is UTC+1 in November).
    assert "We are investigating errors on API since 2026-11-25 13:00 CET." in html
    assert selected(html, "status") == "identified"
    assert selected(html, f"components-{world.api}") == "major_outage"
    assert selected(html, f"components-{world.web}") == ""
    assert re.search(r'id="notify"[^>]*checked|checked[^>]*id="notify"', html)
    # The live hint already shows the impact the template's components give.
    assert re.search(r'data-impact-derived data-impact="critical"', html)
    assert re.search(r'data-no-components role="status" hidden', html)

    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        payload = scraped(html, "/admin/incidents/new")
        payload["csrf_token"] = csrf_from(html)
        response = comms.post("/admin/incidents/new", data=payload)
    assert response.status_code == 302
    new_id = newest_incident_id(app)
    assert response.headers["Location"] == f"/admin/incidents/{new_id}"
    state = incident_state(app, new_id)
    assert state["name"] == "Errors on API"
    assert state["status"] == "identified"
    assert state["impact"] == "critical"
    assert state["updates"][0]["notify"] is True
    assert state["updates"][0]["changes"] == [("API", "operational", "major_outage")]
    assert component_statuses(app)["API"] == "major_outage"
    assert [p["notify"] for p in published] == [True]
    [entry] = [e for e in audit_entries(app, "incident.create") if e["object_id"] == new_id]
    assert entry["actor"] == "comms@example.com"
    assert entry["ip"] == "127.0.0.1"
    # The public page shows it at once.
    public = comms.get("/").text
    assert f'data-incident-id="{new_id}"' in public
    assert "We are investigating errors on API" in public


def test_blank_form_warns_that_no_component_is_chosen(app, world, comms):
    html = comms.get("/admin/incidents/new").text
    assert re.search(r"data-no-components role=\"status\">", html)
    assert "No component is chosen" in html
    assert 'value="2026-11-25T13:00"' in html  # now, in Berlin


def test_create_without_components_with_impact_override_and_no_notification(app, world, comms):
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(
            comms,
            "/admin/incidents/new",
            {"name": "Billing questions", "body": "Invoices are late.", "impact_override": "minor"},
            remove=("notify",),
        )
    assert response.status_code == 302
    state = incident_state(app, newest_incident_id(app))
    assert state["impact"] == "minor"
    assert state["components"] == []
    assert state["updates"][0]["notify"] is False
    assert [p["notify"] for p in published] == [False]


def test_start_time_is_read_in_the_page_zone_and_may_be_back_dated(app, world, comms, frozen_clock):
    response = submit(
        comms,
        "/admin/incidents/new",
        {
            "name": "Earlier",
            "started_at": "2026-11-25T12:30",
            f"components-{world.mail}": "partial_outage",
        },
    )
    assert response.status_code == 302
    state = incident_state(app, newest_incident_id(app))
    assert state["started_at"] == frozen_clock.now - timedelta(minutes=30)  # 12:30 Berlin = 11:30Z
    assert state["updates"][0]["changes"] == [("Email", "operational", "partial_outage")]


def test_start_time_left_as_opened_means_when_published(app, world, comms, frozen_clock):
    page = comms.get("/admin/incidents/new")
    frozen_clock.advance(timedelta(minutes=7, seconds=5))
    payload = scraped(page.text, "/admin/incidents/new")
    payload.update({"csrf_token": csrf_from(page.text), "name": "Later"})
    assert comms.post("/admin/incidents/new", data=payload).status_code == 302
    assert incident_state(app, newest_incident_id(app))["started_at"] == frozen_clock.now


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "x" * 256}, "name", "Use at most 255 characters."),
        ({"body": "x" * 20_001}, "body", "Use at most 20000 characters."),
        ({"components-nosuchthing": "major_outage"}, "components", "one of them is unknown"),
        ({"components-{api}": "on_fire"}, "components", "Choose a status from the list."),
        ({"status": "postmortem"}, "status", "Choose a status from the list."),
        ({"impact_override": "apocalyptic"}, "impact_override", "Choose an impact"),
        ({"started_at": "2026-11-26T13:00"}, "started_at", "cannot start in the future"),
        ({"started_at": "yesterday"}, "started_at", "Enter a date and time."),
    ],
)
def test_create_rejects_bad_input_beside_the_field_and_writes_nothing(
    app, world, comms, overrides, field, message
):
    overrides = {k.format(api=world.api): v for k, v in overrides.items()}
    before = counts(app)
    response = submit(comms, "/admin/incidents/new", {"name": "Broken", **overrides})
    assert response.status_code == 400
    assert message in error_of(response.text, field)
    assert counts(app) == before
    if "name" in overrides and overrides["name"]:
        assert f'value="{overrides["name"]}"' in response.text  # the input is kept


def test_create_without_csrf_token_writes_nothing_and_keeps_the_input(app, world, comms):
    before = counts(app)
    response = submit(
        comms, "/admin/incidents/new", {"name": "Typed by hand"}, remove=("csrf_token",)
    )
    assert response.status_code == 400
    assert STALE in response.text
    assert 'value="Typed by hand"' in response.text
    assert counts(app) == before


def test_unknown_template_says_so_and_leaves_the_form_blank(app, world, comms):
    response = comms.get("/admin/incidents/new?template=nope")
    assert response.status_code == 200
    assert "That template does not exist any more" in response.text


# --------------------------------------------------------------------------- post an update


def test_update_form_starts_from_the_current_state(app, world, comms):
    html = comms.get(f"/admin/incidents/{world.incident}/update").text
    assert selected(html, "status") == "investigating"
    # The affected component shows its current status and remembers it; others say "No change".
    assert f'name="components_was-{world.web}" value="degraded_performance"' in html
    assert selected(html, f"components-{world.web}") == "degraded_performance"
    assert selected(html, f"components-{world.api}") == ""
    assert re.search(
        rf'name="components-{world.api}"[^>]*>\s*<option value="" selected>No change', html
    )


def test_post_update_with_component_changes_shows_on_the_public_page(app, world, comms):
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        response = submit(
            comms,
            f"/admin/incidents/{world.incident}/update",
            {
                "status": "identified",
                "body": "A **bad deploy**; rolling back.",
                f"components-{world.web}": "partial_outage",
                f"components-{world.mail}": "degraded_performance",
            },
        )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/incidents/{world.incident}"
    state = incident_state(app, world.incident)
    assert state["status"] == "identified"
    last = state["updates"][-1]
    assert last["changes"] == [
        ("Dashboard", "degraded_performance", "partial_outage"),
        ("Email", "operational", "degraded_performance"),
    ]
    assert state["components"] == ["Dashboard", "Email"]
    assert [p["notify"] for p in published] == [True]
    public = comms.get("/").text
    assert "<strong>bad deploy</strong>; rolling back." in public
    assert re.search(r'data-status="partial_outage"', public)
    [entry] = audit_entries(app, "incident.update")
    assert entry["actor"] == "comms@example.com"
    assert entry["before"]["status"] == "investigating"
    assert entry["after"]["status"] == "identified"


def test_unchanged_selects_change_nothing_even_if_someone_else_changed_it(app, world, comms):
    from statuspage.components.models import StatusCause
    from statuspage.components.services import find_component, set_component_status

    page = comms.get(f"/admin/incidents/{world.incident}/update")
    # Meanwhile someone else makes it worse.
    read(
        app,
        lambda: set_component_status(
            find_component(world.web), "major_outage", cause=StatusCause.MANUAL
        ),
    )
    payload = scraped(page.text, f"/admin/incidents/{world.incident}/update")
    payload.update({"csrf_token": csrf_from(page.text), "body": "Still looking."})
    response = comms.post(f"/admin/incidents/{world.incident}/update", data=payload)
    assert response.status_code == 302
    assert component_statuses(app)["Dashboard"] == "major_outage"
    assert incident_state(app, world.incident)["updates"][-1]["changes"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"body": "x" * 20_001}, "body"),
        ({"components-nosuchthing": "major_outage"}, "components"),
        ({"status": "exploded"}, "status"),
    ],
)
def test_update_rejects_bad_input_and_writes_nothing(app, world, comms, overrides, field):
    before = counts(app)
    response = submit(comms, f"/admin/incidents/{world.incident}/update", overrides)
    assert response.status_code == 400
    error_of(response.text, field)
    assert counts(app) == before


def test_update_without_csrf_token_writes_nothing(app, world, comms):
    before = counts(app)
    response = submit(
        comms,
        f"/admin/incidents/{world.incident}/update",
        {"body": "Hello"},
        remove=("csrf_token",),
    )
    assert response.status_code == 400
    assert STALE in response.text
    assert counts(app) == before
