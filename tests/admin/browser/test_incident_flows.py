"""The incident console in a real browser: the click budget and a whole incident's life.

Interactions are counted in the page itself: every trusted click, and every key press
that is not typing text into a field, from the console's front page on.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..incidents_world import build

COUNT_INTERACTIONS_JS = """(() => {
  const KEY = "interactions";
  const TEXT_INPUTS = /^(text|search|email|url|tel|password|number|datetime-local)$/i;
  const isTyping = (el, key) => {
    if (!el) return false;
    if (el.tagName === "TEXTAREA") return key !== "Tab" && key !== "Escape";
    if (el.tagName === "INPUT" && TEXT_INPUTS.test(el.type))
      return !["Enter", "Tab", "Escape"].includes(key);
    return false;
  };
  const log = (what) => {
    const seen = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    seen.push(what);
    sessionStorage.setItem(KEY, JSON.stringify(seen));
  };
  window.addEventListener("click", (event) => {
    if (!event.isTrusted) return;
    const target = event.target.closest("a, button, input, select, label") || event.target;
    log("click " + (target.textContent || target.name || target.tagName).trim().slice(0, 40));
  }, true);
  window.addEventListener("keydown", (event) => {
    if (event.isTrusted && !isTyping(event.target, event.key)) log("key " + event.key);
  }, true);
})();"""

PUBLIC_STATE_JS = """() => ({
  indicator: document.querySelector("#headline")?.dataset.indicator,
  incidents: [...document.querySelectorAll("[data-incident-id]")].map(e => e.dataset.incidentId),
  components: Object.fromEntries([...document.querySelectorAll(".component[data-component-id]")]
    .map(e => [e.dataset.componentId, e.dataset.status])),
})"""


@pytest.fixture
def world(app, staff):
    return build(app)


def interactions(page: Any) -> list[str]:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('interactions') || '[]')")


def reset_interactions(page: Any) -> None:
    page.evaluate("() => sessionStorage.removeItem('interactions')")


def sign_in(page: Any, email: str) -> None:
    """Sign in through the real form, starting from the console's front page."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def public_state(page: Any) -> dict[str, Any]:
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    state: dict[str, Any] = page.evaluate(PUBLIC_STATE_JS)
    return state


def test_publish_from_a_template_in_3_clicks_and_update_in_2(app, world, staff, make_page):
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(COUNT_INTERACTIONS_JS)
    sign_in(page, staff.communicator)

    # A new incident from a template: pick the template, publish.
    reset_interactions(page)
    page.get_by_role("link", name="API down").click()
    expect(page.get_by_label("Name")).to_have_value("Errors on API")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash-success")).to_contain_text("“Errors on API” is published.")
    publish_clicks = interactions(page)
    assert publish_clicks == ["click API down", "click Publish"]
    assert len(publish_clicks) <= 3
    incident_id = page.url.rstrip("/").rsplit("/", 1)[1]

    public = public_state(page)
    assert incident_id in public["incidents"]
    assert public["components"][world.api] == "major_outage"
    expect(page.locator(f'[data-incident-id="{incident_id}"]')).to_contain_text(
        "We are investigating errors on API"
    )

    # An update from the front page: "Post update", type, publish.
    page.goto("/admin/")
    reset_interactions(page)
    row = page.locator(f'tr[data-incident-id="{incident_id}"]')
    row.get_by_role("link", name="Post update").click()
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.type("We found the cause and are rolling back.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash-success")).to_contain_text("The update is published.")
    update_clicks = interactions(page)
    assert update_clicks == ["click Post update", "click Publish"]
    assert len(update_clicks) <= 2

    page.goto("/")
    expect(page.locator(f'[data-incident-id="{incident_id}"] .latest-update')).to_contain_text(
        "We found the cause and are rolling back."
    )
    assert errors == []


def test_an_incident_from_template_to_postmortem(app, world, staff, make_page):
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    before = public_state(page)
    assert before["indicator"] == "minor"  # the world's slow dashboard

    sign_in(page, staff.communicator)

    # Create from a template, with the live preview and impact hint working.
    page.get_by_role("link", name="API down").click()
    expect(page.locator("[data-impact-derived]")).to_have_text("Critical impact")
    expect(page.locator("[data-no-components]")).to_be_hidden()
    page.get_by_label("Message", exact=True).press_sequentially(" **Workaround**: retry.")
    expect(page.locator(".md-preview-body strong")).to_have_text("Workaround")
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/admin/incidents/\w+$"))
    incident_id = page.url.rsplit("/", 1)[1]
    state = public_state(page)
    assert state["indicator"] == "critical"
    assert state["components"][world.api] == "major_outage"

    # Post an update that changes a component.
    page.goto(f"/admin/incidents/{incident_id}")
    page.get_by_role("link", name="Post update").click()
    page.get_by_label("Status").select_option("monitoring")
    page.get_by_label("API").select_option("degraded_performance")
    page.get_by_label("Message", exact=True).fill("A fix is deployed; we are watching.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#incident-status")).to_have_text("Monitoring")
    state = public_state(page)
    assert state["components"][world.api] == "degraded_performance"
    card = page.locator(f'[data-incident-id="{incident_id}"]')
    expect(card).to_contain_text("A fix is deployed; we are watching.")
    expect(card).to_contain_text("Monitoring")

    # Fix a typo in that update.
    page.goto(f"/admin/incidents/{incident_id}")
    page.locator(".timeline-update").first.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Notify subscribers again")).not_to_be_checked()
    page.get_by_label("Message", exact=True).fill("A fix is deployed everywhere; we are watching.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".flash-success")).to_contain_text("The update is corrected.")
    page.goto(f"/incidents/{incident_id}")
    expect(page.locator("#timeline")).to_contain_text(
        "A fix is deployed everywhere; we are watching."
    )
    expect(page.locator("#timeline")).not_to_contain_text("A fix is deployed; we")

    # Resolve: the affected component goes back to operational, the headline back to before.
    page.goto(f"/admin/incidents/{incident_id}")
    page.get_by_role("link", name="Resolve").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value(
        "This incident has been resolved."
    )
    expect(page.get_by_role("checkbox", name=re.compile("^API"))).to_be_checked()
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#incident-status")).to_have_text("Resolved")
    state = public_state(page)
    assert state["indicator"] == before["indicator"]
    assert incident_id not in state["incidents"]
    assert state["components"][world.api] == "operational"

    # Write and publish the postmortem.
    page.goto(f"/admin/incidents/{incident_id}")
    page.get_by_role("link", name="Write the postmortem").click()
    page.get_by_label("Postmortem", exact=True).fill(
        "## What happened\n\nA bad configuration push. We now canary every push."
    )
    expect(page.locator(".md-preview-body")).to_contain_text("We now canary every push.")
    expect(page.locator(".md-preview-body h2")).to_have_text("What happened")
    page.get_by_label("Notify subscribers").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("The postmortem is published.")
    page.goto(f"/incidents/{incident_id}")
    expect(page.locator("#postmortem")).to_contain_text("We now canary every push.")
    assert errors == []


def test_new_incident_form_warns_without_components_and_derives_the_impact(
    app, world, staff, make_page
):
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, staff.communicator)
    page.get_by_role("link", name="New incident").click()
    warning = page.locator("[data-no-components]")
    expect(warning).to_be_visible()
    expect(page.locator("[data-impact-derived]")).to_have_text("No impact")
    page.get_by_label("Email").select_option("partial_outage")
    expect(warning).to_be_hidden()
    expect(page.locator("[data-impact-derived]")).to_have_text("Major impact")
    page.get_by_label("Email").select_option("")
    expect(warning).to_be_visible()

    # The server says the same beside the field when the name is missing, and keeps the input.
    page.get_by_label("Dashboard").select_option("major_outage")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator('.field-error[data-field="name"]')).to_have_text("Enter a name.")
    expect(page.get_by_label("Dashboard")).to_have_value("major_outage")
    expect(page.locator("[data-impact-derived]")).to_have_text("Critical impact")
    assert errors == []
