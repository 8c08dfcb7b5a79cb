"""A support agent reads the console but cannot change anything, even by forging a request."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from statuspage.accounts.models import Role

from ..walker import (
    RANK,
    SELF_SERVICE,
    admin_rules,
    build_world,
    counts,
    methods,
    required,
    url_for_rule,
)

PUBLIC_STATE_JS = """() => ({
  title: document.title,
  indicator: document.querySelector("#headline")?.dataset.indicator,
  headline: document.querySelector("#headline")?.textContent.trim(),
  incidents: [...document.querySelectorAll("[data-incident-id]")].map(e => e.dataset.incidentId),
  components: [...document.querySelectorAll(".component[data-component-id]")]
    .map(e => e.dataset.componentId + "=" + e.dataset.status),
  maintenance: [...document.querySelectorAll("[data-maintenance-id]")]
    .map(e => e.dataset.maintenanceId + "=" + e.dataset.status),
})"""

FORGED_POST_JS = """async ([url, token]) => {
  const body = new URLSearchParams({csrf_token: token, name: "Forged by support",
                                    title: "Forged", body: "Forged", status: "investigating"});
  const response = await fetch(url, {method: "POST", body, credentials: "same-origin",
                                     redirect: "manual"});
  return response.status;
}"""


def endpoint_of(app: Flask, href: str, method: str = "GET") -> str | None:
    """Return the console endpoint a same-site link or form action leads to, if any."""
    parts = urlsplit(href)
    if parts.netloc and parts.hostname != "127.0.0.1":  # the live server; anything else is off-site
        return None
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method=method)
    except HTTPException:
        return None
    return endpoint if endpoint.startswith("admin.") else None


def public_state(page: Any) -> dict[str, Any]:
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    state: dict[str, Any] = page.evaluate(PUBLIC_STATE_JS)
    return state


def test_support_reads_the_console_has_no_write_buttons_and_is_refused_a_forged_post(
    app, make_page
):
    world = build_world(app)
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    public_before = public_state(page)
    assert public_before["incidents"], "the demo has an active incident"

    page.goto("/admin/login")
    page.get_by_label("Email").fill(world.emails[Role.SUPPORT])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("header.topbar")).to_contain_text(world.emails[Role.SUPPORT])
    rows_before = counts(app)

    # Every console page support may open shows no way to change anything but their own account.
    problems = []
    readable = [
        rule
        for rule in admin_rules(app)
        if "GET" in methods(rule)
        and rule.endpoint != "admin.login"
        and RANK[required(app, rule)] <= RANK[Role.SUPPORT]
    ]
    assert readable
    for rule in readable:
        url = url_for_rule(rule, world)
        if rule.rule.endswith(".csv"):  # a download, not a page: support may fetch it
            download = page.request.get(url)
            if download.status != 200:
                problems.append(f"GET {url}: {download.status}")
            continue
        response = page.goto(url)
        assert response is not None
        if response.status != 200:
            problems.append(f"GET {url}: {response.status}")
            continue
        actions = page.eval_on_selector_all(
            "form", "forms => forms.map(f => [f.method, f.getAttribute('action') || ''])"
        )
        for form_method, action in actions:
            if form_method.lower() != "post":
                continue
            target = endpoint_of(app, action or url, "POST")
            if target not in SELF_SERVICE:
                problems.append(f"{url} has a form posting to {action or url} ({target})")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            target = endpoint_of(app, href)
            if target is None:
                continue
            rule_of = next(r for r in admin_rules(app) if r.endpoint == target)
            if RANK[required(app, rule_of)] > RANK[Role.SUPPORT]:
                problems.append(f"{url} links to {href} ({target}), which support may not open")
    assert not problems, "\n".join(problems)

    # A request forged from the page itself, with the page's own CSRF token, is refused.
    page.goto("/admin/")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token
    write_rules = [
        rule
        for rule in admin_rules(app)
        if "POST" in methods(rule) and RANK[required(app, rule)] > RANK[Role.SUPPORT]
    ]
    assert any(rule.endpoint == "admin.settings" for rule in write_rules)
    statuses = {
        rule.endpoint: page.evaluate(FORGED_POST_JS, [url_for_rule(rule, world), token])
        for rule in write_rules
    }
    assert statuses == dict.fromkeys(statuses, 403)
    assert counts(app) == rows_before

    # Still signed in, and the public page is as it was.
    page.goto("/admin/")
    expect(page.locator("header.topbar")).to_contain_text(world.emails[Role.SUPPORT])
    assert public_state(page) == public_before
    assert errors == []
