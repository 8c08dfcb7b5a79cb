"""/uptime: a component's uptime as a calendar, month by month."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus, StatusCause
from statuspage.components.services import create_component, set_component_status


def public_id(app_ctx_session, name):
    return app_ctx_session.scalar(sa.select(Component.public_id).where(Component.name == name))


def test_calendar_of_a_component_started_inside_the_range(frozen_clock, demo, get_page):
    from statuspage.extensions import db

    search = public_id(db.session, "Search")
    doc = get_page(f"/uptime?component={search}&months=3")

    selector = doc.find("select", id="uptime-component")
    options = {o.attrs["value"]: o.text for o in selector.find_all("option")}
    assert options[search] == "Search"
    assert "Object storage" not in options.values()  # not showcased
    assert selector.find("option", value=search).attrs.get("selected") is not None

    months = doc.find_all("table", cls="calendar")
    assert [m.attrs["data-month"] for m in months] == ["2026-09", "2026-10", "2026-11"]
    assert months[0].find("caption").find(cls="month-name").text == "September 2026"

    # The demo's Search went live 30 days before today (Berlin): no data before that.
    start = date(2026, 11, 25) - timedelta(days=30)
    cells = {c.attrs["data-date"]: c for c in doc.find_all("td", cls="cal-day")}
    assert len(cells) == 30 + 31 + 30
    before = cells[(start - timedelta(days=1)).isoformat()]
    assert before.attrs["data-status"] == "nodata"
    assert before.attrs["title"].endswith("No data")
    assert cells["2026-09-01"].attrs["data-status"] == "nodata"
    assert months[0].find(cls="month-percent").text == "No data"
    after = cells[(start + timedelta(days=1)).isoformat()]
    assert after.attrs["data-status"] != "nodata"
    assert after.attrs["title"].endswith("% uptime")
    # Days still to come have no data either.
    assert cells["2026-11-30"].attrs["data-status"] == "nodata"
    assert "data-future" in cells["2026-11-30"].attrs


def test_calendar_is_weekday_aligned(frozen_clock, app_ctx, get_page):
    create_component("API")
    doc = get_page("/uptime?months=1")
    month = doc.find("table", cls="calendar")
    assert month.attrs["data-month"] == "2026-11"
    headers = [th.find("abbr").attrs["title"] for th in month.find("thead").find_all("th")]
    assert headers[0] == "Monday"  # CLDR: "en" (no territory) starts weeks on Monday
    first_week = month.find("tbody").find("tr").find_all("td")
    # 1 November 2026 is a Sunday: six padding cells before it.
    assert ["cal-pad" in td.classes for td in first_week] == [True] * 6 + [False]
    assert first_week[6].attrs["data-date"] == "2026-11-01"
    rows = month.find("tbody").find_all("tr")
    assert all(len(r.find_all("td")) == 7 for r in rows)


def test_defaults_to_first_showcased_component_and_three_months(frozen_clock, app_ctx, get_page):
    create_component("Hidden one", visible=False)
    create_component("Not showcased", showcase=False)
    api = create_component("API", start_date=date(2026, 1, 1))
    set_component_status(
        api,
        ComponentStatus.MAJOR_OUTAGE,
        cause=StatusCause.MANUAL,
        at=frozen_clock.now - timedelta(days=3, hours=12),
    )
    set_component_status(
        api,
        ComponentStatus.OPERATIONAL,
        cause=StatusCause.MANUAL,
        at=frozen_clock.now - timedelta(days=3, hours=6),
    )
    doc = get_page("/uptime")
    section = doc.find("section", cls="uptime-calendar")
    assert section.attrs["data-component-id"] == api.public_id
    assert [
        o.text for o in doc.find_all("option") if o.parent.attrs.get("name") == "component"
    ] == ["API"]
    assert len(doc.find_all("table", cls="calendar")) == 3
    day = doc.find("td", data_date="2026-11-22")
    assert day.attrs["data-status"] == "major_outage"
    assert day.attrs["title"] == "Nov 22, 2026: 75.00% uptime"

    earlier = doc.find("a", cls="older").attrs["href"]
    assert "end=2026-08" in earlier
    assert not doc.find_all("a", cls="newer")
    back = get_page(earlier.replace("&amp;", "&"))
    assert [m.attrs["data-month"] for m in back.find_all("table", cls="calendar")] == [
        "2026-06",
        "2026-07",
        "2026-08",
    ]
    assert "end=2026-11" in back.find("a", cls="newer").attrs["href"]


def test_unknown_component_is_404(frozen_clock, app_ctx, client):
    hidden = create_component("Hidden", visible=False)
    assert client.get("/uptime?component=nope").status_code == 404
    assert client.get(f"/uptime?component={hidden.public_id}").status_code == 404


def test_no_components(frozen_clock, app_ctx, get_page):
    doc = get_page("/uptime")
    assert not doc.find_all("table", cls="calendar")
    assert doc.find(cls="empty")
