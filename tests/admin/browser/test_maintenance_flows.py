"""A communicator schedules maintenance in the browser, then starts it; the public page follows."""

from __future__ import annotations

import pytest

from ..conftest import PASSWORD
from ..console_pages import db_session


@pytest.fixture
def world(app, staff, frozen_clock) -> dict[str, str]:
    """A page in Berlin time with two components."""
    from statuspage.components.services import create_component, create_group
    from statuspage.site.models import PageSettings

    with db_session(app) as session:
        session.add(PageSettings(name="Acme Status", time_zone="Europe/Berlin"))
        session.commit()
        core = create_group("Core")
        return {
            "api": create_component("API", group=core).public_id,
            "database": create_component("Database", group=core).public_id,
        }


def test_schedule_then_start_maintenance(page, world, staff):
    page.goto("/admin/login")
    page.get_by_label("Email").fill(staff.communicator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto("/admin/maintenance")
    page.get_by_role("link", name="Schedule maintenance").click()
    page.get_by_label("Name").fill("Database upgrade")
    page.get_by_label("Message", exact=True).fill("We upgrade the database to a new major version.")
    page.get_by_label("Database").check()
    page.get_by_label("Starts", exact=True).fill("2026-11-26T10:00")
    page.get_by_label("Ends", exact=True).fill("2026-11-26T12:00")
    page.get_by_label("Remind subscribers this many minutes before").fill("60")
    page.get_by_role("button", name="Schedule", exact=True).click()

    page.wait_for_url("**/admin/maintenance/*")
    assert page.locator(".flash").inner_text() == "“Database upgrade” is scheduled."
    assert "Nov 26, 2026, 10:00" in page.locator(".facts").inner_text()
    detail_url = page.url

    page.goto("/")
    upcoming = page.locator("#maintenance-upcoming")
    assert "Database upgrade" in upcoming.inner_text()
    assert page.locator("#headline").get_attribute("data-indicator") == "none"

    page.goto(detail_url)
    start = page.locator("#transition-start")
    start.get_by_label("Message (optional)").fill("The upgrade has begun.")
    start.get_by_role("button", name="Start now").click()
    page.wait_for_url(detail_url)
    assert page.locator("#maintenance-status").inner_text() == "In progress"

    page.goto("/")
    headline = page.locator("#headline")
    assert headline.get_attribute("data-indicator") == "maintenance"
    assert headline.inner_text() == "Service Under Maintenance"
    assert "Database upgrade" in page.locator("#maintenance-in-progress").inner_text()
    database = page.locator(f'li.component[data-component-id="{world["database"]}"]')
    assert database.get_attribute("data-status") == "under_maintenance"
    api = page.locator(f'li.component[data-component-id="{world["api"]}"]')
    assert api.get_attribute("data-status") == "operational"
