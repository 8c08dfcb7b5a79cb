"""The public pages in chromium: narrow screens, local times, summaries without JavaScript."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.incidents.models import Incident

pytestmark = pytest.mark.browser


def incident_id(name: str) -> str:
    value = db.session.scalar(sa.select(Incident.public_id).where(Incident.name == name))
    db.session.rollback()  # hold no transaction while the live server works
    return value


def test_every_page_fits_a_320px_screen(frozen_clock, demo, make_page):
    outage = incident_id("API and Dashboard outage")
    page = make_page(viewport={"width": 320, "height": 640})
    for path in (
        "/",
        "/history",
        "/history?page=2",
        "/uptime",
        f"/incidents/{outage}",
        f"/maintenance/{demo.upcoming_maintenance_id}",
        "/incidents/unknown",
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways ({width}px)"


def test_times_move_to_the_viewers_zone(frozen_clock, demo, make_page):
    page = make_page(timezone_id="America/New_York", locale="en-US")
    page.goto(f"/incidents/{demo.active_incident_id}")
    started = page.locator(".incident-started time")
    expect(started).to_have_attribute("data-localized", "")
    # The page zone (Europe/Berlin) stays available as the tooltip.
    expect(started).to_have_attribute("title", re.compile(r"CET$"))
    expect(started).to_have_text(re.compile(r"EST$"))


def test_day_summaries_work_without_javascript(frozen_clock, demo, make_page):
    page = make_page(java_script_enabled=False)
    page.goto("/")
    day = page.locator(".component button.uptime-day").nth(60)
    summary = page.locator(f'[id="{day.get_attribute("aria-describedby")}"]')
    expect(summary).to_be_hidden()
    day.focus()
    expect(summary).to_be_visible()
    page.evaluate("document.activeElement.blur()")
    expect(summary).to_be_hidden()
    day.hover()
    expect(summary).to_be_visible()


def test_escape_dismisses_a_summary(frozen_clock, demo, make_page):
    page = make_page()
    page.goto("/")
    day = page.locator(".component button.uptime-day").nth(45)
    summary = page.locator(f'[id="{day.get_attribute("aria-describedby")}"]')
    day.click()
    expect(summary).to_be_visible()
    page.keyboard.press("Escape")
    expect(summary).to_be_hidden()
    # Another day opens normally afterwards.
    other = page.locator(".component button.uptime-day").nth(46)
    other.hover()
    expect(page.locator(f'[id="{other.get_attribute("aria-describedby")}"]')).to_be_visible()


def test_skip_link_is_the_first_stop(frozen_clock, demo, make_page):
    page = make_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_dark_scheme(frozen_clock, app_ctx, make_page):
    light = make_page(color_scheme="light")
    light.goto("/")
    dark = make_page(color_scheme="dark")
    dark.goto("/")
    style = "getComputedStyle(document.body).backgroundColor"
    assert light.evaluate(style) != dark.evaluate(style)
