"""The status page in a real browser, on a phone and on a desktop, with the demo data."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from statuspage.components.rollup import indicator_description, overall_indicator
from statuspage.extensions import db
from statuspage.incidents.queries import open_incidents
from statuspage.models import Component, Incident, Maintenance, MaintenanceStatus

PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def expected_state(demo):
    """What the page must say, computed from the database by the published rule."""
    components = db.session.scalars(sa.select(Component).where(Component.visible.is_(True))).all()
    in_maintenance = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Maintenance)
        .where(Maintenance.status == MaintenanceStatus.IN_PROGRESS)
    )
    indicator = overall_indicator(
        [c.status for c in components],
        [i.impact for i in open_incidents()],
        maintenance_in_progress=bool(in_maintenance),
    )
    showcased = [c.public_id for c in components if c.showcase]
    incident_name = db.session.scalar(
        sa.select(Incident.name).where(Incident.public_id == demo.active_incident_id)
    )
    state = {
        "indicator": str(indicator),
        "headline": indicator_description(indicator),
        "showcased": showcased,
        "incident_name": incident_name,
    }
    db.session.rollback()  # hold no transaction while the live server works
    return state


def open_home(make_page, options):
    page = make_page(**options)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    return page, errors


def showcased_component(page, showcased):
    """The first showcased component on the page, its group opened if it was collapsed."""
    selector = ", ".join(f'.component[data-component-id="{cid}"]' for cid in showcased)
    component = page.locator(selector).first
    expect(component).to_be_attached()
    group = page.locator("details.component-group").filter(has=component)
    if group.count() and group.first.get_attribute("open") is None:
        group.first.locator("summary").click()
    expect(component).to_be_visible()
    return component


def summary_of(page, day):
    describedby = day.get_attribute("aria-describedby")
    assert describedby
    summary = page.locator(f'[id="{describedby}"]')
    expect(summary).to_have_class(re.compile(r"\bday-summary\b"))
    expect(summary).to_have_attribute("role", "tooltip")
    return summary


def check_headline_groups_and_incident(page, demo, state):
    headline = page.locator("#headline")
    expect(headline).to_be_visible()
    assert state["indicator"] != "none"  # the demo has an active incident
    expect(headline).to_have_attribute("data-indicator", state["indicator"])
    expect(headline).to_contain_text(state["headline"])

    expect(page.locator("details.component-group .group-name").first).to_be_visible()

    links = page.locator("#active-incidents a.incident-link")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert f"/incidents/{demo.active_incident_id}" in hrefs


def check_hover_and_keyboard(page, state):
    component = showcased_component(page, state["showcased"])
    days = component.locator("button.uptime-day:visible")
    assert days.count() > 0

    hovered = days.last
    summary = summary_of(page, hovered)
    expect(summary).to_be_hidden()
    hovered.hover()
    expect(summary).to_be_visible()

    # Keyboard: Tab from the top of the page to the first uptime day button.
    page.mouse.move(0, 0)
    page.locator("#headline").click(position={"x": 1, "y": 1})
    focused_day = None
    for _ in range(400):
        page.keyboard.press("Tab")
        is_day = page.evaluate(
            "() => document.activeElement && document.activeElement.matches('button.uptime-day')"
        )
        if is_day:
            focused_day = page.locator("button.uptime-day:focus")
            break
    assert focused_day is not None, "no uptime day button is reachable with the Tab key"
    if focused_day.get_attribute("aria-describedby") == hovered.get_attribute("aria-describedby"):
        page.keyboard.press("Tab")
        focused_day = page.locator("button.uptime-day:focus")
    expect(summary_of(page, focused_day)).to_be_visible()


def check_tap(page, state):
    # Start from nothing focused or hovered, so only the tap can open the summary.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    component = showcased_component(page, state["showcased"])
    days = component.locator("button.uptime-day:visible")
    day = days.nth(days.count() // 2)
    summary = summary_of(page, day)
    expect(summary).to_be_hidden()
    day.tap()
    expect(summary).to_be_visible()


def follow_active_incident(page, demo, state):
    link = page.locator(
        f'#active-incidents a.incident-link[href="/incidents/{demo.active_incident_id}"]'
    ).first
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value is not None
    assert navigation.value.status == 200
    expect(page).to_have_url(re.compile(rf"/incidents/{demo.active_incident_id}$"))
    expect(page.get_by_text(state["incident_name"]).first).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_home_page_shows_the_demo_state(demo, make_page, device):
    state = expected_state(demo)
    page, errors = open_home(make_page, PHONE if device == "phone" else DESKTOP)

    check_headline_groups_and_incident(page, demo, state)
    check_hover_and_keyboard(page, state)
    if device == "phone":
        check_tap(page, state)
    follow_active_incident(page, demo, state)

    assert errors == [], f"JavaScript errors: {errors}"
