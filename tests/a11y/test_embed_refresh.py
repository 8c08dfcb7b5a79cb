"""/embed keeps itself current without a timed page refresh (WCAG 2.2.1), in chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database", ["sqlite"], indirect=True),
]


def test_embed_swaps_in_news_in_place_and_never_while_focused(
    app: Any, frozen_clock: Any, app_ctx: Any, make_page: Any
) -> None:
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    web = create_component("Web app")
    db.session.rollback()
    page = make_page()
    page.clock.install()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.resource_type == "fetch" else None)
    page.goto("/embed")
    headline = page.locator("h1.embed-overall")
    expect(headline).to_have_text("All Systems Operational")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.evaluate("() => { window.__samePage = true; }")

    create_incident(
        "Checkout errors",
        IncidentStatus.IDENTIFIED,
        "Rolling back.",
        {web: ComponentStatus.MAJOR_OUTAGE},
        notify=False,
    )
    db.session.rollback()  # hold no transaction while the live server works

    # A keyboard user inside the frame is not disturbed.
    page.locator(".embed-headline").focus()
    page.clock.run_for(61_000)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    assert fetched == []
    expect(headline).to_have_text("All Systems Operational")

    # Once focus has left, the next round updates the live region in place.
    page.evaluate("() => document.activeElement.blur()")
    page.clock.run_for(61_000)
    expect(headline).to_have_text("Major System Outage")
    expect(page.locator(".embed-item-title")).to_have_text("Checkout errors")
    assert page.evaluate("() => window.__samePage") is True  # no reload
    assert len(fetched) == 1
