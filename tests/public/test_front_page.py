"""The status page (/) as a customer sees it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus, StatusCause
from statuspage.components.services import create_component, create_group, set_component_status
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident
from statuspage.maintenance.services import schedule_maintenance, start_maintenance
from statuspage.site.models import PageSettings

BERLIN = ZoneInfo("Europe/Berlin")


def component_node(doc, name: str):
    for node in doc.find_all(cls="component"):
        if node.find(cls="component-name").text == name:
            return node
    raise AssertionError(f"component {name!r} is not on the page")


def public_id_of(name: str) -> str:
    return db.session.scalar(sa.select(Component.public_id).where(Component.name == name))


def test_demo_front_page_headline_incident_groups(frozen_clock, demo, get_page):
    doc = get_page()

    headline = doc.by_id("headline")
    assert headline.tag == "h1"
    # The demo's open incident degrades the Dashboard: a minor outage.
    assert headline.attrs["data-indicator"] == "minor"
    assert headline.text == "Minor Service Outage"

    active = doc.by_id("active-incidents")
    links = active.find_all("a", cls="incident-link")
    assert [a.attrs["href"] for a in links] == [f"/incidents/{demo.active_incident_id}"]
    assert links[0].text == "Slow Dashboard loading"
    # The latest update is shown, rendered from Markdown.
    assert "A slow database query on the project overview page" in active.text

    groups = doc.find_all("details", cls="component-group")
    assert [g.find(cls="group-name").text for g in groups] == [
        "Core platform",
        "Data and storage",
        "Delivery",
        "Regions",
    ]
    for group in groups:
        assert group.find("summary").find(cls="group-name")
        assert re.fullmatch(r"[a-z0-9]{12}", group.attrs["data-group-id"])
    # Groups are open unless marked collapsed; the degraded one certainly is.
    assert all("open" in g.attrs for g in groups)

    dashboard = component_node(doc, "Dashboard")
    assert dashboard.attrs["data-status"] == "degraded_performance"
    assert dashboard.attrs["data-component-id"] == public_id_of("Dashboard")
    assert "Degraded Performance" in dashboard.find(cls="status-label").text
    assert component_node(doc, "API").attrs["data-status"] == "operational"

    # only_show_if_degraded while operational: not shown. Not showcased: no bars.
    names = [n.find(cls="component-name").text for n in doc.find_all(cls="component")]
    assert "SMS notifications" not in names
    assert not component_node(doc, "Object storage").find_all(cls="uptime-day")

    maintenance = doc.by_id("maintenance")
    assert "CDN edge network upgrade" in maintenance.text
    assert maintenance.find("a", cls="maintenance-link").attrs["href"] == (
        f"/maintenance/{demo.upcoming_maintenance_id}"
    )

    hrefs = {n.attrs.get("href", "") for n in doc.find_all("a")}
    assert "/history" in hrefs
    assert "/subscribe" in hrefs
    head = doc.find("head")
    alternates = {
        link.attrs["type"]: link.attrs["href"] for link in head.find_all("link", rel="alternate")
    }
    assert alternates == {
        "application/rss+xml": "/history.rss",
        "application/atom+xml": "/history.atom",
        "text/calendar": "/maintenance.ics",
    }


def test_integer_keys_never_reach_the_page(frozen_clock, demo, client):
    body = client.get("/").get_data(as_text=True)
    for href in re.findall(r'href="(/(?:incidents|maintenance)/[^"]*)"', body):
        assert re.fullmatch(r"/(incidents|maintenance)/[a-z0-9]{12}", href), href
    for value in re.findall(r'data-(?:component|group)-id="([^"]*)"', body):
        assert re.fullmatch(r"[a-z0-9]{12}", value)


def test_uptime_bars_and_day_summaries(frozen_clock, demo, get_page):
    doc = get_page()
    api = component_node(doc, "API")
    days = api.find_all("button", cls="uptime-day")
    assert len(days) == 90
    today = frozen_clock.now.astimezone(BERLIN).date()
    assert days[-1].attrs["data-date"] == today.isoformat()
    assert days[0].attrs["data-date"] == (today - timedelta(days=89)).isoformat()
    for day in days:
        assert day.attrs["type"] == "button"
        summary = doc.by_id(day.attrs["aria-describedby"])
        assert "day-summary" in summary.classes
        assert summary.attrs["role"] == "tooltip"
    percent = api.find(cls="uptime-percent").text
    assert re.fullmatch(r"\d{2,3}\.\d{2}%", percent), percent
    assert percent != "100.00%"  # the API had outages in the demo

    # The day of the big outage: major outage minutes and a link to the incident.
    outage = db.session.scalar(
        sa.select(Incident).where(Incident.name == "API and Dashboard outage")
    )
    outage_day = outage.started_at.astimezone(BERLIN).date().isoformat()
    day = api.find("button", cls="uptime-day", data_date=outage_day)
    assert day.attrs["data-status"] == "major_outage"
    summary = doc.by_id(day.attrs["aria-describedby"])
    assert "Major outage:" in summary.text
    assert summary.find("a").attrs["href"] == f"/incidents/{outage.public_id}"

    # A quiet day says so.
    quiet = api.find("button", cls="uptime-day", data_date=(today - timedelta(days=30)).isoformat())
    assert quiet.attrs["data-status"] == "operational"
    assert "No downtime recorded" in doc.by_id(quiet.attrs["aria-describedby"]).text

    # Search went live 30 days ago: no data before its start date.
    search = component_node(doc, "Search")
    early = search.find(
        "button", cls="uptime-day", data_date=(today - timedelta(days=45)).isoformat()
    )
    assert early.attrs["data-status"] == "nodata"
    assert "No data" in doc.by_id(early.attrs["aria-describedby"]).text


def test_empty_page_is_operational(frozen_clock, app_ctx, get_page):
    doc = get_page()
    headline = doc.by_id("headline")
    assert headline.attrs["data-indicator"] == "none"
    assert headline.text == "All Systems Operational"
    assert not doc.find_all(id="active-incidents")


@pytest.mark.parametrize(
    ("statuses", "indicator", "text"),
    [
        ([ComponentStatus.OPERATIONAL] * 2, "none", "All Systems Operational"),
        ([ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.OPERATIONAL], "minor",
         "Minor Service Outage"),
        ([ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.OPERATIONAL], "major",
         "Partial System Outage"),
        ([ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL], "major",
         "Partial System Outage"),
        ([ComponentStatus.MAJOR_OUTAGE] * 2, "critical", "Major System Outage"),
        ([ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.OPERATIONAL], "maintenance",
         "Service Under Maintenance"),
    ],
)  # fmt: skip
def test_headline_follows_component_statuses(
    frozen_clock, app_ctx, get_page, statuses, indicator, text
):
    for n, status in enumerate(statuses):
        component = create_component(f"Part {n}")
        set_component_status(component, status, cause=StatusCause.MANUAL)
    headline = get_page().by_id("headline")
    assert (headline.attrs["data-indicator"], headline.text) == (indicator, text)


def test_hidden_parts_count_and_show_as_the_rule_says(frozen_clock, app_ctx, get_page):
    group = create_group("Backend", collapsed=True)
    shown = create_component("Visible part", group=group)
    hidden = create_component("Secret part", visible=False)
    set_component_status(hidden, ComponentStatus.MAJOR_OUTAGE, cause=StatusCause.MANUAL)
    create_incident(
        "Hidden trouble", IncidentStatus.INVESTIGATING, "x", {hidden: ComponentStatus.MAJOR_OUTAGE}
    )
    db.session.execute(sa.update(Incident).values(hidden=True))
    db.session.commit()

    doc = get_page()
    assert doc.by_id("headline").attrs["data-indicator"] == "none"
    assert "Secret part" not in doc.text
    assert "Hidden trouble" not in doc.text
    details = doc.find("details", cls="component-group")
    assert "open" not in details.attrs  # collapsed and all operational
    assert details.find(cls="component").attrs["data-component-id"] == shown.public_id

    set_component_status(shown, ComponentStatus.PARTIAL_OUTAGE, cause=StatusCause.MANUAL)
    details = get_page().find("details", cls="component-group")
    assert "open" in details.attrs  # something inside is not operational


def test_components_in_position_order_groups_interleaved(frozen_clock, app_ctx, get_page):
    create_component("Zeta", position=0)
    group = create_group("Group B", position=1)
    create_component("Second", group=group, position=2)
    create_component("First", group=group, position=1)
    create_component("Omega", position=5)
    doc = get_page()
    order = [
        n.find(cls="group-name").text if n.tag == "details" else n.find(cls="component-name").text
        for n in doc.where(
            lambda n: (
                "component-group" in n.classes
                or (
                    "component" in n.classes
                    and n.parent is not None
                    and "top-level" in n.parent.classes
                )
            )
        )
    ]
    assert order == ["Zeta", "Group B", "Omega"]
    group = doc.find("details", cls="component-group")
    names = [n.text for n in group.find_all(cls="component-name")]
    assert names == ["First", "Second"]


def test_maintenance_in_progress_counts(frozen_clock, app_ctx, get_page):
    component = create_component("Database")
    now = frozen_clock.now
    m = schedule_maintenance(
        "Upgrade",
        "We upgrade.",
        [component],
        now - timedelta(minutes=5),
        now + timedelta(hours=1),
        notify=False,
    )
    start_maintenance(m, at=now - timedelta(minutes=5))
    doc = get_page()
    assert doc.by_id("headline").attrs["data-indicator"] == "maintenance"
    assert doc.by_id("headline").text == "Service Under Maintenance"
    assert "Upgrade" in doc.by_id("maintenance-in-progress").text


def test_update_bodies_are_sanitized(frozen_clock, app_ctx, client):
    component = create_component("API")
    incident = create_incident(
        "Bad input",
        IncidentStatus.INVESTIGATING,
        "**Bold** <script>alert('x')</script><img src=x onerror=alert(1)> "
        "[link](javascript:alert(2))",
        {component: ComponentStatus.DEGRADED_PERFORMANCE},
    )
    for path in ("/", f"/incidents/{incident.public_id}"):
        body = client.get(path).get_data(as_text=True)
        assert "<strong>Bold</strong>" in body
        assert "<script>alert" not in body
        assert "onerror" not in body
        assert "javascript:alert" not in body


def test_times_are_in_the_page_time_zone(frozen_clock, app_ctx, get_page):
    db.session.add(PageSettings(name="Zoned", time_zone="America/New_York", footer_links=[]))
    db.session.commit()
    component = create_component("API")
    started = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    incident = create_incident(
        "Slow",
        IncidentStatus.INVESTIGATING,
        "Looking.",
        {component: ComponentStatus.DEGRADED_PERFORMANCE},
        started_at=started,
    )
    for path in ("/", f"/incidents/{incident.public_id}"):
        doc = get_page(path)
        times = doc.find_all("time", datetime="2026-11-25T11:30:00Z")
        assert times, path
        # 11:30 UTC is 6:30 AM in New York (EST, UTC-5).
        assert all(t.text == "Nov 25, 2026, 6:30 AM EST" for t in times), [t.text for t in times]
        assert all("data-local" in t.attrs for t in times)
    assert "America/New_York" in get_page().find("footer").text


def test_uptime_today_stops_at_now(frozen_clock, app_ctx, get_page):
    component = create_component("API", start_date=date(2026, 11, 25))
    set_component_status(
        component,
        ComponentStatus.MAJOR_OUTAGE,
        cause=StatusCause.MANUAL,
        at=frozen_clock.now - timedelta(hours=1),
    )
    doc = get_page()
    node = component_node(doc, "API")
    today = node.find("button", cls="uptime-day", data_date="2026-11-25")
    assert today.attrs["data-status"] == "major_outage"
    # The page is in UTC: 60 of the 720 minutes since midnight were down.
    assert node.find(cls="uptime-percent").text == f"{100 * (1 - 60 / 720):.2f}%"
    assert (
        node.find("button", cls="uptime-day", data_date="2026-11-24").attrs["data-status"]
        == "nodata"
    )
