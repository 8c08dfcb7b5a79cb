"""A support agent in a real browser: a new alert appears live, a customer lookup, copy wording."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from statuspage.components.models import ComponentStatus

from ..admin.conftest import PASSWORD
from ..admin.console_pages import db_session
from .test_support_view import add_alert

ENGLISH = "We know the API is slow for some of you. No data is lost."
GERMAN = "Die API ist für einige von Ihnen langsam. Es gehen keine Daten verloren."


def test_support_sees_a_new_alert_live_looks_up_a_customer_and_copies_the_wording(
    app, staff, make_page
) -> None:
    from statuspage.components.services import create_component
    from statuspage.customers.services import CustomerInput, create_customer
    from statuspage.incidents.services import create_incident
    from statuspage.subscribers.services import subscribe
    from statuspage.support.services import save_note

    with db_session(app):
        api = create_component("API")
        create_component("Web")
        create_customer(
            CustomerInput(name="Acme", domains=["acme.com"], plan="Gold", components=[api])
        )
        subscribe("email", "jane@acme.com", staff=True, skip_confirmation=True)
        incident = create_incident(
            "API is slow",
            "investigating",
            "Looking into it.",
            {api: ComponentStatus.DEGRADED_PERFORMANCE},
        )
        save_note(
            incident,
            wording={"en": ENGLISH, "de": GERMAN},
            expected_resolution_at=None,
            actor="comms@example.com",
        )
        incident_id = incident.public_id

    page = make_page(permissions=["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/support/")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_label("Email").fill(staff.support)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/support/$"))
    expect(page.locator(f'[data-incident-id="{incident_id}"]')).to_contain_text("API is slow")
    expect(page.locator("#internal-count")).to_have_text("0")
    page.evaluate("window.supportMarker = 'no reload'")

    # An alert comes in while the page is open.
    alert_id = add_alert(app, "db-primary down", ["API"])

    card = page.locator(f'[data-incident-id="{alert_id}"]')
    expect(card).to_contain_text("db-primary down")
    expect(card).to_contain_text("P1")
    expect(card.locator(".customers-affected")).to_have_text("1")
    expect(page.locator("#internal-count")).to_have_text("1")
    assert page.evaluate("window.supportMarker") == "no reload"

    # Look up the customer by a person's address, open them, copy the German wording.
    page.get_by_label("Find a customer by email, domain, name or external id").fill("jane@acme.com")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Acme").click()
    expect(page.locator("#customer-name")).to_have_text("Acme")
    expect(page.locator("#subscriptions")).to_contain_text("jane@acme.com")
    public_card = page.locator(f'[data-incident-id="{incident_id}"]')
    public_card.get_by_role("tab", name="de", exact=True).click()
    expect(public_card.get_by_role("tab", name="de", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    public_card.get_by_role("button", name="Copy (de)").click()
    # Found by what it copies: its name changes to "Copied" for a moment.
    copy = public_card.locator('[data-copy$="-de"]')
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == GERMAN

    # The page's own language is the first tab and copies its own text.
    public_card.get_by_role("tab", name=re.compile(r"^en")).click()
    public_card.get_by_role("button", name="Copy (en)").click()
    assert page.evaluate("navigator.clipboard.readText()") == ENGLISH
    # Support has no way to change any of it from here.
    assert page.locator("form[method=post]").count() == 1  # signing out only
    assert errors == []
