"""The audit log page: admins only, newest first, filters, pages, links and diffs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from statuspage.audit.queries import AuditFilters, audit_page, diff
from statuspage.audit.services import record
from statuspage.db import unit_of_work

URL = "/admin/audit"


def add_entries(app: Any, clock: Any, specs: list[tuple[datetime, str, str, str, str]]) -> None:
    """Record audit entries at given instants: (at, actor, action, object_type, object_id)."""
    with app.app_context():
        for at, actor, action, object_type, object_id in specs:
            clock.set(at)
            with unit_of_work():
                record(actor, action, object_type, object_id, {"n": 1}, {"n": 2})


def set_zone(app: Any, zone: str) -> None:
    from statuspage.site.services import update_settings

    with app.app_context():
        update_settings(time_zone=zone, actor="test")


def actions(html: str) -> list[str]:
    return re.findall(r'<tr class="audit-row" data-action="([^"]+)"', html)


@pytest.mark.parametrize("role", ["communicator", "support"])
def test_audit_log_is_for_admins_only(signed_in, role):
    assert signed_in(role).get(URL).status_code == 403


def test_the_log_shows_who_did_what_when_and_from_where(frozen_clock, app, signed_in):
    set_zone(app, "Europe/Berlin")
    admin = signed_in("admin")
    html = admin.get(URL).text
    # Newest first (all at the same frozen instant: latest written first).
    assert actions(html) == [
        "user.sign_in",
        "page_settings.create",
        "user.create",
        "user.create",
        "user.create",
    ]
    assert "time zone, Europe/Berlin." in html
    # 12:00 UTC is 13:00 in Berlin in November.
    assert '<time datetime="2026-11-25T13:00:00+01:00">2026-11-25 13:00:00</time>' in html
    assert "<td>127.0.0.1</td>" in html  # the sign-in came through the test client
    assert "<td>admin@example.com</td>" in html
    # Objects link to their console page where one exists.
    assert re.search(r'href="/admin/users/[a-z0-9]{12}" class="audit-object"', html)
    assert 'href="/admin/settings" class="audit-object"' in html


def test_the_diff_highlights_changed_keys(app, signed_in):
    from statuspage.site.services import update_settings

    with app.app_context():
        update_settings(name="Before", actor="test")
        update_settings(name="After", actor="test")
    html = signed_in("admin").get(URL + "?action=page_settings.update").text
    assert actions(html) == ["page_settings.update"]
    changed = re.findall(r'<tr class="changed" data-key="([^"]+)">', html)
    same = re.findall(r'<tr class="same" data-key="([^"]+)">', html)
    assert changed == ["name"]
    assert "time_zone" in same
    assert "<pre>Before</pre>" in html
    assert "<pre>After</pre>" in html
    assert "1 change<" in html


def test_diff_of_created_and_deleted_objects():
    lines = diff(None, {"name": "x", "tags": ["a"]})
    assert [(x.key, x.before, x.after, x.changed) for x in lines] == [
        ("name", None, "x", True),
        ("tags", None, '["a"]', True),
    ]
    lines = diff({"name": "x", "n": 1}, {"name": "x"})
    assert [(x.key, x.changed) for x in lines] == [("name", False), ("n", True)]
    assert diff(None, None) == ()


def test_filters_narrow_the_log(frozen_clock, app, signed_in):
    base = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    add_entries(
        app,
        frozen_clock,
        [
            (base, "comms@example.com", "incident.create", "incident", "inc000000001"),
            (base, "comms@example.com", "incident.update", "incident", "inc000000001"),
            (base, "api:sp_abc123", "incident.create", "incident", "inc000000002"),
            (base, "worker", "maintenance.start", "maintenance", "mnt000000001"),
            (base, "comms@example.com", "incidents_x.create", "other", "x"),
        ],
    )
    frozen_clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    admin = signed_in("admin")

    def shown(query: str) -> list[str]:
        response = admin.get(URL + query)
        assert response.status_code == 200
        return actions(response.text)

    # Same instant: the latest written comes first.
    assert shown("?action=incident.") == ["incident.create", "incident.update", "incident.create"]
    assert shown("?action=incident.&actor=COMMS") == ["incident.update", "incident.create"]
    assert shown("?object_type=maintenance") == ["maintenance.start"]
    assert shown("?object_type=incident&object_id=inc000000002") == ["incident.create"]
    assert shown("?actor=api:") == ["incident.create"]
    # LIKE wildcards are literal characters, not patterns.
    assert shown("?action=%25") == []
    assert shown("?action=incident_") == []
    html = admin.get(URL + "?object_type=maintenance").text
    assert '<option selected value="maintenance">maintenance</option>' in html
    assert "Clear filters" in html
    assert "1 entry<" in html


def test_dates_are_days_in_the_page_time_zone(frozen_clock, app, signed_in):
    set_zone(app, "Europe/Berlin")
    add_entries(
        app,
        frozen_clock,
        [
            # 23:30 on the 23rd in Berlin.
            (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), "a", "t.late23", "t", "1"),
            # 00:30 on the 24th in Berlin, still the 23rd in UTC.
            (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "a", "t.early24", "t", "2"),
            (datetime(2026, 11, 24, 22, 59, tzinfo=UTC), "a", "t.late24", "t", "3"),
            (datetime(2026, 11, 24, 23, 0, tzinfo=UTC), "a", "t.early25", "t", "4"),
        ],
    )
    frozen_clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    admin = signed_in("admin")
    html = admin.get(URL + "?action=t.&date_from=2026-11-24&date_to=2026-11-24").text
    assert actions(html) == ["t.late24", "t.early24"]
    html = admin.get(URL + "?action=t.&date_from=2026-11-24").text
    assert actions(html) == ["t.early25", "t.late24", "t.early24"]
    html = admin.get(URL + "?action=t.&date_to=2026-11-23").text
    assert actions(html) == ["t.late23"]


def test_a_bad_date_is_explained_beside_the_field(signed_in):
    response = signed_in("admin").get(URL + "?date_from=yesterday")
    assert response.status_code == 400
    assert re.search(r'<p class="field-error"[^>]*data-field="date_from">', response.text)
    assert 'value="yesterday"' in response.text


def test_fifty_entries_a_page_and_the_filters_survive_paging(frozen_clock, app, signed_in):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    add_entries(
        app,
        frozen_clock,
        [
            (start + timedelta(minutes=i), "bulk", f"bulk.n{i:03d}", "bulk", str(i))
            for i in range(120)
        ],
    )
    frozen_clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    admin = signed_in("admin")
    first = admin.get(URL + "?action=bulk.").text
    rows = actions(first)
    assert len(rows) == 50
    assert rows[0] == "bulk.n119"
    assert "Page 1 of 3" in first
    assert 'rel="next" href="/admin/audit?page=2&amp;action=bulk."' in first
    assert 'rel="prev"' not in first
    third = admin.get(URL + "?action=bulk.&page=3").text
    assert actions(third) == [f"bulk.n{i:03d}" for i in range(19, -1, -1)]
    assert 'rel="next"' not in third
    # Out-of-range pages show the nearest page instead of an error.
    assert actions(admin.get(URL + "?action=bulk.&page=99").text) == actions(third)
    assert actions(admin.get(URL + "?action=bulk.&page=-1").text) == rows


def test_objects_without_a_console_page_are_not_linked(app, frozen_clock):
    add_entries(
        app,
        frozen_clock,
        [(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), "a", "x.y", "no_such_type", "abc")],
    )
    with app.test_request_context():
        from statuspage.admin.audit_views import object_url

        view = audit_page(AuditFilters(), 1, time_zone="Nowhere/Zone", link_for=object_url)
        assert view.time_zone == "UTC"
        assert [(r.object_type, r.object_url) for r in view.rows] == [("no_such_type", None)]
        assert object_url("user", None) is None
        assert object_url("page_settings", None) == "/admin/settings"
        assert view.filters.query_args() == {}
        filters = AuditFilters(action="x.", date_from=date(2026, 1, 2))
        assert filters.query_args() == {"action": "x.", "date_from": "2026-01-02"}


def test_every_linked_object_opens_its_console_page(app):
    from statuspage.accounts.models import Role
    from statuspage.admin.audit_views import OBJECT_PAGES, object_url

    from .walker import build_world, sign_in_as

    world = build_world(app)
    admin = sign_in_as(app, world, Role.ADMIN)
    with app.test_request_context():
        view = audit_page(AuditFilters(), 1, time_zone="UTC", link_for=object_url, per_page=1000)
        installed = {
            object_type
            for object_type, pages in OBJECT_PAGES.items()
            if any(endpoint in app.view_functions for endpoint, _arg in pages)
        }
        links = {(row.object_type, row.object_url) for row in view.rows if row.object_id}
    assert {"user", "page_settings"} <= installed
    for object_type, url in sorted(links, key=str):
        if object_type in installed:
            assert url is not None, object_type
            assert admin.get(url).status_code == 200, url
        else:
            assert url is None, object_type
