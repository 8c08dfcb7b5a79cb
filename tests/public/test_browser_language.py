"""Languages in chromium: the menu switches and the choice stays; Arabic mirrors the layout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_language_menu_switches_and_the_choice_stays(frozen_clock, demo, make_page):
    page = make_page(locale="en-US")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".language-menu summary").click()
    page.locator('.language-list a[hreflang="de"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".language-menu summary")).to_have_text("Deutsch")

    # Another page, reached by a plain link without ?lang=: still German (the cookie),
    # its navigation translated by the German catalog.
    page.locator('.site-nav a[href="/history"]').click()
    page.wait_for_url("**/history")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".skip-link")).not_to_have_text("Skip to main content")
    # Babel formats the months in German (the clock is frozen in November 2026).
    months = page.locator(".history-month h2").all_inner_texts()
    assert "Oktober 2026" in months, months

    # Back to English the same way; again kept on the next page.
    page.locator(".language-menu summary").click()
    page.locator('.language-list a[hreflang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/uptime")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _brand_box(make_page, lang, tmp_path):
    page = make_page(viewport={"width": 1000, "height": 700})
    page.goto(f"/?lang={lang}")
    page.screenshot(path=str(tmp_path / f"header-{lang}.png"))
    brand = page.locator(".site-header .brand").bounding_box()
    header = page.locator(".site-header .header-inner").bounding_box()
    direction = page.evaluate("getComputedStyle(document.documentElement).direction")
    html_dir = page.locator("html").get_attribute("dir")
    return brand, header, direction, html_dir


def test_arabic_lays_the_page_out_right_to_left(frozen_clock, demo, make_page, tmp_path):
    brand_en, header_en, direction_en, dir_en = _brand_box(make_page, "en", tmp_path)
    brand_ar, header_ar, direction_ar, dir_ar = _brand_box(make_page, "ar", tmp_path)
    assert (tmp_path / "header-en.png").stat().st_size > 0
    assert (tmp_path / "header-ar.png").stat().st_size > 0
    assert (dir_en, direction_en) == ("ltr", "ltr")
    assert (dir_ar, direction_ar) == ("rtl", "rtl")
    assert brand_en is not None
    assert header_en is not None
    assert brand_ar is not None
    assert header_ar is not None
    # The header's first item (the page's name) starts at the left edge in English ...
    assert abs(brand_en["x"] - header_en["x"]) < 40
    # ... and at the right edge in Arabic: the layout is mirrored.
    right_ar = brand_ar["x"] + brand_ar["width"]
    assert abs((header_ar["x"] + header_ar["width"]) - right_ar) < 40
    assert brand_ar["x"] > header_ar["x"] + header_ar["width"] / 2
