"""Every public page in every theme, in chromium: axe-core, keyboard, motion and layout.

One test per theme walks every public page at 1280 px and at 375 px, again in
dark mode, and in every language at 375 px (the other themes: a sample of pages).
axe runs on each; nothing may scroll sideways, in both text directions. The pages
do not depend on the database engine, so these run on SQLite only.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.subscribers.models import Subscriber
from statuspage.subscribers.services import subscribe
from statuspage.subscribers.tokens import make_token

from .axe import assert_clean

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database", ["sqlite"], indirect=True),
]

THEMES = ["default", "compact", "high-contrast"]
LANGUAGES = ["en", "de", "fr", "es", "pt_BR", "it", "nl", "ja", "zh_Hans", "ar"]
# In the other themes, the pages whose text varies most between languages.
THEME_SAMPLE = ("status page", "subscribe")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
NO_SIDEWAYS_SCROLL_JS = "() => document.scrollingElement.scrollWidth"
# Elements that show a status; none may move for a visitor who asked for less motion.
MOTION_JS = """() => {
  const selectors = [".overall", ".status-label", ".impact-badge", ".uptime-day", ".day-summary",
                     ".component-group > summary", ".incident-card", "a", ".button"];
  const slow = [];
  const seconds = (value) => Math.max(...value.split(",").map((v) => parseFloat(v) || 0));
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      for (const pseudo of [null, "::before", "::after"]) {
        const style = getComputedStyle(el, pseudo);
        const t = seconds(style.transitionDuration), a = seconds(style.animationDuration);
        if (t > 0.01 || a > 0.01) slow.push(`${selector}${pseudo || ""}: ${t}s/${a}s`);
      }
    }
  }
  return slow;
}"""


def public_urls(demo: Any) -> dict[str, str]:
    """Return a URL for every public page that has no form to fill first."""
    address = "a11y-reader@example.com"
    subscribe("email", address, actor="a11y")
    db.session.commit()
    reader = db.session.scalars(sa.select(Subscriber).where(Subscriber.target == address)).one()
    urls = {
        "status page": "/",
        "incident": f"/incidents/{demo.active_incident_id}",
        "maintenance": f"/maintenance/{demo.upcoming_maintenance_id}",
        "history": "/history",
        "uptime": "/uptime",
        "subscribe": "/subscribe",
        "confirm subscription": f"/subscriptions/confirm/{make_token(reader, 'confirm')}",
        "manage subscription": f"/subscriptions/{make_token(reader, 'manage')}",
        "unsubscribe": f"/unsubscribe/{make_token(reader, 'unsubscribe')}",
        "bad link": "/subscriptions/confirm/not-a-token",
        "embed": "/embed",
        "not found": "/no/such/page",
    }
    db.session.rollback()  # hold no transaction while the live server works
    return urls


def check_layout(page: Any, label: str, width: int) -> None:
    """Fail when the page scrolls sideways at this width, left to right or right to left."""
    for direction in ("ltr", "rtl"):
        page.evaluate(f"() => {{ document.documentElement.dir = {direction!r}; }}")
        scroll_width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
        assert scroll_width <= width, f"{label} ({direction}) scrolls sideways: {scroll_width}px"
    page.evaluate("() => { document.documentElement.dir = 'ltr'; }")


def walk(page: Any, urls: dict[str, str], width: int) -> None:
    """Open every page; axe it; check the layout; follow the subscribe forms."""
    for label, url in urls.items():
        response = page.goto(url)
        assert response is not None
        assert response.status in {200, 400, 404}, (label, response.status)
        assert_clean(page, f"{label} at {width}px")
        check_layout(page, label, width)

    # /subscribe and its follow-ups: errors shown beside the fields, then the answer page.
    page.goto("/subscribe")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".field-errors, .form-errors").first).to_be_visible()
    assert_clean(page, f"subscribe with errors at {width}px")
    check_layout(page, "subscribe with errors", width)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address, phone number or URL").fill(f"a11y-{width}@example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert_clean(page, f"subscribed at {width}px")
    check_layout(page, "subscribed", width)

    page.goto(urls["confirm subscription"])
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    assert_clean(page, f"confirmed at {width}px")


@pytest.mark.parametrize("theme", THEMES)
def test_every_public_page_in_the_theme(
    theme: str, app: Any, frozen_clock: Any, demo: Any, make_page: Any
) -> None:
    app.config["THEME"] = theme  # what STATUSPAGE_THEME sets
    urls = public_urls(demo)
    errors: list[str] = []

    desktop = make_page(viewport=DESKTOP)
    desktop.on("pageerror", lambda exc: errors.append(str(exc)))
    desktop.goto("/")
    stylesheets = desktop.evaluate(
        "() => [...document.styleSheets].map((s) => s.href).filter(Boolean)"
    )
    assert any(f"/themes/{theme}/static/css/theme.css" in href for href in stylesheets)
    walk(desktop, urls, DESKTOP["width"])

    phone = make_page(viewport=PHONE, has_touch=True)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    walk(phone, public_urls(demo), PHONE["width"])

    # Dark mode has its own colours: the same pages pass there too.
    dark = make_page(viewport=DESKTOP, color_scheme="dark")
    dark.on("pageerror", lambda exc: errors.append(str(exc)))
    for label, url in public_urls(demo).items():
        dark.goto(url)
        assert_clean(dark, f"{label} in dark mode")

    # Translations change lengths, directions and scripts: every language on a phone.
    in_languages = public_urls(demo)
    if theme != "default":
        in_languages = {k: v for k, v in in_languages.items() if k in THEME_SAMPLE}
    walk_languages(phone, in_languages)
    assert not errors


def _in(url: str, language: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def walk_languages(page: Any, urls: dict[str, str]) -> None:
    """Open each page in every language: the right lang, axe clean, no sideways scroll."""
    for language in LANGUAGES:
        for label, url in urls.items():
            response = page.goto(_in(url, language))
            assert response is not None
            assert response.status in {200, 400, 404}, (language, label, response.status)
            lang = page.evaluate("() => document.documentElement.lang")
            assert lang.replace("-", "_") == language, (label, lang)
            assert_clean(page, f"{label} in {language}")
            scroll_width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
            assert scroll_width <= PHONE["width"], f"{label} in {language} scrolls sideways"


@pytest.mark.parametrize("theme", THEMES)
def test_keyboard_focus_and_reduced_motion(
    theme: str, app: Any, frozen_clock: Any, demo: Any, make_page: Any
) -> None:
    app.config["THEME"] = theme
    page = make_page(viewport=DESKTOP, reduced_motion="reduce")
    page.goto("/")

    # The skip link is the first stop and moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_be_visible()  # it appears when focused
    outline = skip.evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none"
    assert float(outline[1].removesuffix("px")) >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Every link and button shows where focus is.
    page.keyboard.press("Tab")
    widths = page.evaluate(
        """() => { const el = document.activeElement; const s = getComputedStyle(el);
                   return [el.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert widths[1] != "none"
    assert widths[2] >= 2, widths

    # Groups open and close with Enter and Space.
    group = page.locator("details.component-group").first
    summary = group.locator("summary")
    was_open = group.evaluate("(el) => el.open")
    summary.focus()
    page.keyboard.press("Enter")
    assert group.evaluate("(el) => el.open") is (not was_open)
    page.keyboard.press("Space")
    assert group.evaluate("(el) => el.open") is was_open

    # A day's summary shows when its bar gets keyboard focus and hides on Escape.
    day = page.locator(".uptime-day").last
    summary_id = day.get_attribute("aria-describedby")
    day.focus()
    expect(page.locator(f"#{summary_id}")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(f"#{summary_id}")).to_be_hidden()

    # Status has a text label, never colour alone.
    for label in page.locator(".component .status-label").all():
        assert label.inner_text().strip()

    # Nothing that shows a status moves when the visitor asked for less motion.
    if not was_open:
        group.evaluate("(el) => { el.open = true; }")
    assert page.evaluate(MOTION_JS) == []

