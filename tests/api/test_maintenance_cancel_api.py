"""Cancelling maintenance over the write APIs: Manage DELETE /incidents/{id}, Cachet DELETE."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from statuspage.accounts.services import create_api_key, create_user
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.maintenance.services import (
    complete_maintenance,
    find_maintenance,
    schedule_maintenance,
    start_maintenance,
)
from statuspage.site.models import PageSettings
from statuspage.site.queries import get_page_settings


@pytest.fixture
def setup(app_ctx: Any, frozen_clock: Any) -> Any:
    """A communicator's key, the page id, a component and a window on it tomorrow."""
    db.session.add(PageSettings(name="Acme Status"))
    db.session.commit()
    create_user("comms@example.com", "correct-horse-battery", "communicator")
    _key, secret = create_api_key("comms@example.com")
    component = create_component("Database")
    start = frozen_clock.now + timedelta(days=1)
    window = schedule_maintenance(
        "DB upgrade", "We upgrade.", [component], start, start + timedelta(hours=1)
    )

    class Setup:
        page = get_page_settings().public_id
        manage = {"Authorization": f"OAuth {secret}"}
        cachet = {"X-Cachet-Token": secret}
        window_id = window.public_id
        component_id = component.public_id

    return Setup()


def test_manage_delete_cancels_a_scheduled_window(setup: Any, client: Any) -> None:
    url = f"/api/v1/pages/{setup.page}/incidents/{setup.window_id}"
    response = client.delete(
        url,
        json={"incident": {"body": "Moved to next quarter.", "deliver_notifications": False}},
        headers=setup.manage,
    )
    assert response.status_code == 200, response.get_json()
    obj = response.get_json()
    assert obj["id"] == setup.window_id
    assert obj["status"] == "completed"
    assert obj["cancelled_at"] is not None
    assert obj["incident_updates"][0]["body"] == "Moved to next quarter."
    assert obj["incident_updates"][0]["deliver_notifications"] is False
    # It is kept (GET still finds it) but no longer upcoming anywhere.
    assert client.get(url, headers=setup.manage).get_json()["status"] == "completed"
    upcoming = client.get(
        f"/api/v1/pages/{setup.page}/incidents/upcoming", headers=setup.manage
    ).get_json()
    assert setup.window_id not in [m["id"] for m in upcoming]
    public = client.get("/api/v2/scheduled-maintenances/upcoming.json").get_json()
    assert public["scheduled_maintenances"] == []

    again = client.delete(url, headers=setup.manage)
    assert again.status_code == 422
    assert "already cancelled" in again.get_json()["error"]


def test_manage_delete_in_progress_gives_the_component_back(setup: Any, client: Any) -> None:
    start_maintenance(find_maintenance(setup.window_id))
    component_url = f"/api/v1/pages/{setup.page}/components/{setup.component_id}"
    assert client.get(component_url, headers=setup.manage).get_json()["status"] == (
        "under_maintenance"
    )
    response = client.delete(
        f"/api/v1/pages/{setup.page}/incidents/{setup.window_id}", headers=setup.manage
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["incident_updates"][0]["body"] == (
        "This maintenance has been cancelled."
    )
    assert client.get(component_url, headers=setup.manage).get_json()["status"] == "operational"


def test_manage_delete_refuses_a_completed_window(setup: Any, client: Any) -> None:
    complete_maintenance(find_maintenance(setup.window_id))
    response = client.delete(
        f"/api/v1/pages/{setup.page}/incidents/{setup.window_id}", headers=setup.manage
    )
    assert response.status_code == 422
    assert "completed" in response.get_json()["error"]


def test_cachet_delete_schedule_cancels_it(setup: Any, client: Any) -> None:
    url = f"/api/v1/schedules/{setup.window_id}"
    assert client.delete(url).status_code == 401  # writes need a key
    response = client.delete(url, json={"message": "Not needed."}, headers=setup.cachet)
    assert response.status_code == 204
    assert response.data == b""
    window = find_maintenance(setup.window_id)
    assert window is not None
    assert window.cancelled
    listed = client.get("/api/v1/schedules").get_json()["data"]
    (item,) = [s for s in listed if s["id"] == setup.window_id]
    assert item["status"] == 2  # complete: Cachet has no cancelled state

    again = client.delete(url, headers=setup.cachet)
    assert again.status_code == 400
    assert "already cancelled" in again.get_json()["errors"][0]["detail"]
    missing = client.delete("/api/v1/schedules/nosuchwindow", headers=setup.cachet)
    assert missing.status_code == 404
