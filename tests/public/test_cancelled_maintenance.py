"""A cancelled window on the public pages and the public API v2: never upcoming, said plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from statuspage.components.services import create_component
from statuspage.maintenance.services import (
    cancel_maintenance,
    schedule_maintenance,
    start_maintenance,
)


@pytest.fixture
def api_component(app_ctx):
    return create_component("API")


def test_a_cancelled_upcoming_window_leaves_the_front_page_and_says_cancelled(
    frozen_clock, api_component, get_page, client
):
    start = frozen_clock.now + timedelta(days=1)
    window = schedule_maintenance(
        "Router swap", "We swap routers.", [api_component], start, start + timedelta(hours=1)
    )
    assert "Router swap" in get_page("/").text

    cancel_maintenance(window, "The vendor postponed the delivery.")

    front = get_page("/")
    assert "Router swap" not in front.text
    assert not front.find_all(cls="maintenance-card")
    page = get_page(f"/maintenance/{window.public_id}")
    article = page.find(cls="maintenance-detail")
    assert article.attrs["data-status"] == "cancelled"
    assert page.find(cls="maintenance-status").text == "Cancelled"
    assert page.find(cls="maintenance-cancelled").find("time")
    updates = page.by_id("timeline").find_all("li", cls="timeline-update")
    assert [u.find(cls="update-status").text for u in updates] == ["Cancelled", "Scheduled"]
    assert "The vendor postponed the delivery." in updates[0].text
    assert "Completed" not in page.find(cls="facts").text

    v2 = client.get("/api/v2/scheduled-maintenances/upcoming.json").get_json()
    assert v2["scheduled_maintenances"] == []
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["scheduled_maintenances"] == []
    listed = client.get("/api/v2/scheduled-maintenances.json").get_json()
    (obj,) = listed["scheduled_maintenances"]
    # The v2 vocabulary has no "cancelled": completed, with a final update saying why.
    assert obj["status"] == "completed"
    assert obj["resolved_at"] is not None
    assert obj["incident_updates"][0]["status"] == "completed"
    assert obj["incident_updates"][0]["body"] == "The vendor postponed the delivery."


def test_a_window_cancelled_while_under_way_is_history_not_in_progress(
    frozen_clock, api_component, get_page, client
):
    start = frozen_clock.now - timedelta(hours=1)
    window = schedule_maintenance(
        "Disk swap", "Disks.", [api_component], start, start + timedelta(hours=3)
    )
    start_maintenance(window, at=start)
    front = get_page("/")
    assert front.find(cls="overall").attrs["data-indicator"] == "maintenance"

    cancel_maintenance(window)

    front = get_page("/")
    assert front.find(cls="overall").attrs["data-indicator"] == "none"
    assert "Disk swap" not in front.text
    component = front.find(cls="component")
    assert component.attrs["data-status"] == "operational"
    active = client.get("/api/v2/scheduled-maintenances/active.json").get_json()
    assert active["scheduled_maintenances"] == []

    history = get_page("/history")
    (entry,) = [
        e
        for e in history.find_all("li", cls="history-entry")
        if e.attrs["data-id"] == window.public_id
    ]
    assert "Cancelled" in entry.find(cls="card-meta").text
    assert "This maintenance has been cancelled." in entry.text

    # The hour under maintenance counted as up: cancelling leaves uptime whole.
    assert component.find(cls="uptime-percent").text == "100.00%"
    today = component.find_all("button", cls="uptime-day")[-1]
    assert today.attrs["data-status"] == "under_maintenance"
