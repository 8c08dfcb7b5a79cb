"""A cancelled window in the calendar and the RSS/Atom feeds, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import icalendar
import pytest

from statuspage.components.services import create_component
from statuspage.maintenance.services import cancel_maintenance, schedule_maintenance


@pytest.fixture
def windows(app_ctx, frozen_clock):
    """Two windows tomorrow on the API: one to keep, one to cancel."""
    api = create_component("API")
    start = frozen_clock.now + timedelta(days=1)
    kept = schedule_maintenance(
        "Kept window", "Still on.", [api], start, start + timedelta(hours=1)
    )
    doomed = schedule_maintenance(
        "Doomed window", "Planned.", [api], start, start + timedelta(hours=2)
    )
    return kept, doomed


def events(client) -> dict[str, icalendar.Event]:
    response = client.get("/maintenance.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.data)
    return {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_calendar_marks_a_cancelled_window_with_the_same_uid_and_a_higher_sequence(
    windows, client, frozen_clock
):
    kept, doomed = windows
    before = events(client)
    assert str(before[doomed.public_id]["STATUS"]) == "CONFIRMED"
    uid_before = str(before[doomed.public_id]["UID"])

    frozen_clock.advance(timedelta(minutes=10))
    cancel_maintenance(doomed, "Not needed after all.")

    after = events(client)
    event = after[doomed.public_id]
    assert str(event["UID"]) == uid_before
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(before[doomed.public_id]["SEQUENCE"])
    assert event.decoded("DTSTAMP") > before[doomed.public_id].decoded("DTSTAMP")
    assert "Cancelled" in str(event["SUMMARY"])
    assert "Not needed after all." in str(event["DESCRIPTION"])
    # The planned times stay, so calendars find the event they already show.
    assert event.decoded("DTSTART") == before[doomed.public_id].decoded("DTSTART")
    assert str(after[kept.public_id]["STATUS"]) == "CONFIRMED"
    assert int(after[kept.public_id]["SEQUENCE"]) == int(before[kept.public_id]["SEQUENCE"])


@pytest.mark.parametrize("path", ["/history.rss", "/history.atom"])
def test_feeds_say_a_window_was_cancelled(windows, client, path):
    kept, doomed = windows
    cancel_maintenance(doomed)
    response = client.get(path)
    assert response.status_code == 200
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0
    by_link = {e.link.rsplit("/", 1)[-1]: e for e in feed.entries}
    entry = by_link[doomed.public_id]
    assert entry.title == "Cancelled: Doomed window"
    assert entry.summary.startswith("Cancelled: This maintenance has been cancelled.")
    assert "<strong>Cancelled</strong>" in entry.content[0].value
    assert by_link[kept.public_id].title == "Kept window"
