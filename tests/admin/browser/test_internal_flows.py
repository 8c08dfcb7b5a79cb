"""A communicator watches an alert arrive, drafts a public incident from it and publishes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..alerts_world import ALERT_TITLE, AlertsWorld, build_alerts, send_alert
from ..conftest import PASSWORD


@pytest.fixture
def world(app, staff, frozen_clock) -> AlertsWorld:
    return build_alerts(app)


def sign_in(page, email: str) -> None:
    page.goto("/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_communicator_drafts_and_publishes_from_an_internal_incident(app, world, staff, page):
    from statuspage.internal.models import InternalStatus

    sign_in(page, staff.communicator)
    page.get_by_role("link", name="Internal").click()
    row = page.locator(f'tr[data-internal-id="{world.internal}"]')
    expect(row).to_contain_text(ALERT_TITLE)
    expect(row).to_have_attribute("data-status", "triggered")

    # The alerting tool acknowledges it: the open list shows it without a reload.
    send_alert(app, world.integration, "ack", status=InternalStatus.ACKNOWLEDGED)
    expect(row).to_have_attribute("data-status", "acknowledged", timeout=15_000)

    row.get_by_role("link", name=ALERT_TITLE).click()
    expect(page.locator("#internal-status")).to_have_attribute("data-status", "acknowledged")
    page.get_by_role("link", name="Draft public incident").click()

    expect(page.locator("#drafted-from")).to_contain_text(ALERT_TITLE)
    expect(page.get_by_label("Name")).to_have_value("Errors on API")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator("h1")).to_contain_text("Errors on API")
    public_url = page.url
    internal_link = page.locator(f'#internal-links [data-internal-id="{world.internal}"] a')
    expect(internal_link).to_have_text(ALERT_TITLE)

    internal_link.click()
    public_id = public_url.rsplit("/", 1)[1]
    linked = page.locator(f'[data-linked-incident="{public_id}"] a')
    expect(linked).to_have_text("Errors on API")

    # And customers see the public incident, never the internal one.
    page.goto("/")
    expect(page.locator("body")).to_contain_text("Errors on API")
    expect(page.locator("body")).not_to_contain_text(ALERT_TITLE)
