"""/history: past incidents and maintenance by month, paginated by months."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident, resolve_incident


def months_of(doc):
    return [
        (section.attrs["data-month"], section.find("h2").text)
        for section in doc.find_all("section", cls="history-month")
    ]


def entries_of(section):
    return [e.find("a", cls="history-link").text for e in section.find_all(cls="history-entry")]


def test_demo_history_by_month_and_pagination(frozen_clock, demo, get_page):
    first = get_page("/history")
    assert months_of(first) == [
        ("2026-11", "November 2026"),
        ("2026-10", "October 2026"),
        ("2026-09", "September 2026"),
    ]
    november = first.find("section", data_month="2026-11")
    names = entries_of(november)
    # Newest first; maintenance that already happened is history too, upcoming is not.
    assert names[0] == "Slow Dashboard loading"
    assert "Database engine upgrade" in names
    assert "CDN edge network upgrade" not in names
    starts = [e.find("time").attrs["datetime"] for e in november.find_all(cls="history-entry")]
    assert starts == sorted(starts, reverse=True)
    link = november.find("a", cls="history-link")
    assert link.attrs["href"] == f"/incidents/{demo.active_incident_id}"
    kinds = {e.attrs["data-kind"] for e in november.find_all(cls="history-entry")}
    assert kinds == {"incident", "maintenance"}

    pagination = first.find("nav", cls="pagination")
    assert not pagination.find_all(cls="newer")
    assert pagination.find("a", cls="older").attrs["href"] == "/history?page=2"
    assert "Page 1 of 2" in pagination.text

    second = get_page("/history?page=2")
    assert months_of(second) == [("2026-08", "August 2026")]
    # The oldest demo incident is on the last page.
    assert entries_of(second.find("section", data_month="2026-08")) == ["Elevated API error rates"]
    pagination = second.find("nav", cls="pagination")
    assert not pagination.find_all(cls="older")
    assert pagination.find("a", cls="newer").attrs["href"] == "/history"


def test_following_older_links_reaches_the_first_incident(frozen_clock, demo, app, get_page):
    app.config["HISTORY_PAGE_SIZE"] = 1
    path, seen = "/history", []
    for _ in range(10):
        doc = get_page(path)
        seen.extend(m for m, _label in months_of(doc))
        older = doc.find("nav", cls="pagination").find_all("a", cls="older")
        if not older:
            break
        path = older[0].attrs["href"]
    assert seen == ["2026-11", "2026-10", "2026-09", "2026-08"]
    assert "Elevated API error rates" in doc.text


def test_months_without_incidents_say_so(frozen_clock, app_ctx, get_page):
    api = create_component("API")
    started = datetime(2026, 8, 20, 10, 0, tzinfo=UTC)
    incident = create_incident(
        "Old trouble",
        IncidentStatus.INVESTIGATING,
        "Looking.",
        {api: ComponentStatus.MAJOR_OUTAGE},
        started_at=started,
    )
    resolve_incident(incident, "Fixed.", display_at=datetime(2026, 8, 20, 11, 0, tzinfo=UTC))

    first = get_page("/history")
    assert [m for m, _ in months_of(first)] == ["2026-11", "2026-10", "2026-09"]
    for section in first.find_all("section", cls="history-month"):
        assert section.find(cls="no-incidents").text == "No incidents reported"
    second = get_page("/history?page=2")
    august = second.find("section", data_month="2026-08")
    assert entries_of(august) == ["Old trouble"]
    entry = august.find(cls="history-entry")
    assert entry.find(cls="summary").text == "Fixed."
    assert [t.attrs["datetime"] for t in entry.find_all("time")] == [
        "2026-08-20T10:00:00Z",
        "2026-08-20T11:00:00Z",
    ]


def test_empty_history_shows_the_current_months(frozen_clock, app_ctx, get_page):
    doc = get_page("/history")
    assert [m for m, _ in months_of(doc)] == ["2026-11", "2026-10", "2026-09"]
    assert "Page 1 of 1" in doc.find("nav", cls="pagination").text


def test_bad_page_numbers(frozen_clock, app_ctx, client):
    assert client.get("/history?page=abc").status_code == 200  # not a number: the first page
    assert client.get("/history?page=0").status_code == 200
    assert client.get("/history?page=2").status_code == 404
    assert client.get("/history?page=-3").status_code == 404


def test_hidden_incidents_are_not_history(frozen_clock, app_ctx, get_page):
    api = create_component("API")
    create_incident(
        "Secret", IncidentStatus.INVESTIGATING, "x", {api: ComponentStatus.MAJOR_OUTAGE}
    )
    db.session.execute(sa.update(Incident).values(hidden=True))
    db.session.commit()
    assert "Secret" not in get_page("/history").text
