"""The delivery report follows the fan-out live in a real browser: counts change, no reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ...notifications.receiver import Receiver
from ..conftest import PASSWORD
from ..test_delivery_report import deliver, plan, publish


def test_report_counts_change_while_the_worker_sends(app, staff, make_page) -> None:
    receiver = Receiver(answer=lambda path: (500, {}) if path == "/fail" else (200, {})).start()
    try:
        published = publish(app, receiver)
        plan(app)
        page = make_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/admin/login")
        page.get_by_label("Email").fill(staff.communicator)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))

        page.goto(f"/admin/incidents/{published.incident_id}")
        report = page.locator(f'[data-delivery-report][data-event-id="{published.event_id}"]')
        expect(report.locator('[data-count="total:queued"]')).to_have_text("3")
        expect(report.locator('[data-count="total:sent"]')).to_have_text("0")
        # A marker a reload would wipe out.
        page.evaluate("window.reportMarker = 'still here'")

        deliver(app)  # the worker's tick, run by the test while the page polls

        expect(report.locator('[data-count="webhook:sent"]')).to_have_text("2")
        expect(report.locator('[data-count="webhook:failed"]')).to_have_text("1")
        expect(report.locator('[data-count="total:queued"]')).to_have_text("0")
        expect(report).to_have_attribute("data-active", "false")
        assert page.evaluate("window.reportMarker") == "still here"
        assert errors == []
    finally:
        receiver.stop()
