"""Importing subscribers from a CSV file in a real browser: dry run, fix, import, see them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from statuspage.accounts.models import Role

from ..walker import build_world

BAD = "channel,target,language\nemail,grace@example.com,en\nemail,not-an-address,en\n"
FIXED = "channel,target,language\nemail,grace@example.com,en\nemail,linus@example.com,en\n"


def sign_in(page, world) -> None:
    page.goto("/admin/login")
    page.get_by_label("Email").fill(world.emails[Role.COMMUNICATOR])
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def choose_file(page, content: str) -> None:
    page.get_by_label("CSV file (UTF-8)").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Check the file").click()


def test_import_a_file_with_a_bad_row_fix_it_and_see_the_subscribers(app, make_page, tmp_path):
    world = build_world(app)
    app.config["SUBSCRIBER_IMPORT_DIR"] = str(tmp_path / "imports")
    page = make_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, world)

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Subscribers").click()
    page.get_by_role("link", name="Import CSV").click()
    choose_file(page, BAD)

    # The dry run names the bad row and the column to fix; nothing is imported yet.
    report = page.locator("#dry-run-errors")
    expect(report.locator("tr.row-error")).to_have_count(1)
    expect(report.locator("tr.row-error")).to_contain_text("3")
    expect(report.locator("tr.row-error")).to_contain_text("target")
    expect(page.locator("#dry-run-counts [data-count=new]")).to_contain_text("1 new subscriber")
    expect(page.locator("#dry-run-counts [data-count=invalid]")).to_contain_text("1 row")

    # Fix the file and check it again: no errors now.
    page.get_by_role("link", name="Upload another file").click()
    choose_file(page, FIXED)
    expect(page.locator("#dry-run-errors")).to_have_count(0)
    expect(page.locator("#dry-run-counts [data-count=new]")).to_contain_text("2 new subscribers")

    page.get_by_label("These people agreed to receive updates").check()
    page.get_by_role("button", name="Import 2 subscribers").click()
    # The page runs the batches itself and shows the result when done.
    expect(page.locator("#import-done")).to_be_visible()
    expect(page.locator("#import-status")).to_contain_text("2 added")

    page.get_by_role("link", name="See the subscribers").click()
    rows = page.locator("#subscribers tr.subscriber-row")
    expect(rows.filter(has_text="grace@example.com")).to_have_attribute("data-state", "active")
    expect(rows.filter(has_text="linus@example.com")).to_have_attribute("data-state", "active")
    assert errors == []
