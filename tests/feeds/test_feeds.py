"""RSS, Atom and iCalendar feeds against the demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident, set_incident_hidden
from statuspage.maintenance.models import Maintenance
from statuspage.maintenance.services import update_maintenance
from statuspage.public.cache import CACHE_CONTROL

BASE = "http://127.0.0.1:8000"


def component_named(name: str) -> Component:
    return db.session.scalar(sa.select(Component).where(Component.name == name))


def parse(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.data[:500]
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    return urlsplit(url).path


@pytest.mark.parametrize(
    ("path", "mimetype", "version"),
    [
        ("/history.rss", "application/rss+xml", "rss20"),
        ("/history.atom", "application/atom+xml", "atom10"),
    ],
)
def test_history_feed_has_every_visible_item(frozen_clock, demo, client, path, mimetype, version):
    response = client.get(path)
    feed = parse(response)
    assert feed.version == version
    assert response.headers["Content-Type"] == f"{mimetype}; charset=utf-8"
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    assert response.headers["ETag"]

    incidents = db.session.scalars(sa.select(Incident).where(Incident.hidden.is_(False))).all()
    windows = db.session.scalars(sa.select(Maintenance).where(Maintenance.hidden.is_(False))).all()
    expected = {f"{BASE}/incidents/{i.public_id}" for i in incidents} | {
        f"{BASE}/maintenance/{m.public_id}" for m in windows
    }
    assert len(expected) <= 50
    assert {e.id for e in feed.entries} == expected
    assert {e.link for e in feed.entries} == expected

    # Newest start first.
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)

    for entry in feed.entries:
        assert client.get(path_of(entry.link)).status_code == 200


def test_entry_content_and_updated(frozen_clock, demo, client):
    feed = parse(client.get("/history.atom"))
    active = db.session.scalar(
        sa.select(Incident).where(Incident.public_id == demo.active_incident_id)
    )
    entry = next(e for e in feed.entries if e.id.endswith(f"/incidents/{active.public_id}"))
    assert entry.title == "Slow Dashboard loading"
    latest = max(u.display_at for u in active.updates)
    assert datetime(*entry.updated_parsed[:6], tzinfo=UTC) == latest.astimezone(UTC).replace(
        microsecond=0
    )
    assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == active.started_at.astimezone(
        UTC
    ).replace(microsecond=0)
    html = entry.content[0].value
    # Updates newest first: Identified before Investigating.
    assert html.index("Identified") < html.index("Investigating")
    assert "slow database query" in html


def test_content_is_sanitized(frozen_clock, demo, client):
    api = component_named("API")
    create_incident(
        "Script test",
        IncidentStatus.INVESTIGATING,
        "Hello <script>alert('x')</script> **bold** <img src=x onerror=alert(1)>",
        {api: ComponentStatus.DEGRADED_PERFORMANCE},
        notify=False,
    )
    for path in ("/history.atom", "/history.rss"):
        response = client.get(path)
        feed = parse(response)
        entry = next(e for e in feed.entries if e.title == "Script test")
        assert "<strong>bold</strong>" in entry.content[0].value
        assert b"<script" not in response.data.lower()
        assert b"&lt;script" not in response.data.lower()
        assert b"onerror" not in response.data


def test_hidden_incident_is_left_out(frozen_clock, demo, client):
    active = db.session.scalar(
        sa.select(Incident).where(Incident.public_id == demo.active_incident_id)
    )
    set_incident_hidden(active, True)
    feed = parse(client.get("/history.atom"))
    assert not [e for e in feed.entries if e.id.endswith(demo.active_incident_id)]


def test_component_feed_only_has_its_items(frozen_clock, demo, client):
    dashboard = component_named("Dashboard")
    feed = parse(client.get(f"/components/{dashboard.public_id}/history.atom"))
    assert feed.version == "atom10"
    ids = {e.id for e in feed.entries}
    assert f"{BASE}/incidents/{demo.active_incident_id}" in ids

    incidents = db.session.scalars(sa.select(Incident).where(Incident.hidden.is_(False))).all()
    windows = db.session.scalars(sa.select(Maintenance).where(Maintenance.hidden.is_(False))).all()
    expected = {
        f"{BASE}/incidents/{i.public_id}" for i in incidents if dashboard in i.components
    } | {f"{BASE}/maintenance/{m.public_id}" for m in windows if dashboard in m.components}
    assert ids == expected
    # The upcoming CDN window does not touch the Dashboard.
    assert f"{BASE}/maintenance/{demo.upcoming_maintenance_id}" not in ids
    for entry in feed.entries:
        assert client.get(path_of(entry.link)).status_code == 200


def test_component_feed_404(frozen_clock, demo, client):
    assert client.get("/components/nope/history.atom").status_code == 404
    dashboard = component_named("Dashboard")
    dashboard.visible = False
    db.session.commit()
    assert client.get(f"/components/{dashboard.public_id}/history.atom").status_code == 404


@pytest.mark.parametrize("path", ["/history.rss", "/history.atom", "/maintenance.ics"])
def test_etag_answers_304(frozen_clock, demo, client, path):
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert not again.data
    # A change gives a new ETag.
    create_incident("New one", IncidentStatus.INVESTIGATING, "Looking.", notify=False)
    if path != "/maintenance.ics":
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", ["/history.rss", "/history.atom"])
def test_lang_is_accepted(frozen_clock, demo, client, app, path):
    # Every page language is accepted and names the feed's language as a tag (pt-BR).
    for lang in app.config["LANGUAGES"]:
        assert parse(client.get(f"{path}?lang={lang}")).feed.language == lang.replace("_", "-")
    assert parse(client.get(f"{path}?lang=xx")).feed.language == "en"


def calendar(client) -> icalendar.Calendar:
    response = client.get("/maintenance.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    return icalendar.Calendar.from_ical(response.data)


def events_by_uid(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_calendar_has_upcoming_and_recent_maintenance(frozen_clock, demo, client):
    events = events_by_uid(calendar(client))
    upcoming = db.session.scalar(
        sa.select(Maintenance).where(Maintenance.public_id == demo.upcoming_maintenance_id)
    )
    event = events[f"{upcoming.public_id}@127.0.0.1"]
    assert event.decoded("DTSTART") == upcoming.scheduled_for.astimezone(UTC)
    assert event.decoded("DTEND") == upcoming.scheduled_until.astimezone(UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(event["SUMMARY"]) == "CDN edge network upgrade"
    assert str(event["URL"]) == f"{BASE}/maintenance/{upcoming.public_id}"
    assert str(event["STATUS"]) == "CONFIRMED"
    description = str(event["DESCRIPTION"])
    assert "No downtime is expected." in description
    assert "**" not in description
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTAMP") <= frozen_clock.now

    # The past window (12 days ago) is recent enough; nothing older than 30 days is there.
    past = db.session.scalar(
        sa.select(Maintenance).where(Maintenance.name == "Database engine upgrade")
    )
    assert f"{past.public_id}@127.0.0.1" in events
    cutoff = frozen_clock.now - timedelta(days=30)
    for e in events.values():
        assert e.decoded("DTEND") >= cutoff


def test_calendar_sequence_goes_up_after_a_change(frozen_clock, demo, client):
    upcoming = db.session.scalar(
        sa.select(Maintenance).where(Maintenance.public_id == demo.upcoming_maintenance_id)
    )
    uid = f"{upcoming.public_id}@127.0.0.1"
    before = events_by_uid(calendar(client))[uid]
    etag = client.get("/maintenance.ics").headers["ETag"]

    new_start = upcoming.scheduled_for + timedelta(hours=1)
    new_end = upcoming.scheduled_until + timedelta(hours=2)
    frozen_clock.advance(timedelta(minutes=5))
    update_maintenance(
        upcoming,
        upcoming.name,
        "Moved by an hour.",
        upcoming.components,
        new_start,
        new_end,
    )
    after = events_by_uid(calendar(client))[uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == new_start.astimezone(UTC)
    assert after.decoded("DTEND") == new_end.astimezone(UTC)
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")
    assert client.get("/maintenance.ics", headers={"If-None-Match": etag}).status_code == 200
