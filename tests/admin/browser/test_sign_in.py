"""Signing in and out of the console in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from statuspage.accounts.models import Role

from ..walker import build_world


def test_sign_in_wrong_password_then_success_then_sign_out(app, make_page):
    world = build_world(app)
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The console sends a visitor to the sign-in form, remembering where they were going.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email").fill(world.emails[Role.COMMUNICATOR])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Wrong email or password.")
    # The email stays filled in; the password does not.
    expect(page.get_by_label("Email")).to_have_value(world.emails[Role.COMMUNICATOR])
    expect(page.get_by_label("Password")).to_have_value("")

    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("header.topbar")).to_contain_text(world.emails[Role.COMMUNICATOR])
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    expect(page.locator("header.topbar")).to_have_count(0)
    # Signed out for real: the console sends us back to the form.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    assert errors == []
