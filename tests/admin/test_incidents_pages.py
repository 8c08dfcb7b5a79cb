"""The console front page, the incident list and detail pages, and who may use which route."""

from __future__ import annotations

import re

import pytest

from .conftest import csrf_from
from .incidents_world import STALE, build, counts, read, scraped

WRITE_ROUTES = [
    ("GET", "/admin/incidents/new"),
    ("POST", "/admin/incidents/new"),
    ("GET", "/admin/incidents/backfill"),
    ("POST", "/admin/incidents/backfill"),
    ("GET", "/admin/incidents/{incident}/update"),
    ("POST", "/admin/incidents/{incident}/update"),
    ("GET", "/admin/incidents/{incident}/updates/{update}/edit"),
    ("POST", "/admin/incidents/{incident}/updates/{update}/edit"),
    ("GET", "/admin/incidents/{incident}/resolve"),
    ("POST", "/admin/incidents/{incident}/resolve"),
    ("GET", "/admin/incidents/{incident}/postmortem"),
    ("POST", "/admin/incidents/{incident}/postmortem"),
    ("POST", "/admin/incidents/{incident}/postmortem/revert"),
    ("GET", "/admin/incidents/{incident}/hide"),
    ("POST", "/admin/incidents/{incident}/hide"),
    ("GET", "/admin/incidents/{incident}/translations"),
    ("POST", "/admin/incidents/{incident}/translations"),
    ("GET", "/admin/incidents/{incident}/delete"),
    ("GET", "/admin/incidents/{incident}/wording"),
    ("POST", "/admin/incidents/{incident}/wording"),
    ("POST", "/admin/incidents/{incident}/delete"),
    ("POST", "/admin/preview"),
]


@pytest.fixture
def world(app):
    return build(app)


def test_front_page_shows_active_incidents_and_quick_starts(app, world, signed_in):
    client = signed_in("communicator")
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.text
    assert f'data-incident-id="{world.incident}"' in html
    assert "Slow dashboard" in html
    assert "Minor impact" in html
    assert "Investigating" in html
    # One button per incident template, and a blank one.
    assert f'href="/admin/incidents/new?template={world.template}"' in html
    assert ">API down</a>" in html
    assert 'href="/admin/incidents/new"' in html
    assert f'href="/admin/incidents/{world.incident}/update"' in html
    # The component the incident degraded is listed as not operational.
    assert 'id="components-not-operational"' in html
    assert "Degraded Performance" in html


def test_support_sees_the_front_page_without_write_buttons(app, world, signed_in):
    client = signed_in("support")
    html = client.get("/admin/").text
    assert "Slow dashboard" in html
    assert "/admin/incidents/new" not in html
    assert "/update" not in html
    assert "Start an incident" not in html
    detail = client.get(f"/admin/incidents/{world.incident}")
    assert detail.status_code == 200
    assert "The dashboard is slow." in detail.text
    for needle in ("/update", "/resolve", "/edit", "/hide", "/delete", "/postmortem"):
        assert f"/admin/incidents/{world.incident}{needle}" not in detail.text


def test_front_page_links_maintenance_to_its_console_page(app, world, signed_in):
    from datetime import timedelta

    from statuspage.clock import utcnow
    from statuspage.maintenance.services import schedule_maintenance

    def schedule():
        start = utcnow() + timedelta(days=1)
        return schedule_maintenance(
            "Database upgrade", "We upgrade the database.", [], start, start + timedelta(hours=1)
        ).public_id

    maintenance_id = read(app, schedule)
    html = signed_in("support").get("/admin/").text
    assert f'data-maintenance-id="{maintenance_id}"' in html
    assert "Database upgrade" in html
    if "admin.maintenance_detail" in app.view_functions:
        assert f'href="/admin/maintenance/{maintenance_id}"' in html


def test_list_shows_open_first_then_resolved_paginated_and_marks_hidden(app, world, signed_in):
    from datetime import timedelta

    from statuspage.clock import utcnow
    from statuspage.incidents.services import (
        create_incident,
        find_incident,
        resolve_incident,
        set_incident_hidden,
    )

    def make():
        start = utcnow() - timedelta(days=40)
        for n in range(27):
            incident = create_incident(
                f"Old problem {n:02d}",
                "investigating",
                "",
                started_at=start + timedelta(days=n),
                backfilled=True,
            )
            resolve_incident(incident, "Fixed.", display_at=start + timedelta(days=n, hours=1))
        set_incident_hidden(find_incident(world.incident), True)

    read(app, make)
    client = signed_in("support")
    first = client.get("/admin/incidents").text
    open_part, resolved_part = first.split('id="resolved-incidents"')
    assert "Slow dashboard" in open_part
    assert 'data-flag="hidden"' in open_part
    # Newest resolved first, 25 per page.
    names = re.findall(r"Old problem (\d\d)", resolved_part)
    assert names[0] == "26"
    assert len(names) == 25
    assert "Page 1 of 2" in resolved_part
    second = client.get("/admin/incidents?page=2").text
    assert re.findall(r"Old problem (\d\d)", second) == ["01", "00"]
    # A page past the end shows the last one.
    assert "Page 2 of 2" in client.get("/admin/incidents?page=9").text


def test_detail_shows_timeline_with_edit_links(app, world, signed_in):
    html = signed_in("communicator").get(f"/admin/incidents/{world.incident}").text
    assert f'data-update-id="{world.update}"' in html
    assert f'href="/admin/incidents/{world.incident}/updates/{world.update}/edit"' in html
    assert "subscribers notified" in html
    assert f'href="/incidents/{world.incident}"' in html  # the public page


def test_unknown_incident_is_404(app, world, signed_in):
    client = signed_in("communicator")
    assert client.get("/admin/incidents/nope").status_code == 404
    assert client.get("/admin/incidents/nope/update").status_code == 404
    assert client.get(f"/admin/incidents/{world.incident}/updates/nope/edit").status_code == 404


def test_support_gets_403_on_every_write_route_and_nothing_is_written(app, world, signed_in):
    client = signed_in("support")
    token = csrf_from(client.get("/admin/").text)
    before = counts(app)
    for method, pattern in WRITE_ROUTES:
        url = pattern.format(incident=world.incident, update=world.update)
        data = {"csrf_token": token, "name": "x", "body": "x", "status": "resolved"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    assert counts(app) == before


def test_write_routes_need_a_communicator_and_reading_needs_any_staff(app):
    from statuspage.accounts.models import Role
    from statuspage.admin.access import required_role

    readable = {"admin.index", "admin.incidents", "admin.incident_detail"}
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("admin.incident_", "admin.preview"))
    } - readable
    assert len(writes) == 12  # ten incident actions, the support wording, the translations
    for endpoint in writes:
        assert required_role(app.view_functions[endpoint]) is Role.COMMUNICATOR, endpoint
    for endpoint in readable:
        assert required_role(app.view_functions[endpoint]) is Role.SUPPORT, endpoint


@pytest.mark.parametrize(
    "pattern", sorted({p for method, p in WRITE_ROUTES if method == "POST"} - {"/admin/preview"})
)
def test_every_form_refuses_a_missing_csrf_token_and_writes_nothing(app, world, signed_in, pattern):
    from statuspage.incidents.services import find_incident, publish_postmortem, resolve_incident

    def ready_for_revert():
        incident = find_incident(world.incident)
        resolve_incident(incident, "Fixed.")
        publish_postmortem(incident, "A disk filled up.")

    if pattern.endswith("/revert"):
        read(app, ready_for_revert)
    client = signed_in("communicator")
    url = pattern.format(incident=world.incident, update=world.update)
    form_url = url.removesuffix("/revert")
    page = client.get(form_url)
    assert page.status_code == 200
    payload = scraped(page.text, url)
    payload.pop("csrf_token", None)
    payload.update({"name": "Forged", "body": "Forged"})
    before = counts(app)
    response = client.post(url, data=payload)
    assert response.status_code == 400
    assert STALE in response.text
    assert counts(app) == before
