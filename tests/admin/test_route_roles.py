"""Every console route under every role: anonymous, support, communicator, admin.

The routes come from app.url_map when the test runs, so a route added later is
walked too; its URL arguments are filled with real demo objects (walker.py).
Each test collects every failing route and reports them together.
"""

from __future__ import annotations

import pytest

from statuspage.accounts.models import Role

from .conftest import csrf_from
from .walker import (
    ADMIN_ONLY,
    RANK,
    ROLES,
    SELF_SERVICE,
    World,
    admin_rules,
    build_world,
    counts,
    form_payload,
    methods,
    required,
    sign_in_as,
    support_rules,
    url_for_rule,
)


@pytest.fixture
def world(app) -> World:
    """The demo data, staff of every role and one real id for every URL argument."""
    return build_world(app)


def report(failures: list[str]) -> str:
    return f"{len(failures)} route checks failed:\n  " + "\n  ".join(failures)


def test_every_write_route_needs_a_communicator_and_admin_pages_need_an_admin(app):
    failures = []
    for rule in admin_rules(app):
        role = required(app, rule)
        writes = "POST" in methods(rule) and rule.endpoint not in SELF_SERVICE
        if writes and RANK[role] < RANK[Role.COMMUNICATOR]:
            failures.append(
                f"POST {rule.rule} ({rule.endpoint}) is open to support: "
                "decorate the view with @requires(Role.COMMUNICATOR) or higher"
            )
        if rule.endpoint in ADMIN_ONLY and role is not Role.ADMIN:
            failures.append(f"{rule.rule} ({rule.endpoint}) must require Role.ADMIN")
    assert not failures, report(failures)
    assert {"admin.settings", "admin.audit", "admin.users"} <= {
        r.endpoint for r in admin_rules(app)
    }


def test_anonymous_visitors_are_sent_to_sign_in_and_write_nothing(app, world):
    client = app.test_client()
    login_page = client.get("/admin/login")
    assert login_page.status_code == 200
    token = csrf_from(login_page.text)
    before = counts(app)
    failures = []
    for rule in admin_rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            if rule.endpoint == "admin.login":
                continue
            response = client.open(url, method=method, data={"csrf_token": token})
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/admin/login?next="):
                failures.append(f"{method} {url}: {response.status_code} {location!r}")
    assert not failures, report(failures)
    assert counts(app) == before


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.COMMUNICATOR])
def test_roles_below_the_required_one_get_403_and_write_nothing(app, world, role):
    admin = sign_in_as(app, world, Role.ADMIN)
    client = sign_in_as(app, world, role)
    token = csrf_from(client.get("/admin/").text)
    failures = []
    walked = 0
    for rule in admin_rules(app):
        needed = required(app, rule)
        if RANK[role] >= RANK[needed]:
            continue
        url = url_for_rule(rule, world)
        for method in methods(rule):
            walked += 1
            data: dict[str, object] = {}
            if method == "POST":
                # What an admin's browser would send from that page: a write that would succeed.
                page = admin.get(url) if "GET" in methods(rule) else None
                if page is not None and page.status_code == 200:
                    data = form_payload(page.text, url) or {}
                data["csrf_token"] = token
            before = counts(app)
            response = client.open(url, method=method, data=data)
            if response.status_code != 403:
                failures.append(
                    f"{role.value} {method} {url} ({rule.endpoint}, needs {needed.value}): "
                    f"{response.status_code}, expected 403"
                )
            after = counts(app)
            if after != before:
                changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                failures.append(f"{role.value} {method} {url} wrote rows: {changed}")
    assert not failures, report(failures)
    # Settings, users and the audit log are above both roles.
    assert walked >= 3


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_may_open_opens(app, world, role):
    client = sign_in_as(app, world, role)
    failures = []
    for rule in admin_rules(app):
        if "GET" not in methods(rule) or RANK[role] < RANK[required(app, rule)]:
            continue
        url = url_for_rule(rule, world)
        response = client.get(url)
        if response.status_code not in (200, 302):
            failures.append(f"{role.value} GET {url} ({rule.endpoint}): {response.status_code}")
    assert not failures, report(failures)


def test_the_walker_refuses_unknown_url_arguments(app, world):
    from werkzeug.routing import Map, Rule

    rule = Rule("/admin/widgets/<widget_id>", endpoint="admin.widget")
    Map([rule])
    with pytest.raises(AssertionError, match="widget_id"):
        url_for_rule(rule, world)


def test_the_walker_posts_what_a_browser_would(app, world):
    # The payload the refused roles send is a write that succeeds for an admin.
    admin = sign_in_as(app, world, Role.ADMIN)
    page = admin.get("/admin/settings")
    payload = form_payload(page.text, "/admin/settings")
    assert payload is not None
    assert payload["name"] == "Acme Cloud"
    assert payload["time_zone"] == "Europe/Berlin"
    assert payload["footer_links-1-url"] == "https://acme.example/privacy"
    payload["name"] = "Renamed by the walker"
    payload["csrf_token"] = csrf_from(page.text)
    assert admin.post("/admin/settings", data=payload).status_code == 302


def test_the_support_view_is_read_only_and_every_staff_role_may_read_it(app, world):
    rules = list(support_rules(app))
    assert {"support.now", "support.customer", "support.incident"} <= {r.endpoint for r in rules}
    # Nothing under /support writes: customers and wording are edited in /admin.
    writable = [r.rule for r in rules if set(r.methods or ()) - {"GET", "HEAD", "OPTIONS"}]
    assert writable == []
    anonymous = app.test_client()
    clients = {role: sign_in_as(app, world, role) for role in ROLES}
    before = counts(app)  # after signing in (which is audited)
    failures = []
    for rule in rules:
        url = url_for_rule(rule, world)
        response = anonymous.get(url)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/admin/login?next="):
            failures.append(f"anonymous GET {url}: {response.status_code} {location!r}")
        if anonymous.post(url).status_code != 405:
            failures.append(f"anonymous POST {url} is not refused with 405")
    for role, client in clients.items():
        token = csrf_from(client.get("/admin/").text)
        for rule in rules:
            url = url_for_rule(rule, world)
            response = client.get(url)
            if response.status_code != 200:
                failures.append(f"{role.value} GET {url} ({rule.endpoint}): {response.status_code}")
            if client.post(url, data={"csrf_token": token}).status_code != 405:
                failures.append(f"{role.value} POST {url} is not refused with 405")
    assert not failures, report(failures)
    assert counts(app) == before

def test_support_reads_reports_and_only_communicators_dismiss_reminders(app):
    reads = ("admin.reports", "admin.reports_incidents_csv", "admin.reports_monthly_csv")
    for endpoint in reads:
        assert required(app, _rule(app, endpoint)) is Role.SUPPORT
        assert methods(_rule(app, endpoint)) == ["GET"]
    assert required(app, _rule(app, "admin.reminder_dismiss")) is Role.COMMUNICATOR


def _rule(app, endpoint):
    return next(r for r in admin_rules(app) if r.endpoint == endpoint)
