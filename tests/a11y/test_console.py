"""Every console and support-view page, walked as an admin in chromium, passes axe-core
(SQLite only: the markup does not depend on the engine)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from statuspage.accounts.models import Role

from ..admin.walker import admin_rules, build_world, support_rules, url_for_rule
from .axe import assert_clean

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database", ["sqlite"], indirect=True),
]

# Not pages: they answer with a redirect or a file, or end the session.
NOT_PAGES = {"admin.logout"}


def test_every_console_page_passes_axe(app: Any, frozen_clock: Any, make_page: Any) -> None:
    world = build_world(app)
    page = make_page()
    page.goto("/admin/login")
    assert_clean(page, "sign-in form")
    page.get_by_label("Email").fill(world.emails[Role.ADMIN])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # Keyboard: the skip link is the first stop, shows a focus ring and moves focus to main.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    walked = []
    for rule in [*admin_rules(app), *support_rules(app)]:
        if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_PAGES:
            continue
        if rule.endpoint == "admin.login" or re.search(r"\.(csv|json|txt)$", rule.rule):
            continue  # signed in already; files download instead of showing a page
        url = url_for_rule(rule, world)
        response = page.goto(url)
        assert response is not None
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue  # exports and JSON
        assert response.status < 500, (url, response.status)
        assert_clean(page, rule.endpoint)
        walked.append(rule.endpoint)

    # A form sent back with errors (the settings form with a broken colour).
    page.goto("/admin/settings")
    page.locator("#accent_color").fill("not a colour")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field-error").first).to_be_visible()
    assert_clean(page, "settings with errors")

    assert {"admin.index", "admin.settings", "admin.theme_preview", "support.now"} <= set(walked)
