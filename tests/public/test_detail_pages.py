"""Incident and maintenance pages, and the themed error pages."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident, post_update, resolve_incident
from statuspage.maintenance.models import Maintenance


def incident_named(name: str) -> Incident:
    return db.session.scalar(sa.select(Incident).where(Incident.name == name))


def test_incident_timeline_newest_first_with_postmortem(frozen_clock, demo, get_page):
    outage = incident_named("API and Dashboard outage")
    doc = get_page(f"/incidents/{outage.public_id}")

    assert doc.find("h1").text == "API and Dashboard outage"
    assert doc.find(cls="incident-impact").text == "Critical impact"
    assert doc.find(cls="incident-status").text == "Postmortem"
    updates = doc.by_id("timeline").find_all("li", cls="timeline-update")
    assert [u.find(cls="update-status").text for u in updates] == [
        "Resolved",
        "Monitoring",
        "Identified",
        "Investigating",
    ]
    stamps = [u.find("time").attrs["datetime"] for u in updates]
    assert stamps == sorted(stamps, reverse=True)
    # Markdown lists in a body are rendered.
    assert updates[1].find("ul").find_all("li")
    # Component changes carried by the first update: old -> new.
    first = updates[-1].find(cls="component-changes").text
    assert "API: Operational" in first
    assert "Major Outage" in first

    components = [li.text for li in doc.find(cls="incident-components").find_all("li")]
    assert components == ["API", "Dashboard", "Webhooks"]
    duration = doc.find(cls="incident-duration").text
    assert duration.endswith("min") or "hr" in duration
    assert doc.find(cls="incident-resolved").find("time")

    postmortem = doc.by_id("postmortem")
    assert postmortem.find("h2").text == "Postmortem"
    assert "What we are changing" in postmortem.text
    assert postmortem.find(cls="prose").find("ol")


def test_open_incident_is_ongoing(frozen_clock, demo, get_page):
    doc = get_page(f"/incidents/{demo.active_incident_id}")
    assert doc.find("h1").text == "Slow Dashboard loading"
    assert doc.find(cls="incident-duration").text == "Ongoing"
    assert doc.find(cls="incident-resolved").text == "Not yet resolved"
    assert not doc.find_all(id="postmortem")
    assert [u.find(cls="update-status").text for u in doc.find_all(cls="timeline-update")] == [
        "Identified",
        "Investigating",
    ]


def test_resolved_incident_duration(frozen_clock, app_ctx, get_page):
    api = create_component("API")
    start = frozen_clock.now - timedelta(hours=3)
    incident = create_incident(
        "Errors",
        IncidentStatus.INVESTIGATING,
        "Looking.",
        {api: ComponentStatus.PARTIAL_OUTAGE},
        started_at=start,
    )
    post_update(
        incident, IncidentStatus.IDENTIFIED, "Found it.", display_at=start + timedelta(minutes=30)
    )
    resolve_incident(incident, "Fixed.", display_at=start + timedelta(hours=1, minutes=5))
    doc = get_page(f"/incidents/{incident.public_id}")
    assert doc.find(cls="incident-duration").text == "1 hr 5 min"
    assert doc.find(cls="incident-impact").text == "Major impact"


def test_maintenance_page(frozen_clock, demo, get_page):
    doc = get_page(f"/maintenance/{demo.upcoming_maintenance_id}")
    assert doc.find("h1").text == "CDN edge network upgrade"
    assert doc.find(cls="maintenance-status").text == "Scheduled"
    window = doc.find(cls="maintenance-window").find_all("time")
    assert len(window) == 2
    m = db.session.scalar(
        sa.select(Maintenance).where(Maintenance.public_id == demo.upcoming_maintenance_id)
    )
    assert window[0].attrs["datetime"] == m.scheduled_for.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "CET" in window[0].text  # the demo page is in Europe/Berlin
    comps = [li.text for li in doc.find(cls="maintenance-components").find_all("li")]
    assert comps == ["CDN", "EU Central (Frankfurt)"]
    assert "No downtime is expected." in doc.by_id("timeline").find("strong").text


def test_unknown_and_hidden_ids_are_themed_404s(frozen_clock, demo, client, html):
    hidden = incident_named("Delayed email delivery")
    hidden.hidden = True
    db.session.commit()
    for path in (
        "/incidents/doesnotexist",
        "/maintenance/doesnotexist",
        f"/incidents/{hidden.public_id}",
        "/no/such/page",
        "/history?page=99",
        "/uptime?component=doesnotexist",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        doc = html(response.data)
        assert doc.find("h1").text == "Page not found", path
        assert doc.find(cls="error-page").attrs["data-error"] == "404"
        # Themed: the site's name and the theme's stylesheet, in the page's layout.
        assert doc.find(cls="brand").text == "Acme Cloud"
        assert any(
            "/themes/default/static/css/status.css" in link.attrs.get("href", "")
            for link in doc.find_all("link", rel="stylesheet")
        )
    # A hidden incident is gone from the front page and the history too.
    assert "Delayed email delivery" not in client.get("/").get_data(as_text=True)
    for page in (1, 2):
        history = client.get(f"/history?page={page}").get_data(as_text=True)
        assert "Delayed email delivery" not in history


def test_method_not_allowed_is_themed(app_ctx, client, html):
    response = client.post("/history")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    doc = html(response.data)
    assert doc.find(cls="error-page").attrs["data-error"] == "405"


def test_server_error_is_themed(app, client, html):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    doc = html(response.data)
    assert doc.find("h1").text == "Something went wrong"
    assert "boom" not in response.get_data(as_text=True)


def test_other_audiences_keep_their_own_errors(app_ctx, client):
    response = client.get("/api/v2/nothing-here.json")
    assert response.status_code == 404
    assert b"error-page" not in response.data
