"""Page languages: <html lang dir>, the menu in each language's own name, cookie and cache."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("asked", "lang", "direction"),
    [
        ("en", "en", "ltr"),
        ("pt_BR", "pt-BR", "ltr"),
        ("zh_Hans", "zh-Hans", "ltr"),
        ("ar", "ar", "rtl"),
    ],
)
def test_html_lang_and_dir_follow_the_language(
    frozen_clock, demo, get_page, asked, lang, direction
):
    root = get_page(f"/?lang={asked}").find("html")
    assert root.attrs["lang"] == lang
    assert root.attrs["dir"] == direction


def test_the_menu_names_each_language_in_that_language(frozen_clock, demo, get_page):
    doc = get_page("/history?lang=de")
    links = doc.find(cls="language-list").find_all("a")
    names = {a.attrs["hreflang"]: a.text.strip() for a in links}
    assert names == {
        "en": "English",
        "de": "Deutsch",
        "fr": "Français",
        "es": "Español",
        "pt-BR": "Português (Brasil)",
        "it": "Italiano",
        "nl": "Nederlands",
        "ja": "日本語",
        "zh-Hans": "中文 (简体)",
        "ar": "العربية",
    }
    # Each link opens the same page in its language; the current one is marked.
    assert [a.attrs["href"] for a in links][:2] == ["/history?lang=en", "/history?lang=de"]
    current = [a.attrs["hreflang"] for a in links if a.attrs.get("aria-current") == "true"]
    assert current == ["de"]


def test_the_cookie_picks_the_language_and_the_cache_keeps_them_apart(
    frozen_clock, demo, client, html
):
    client.set_cookie("lang", "de")
    german = client.get("/")
    assert html(german.data).find("html").attrs["lang"] == "de"
    assert "Cookie" in german.headers["Vary"]
    client.delete_cookie("lang")
    english = client.get("/")
    assert html(english.data).find("html").attrs["lang"] == "en"
    # ?lang= wins over the cookie.
    client.set_cookie("lang", "de")
    assert html(client.get("/?lang=fr").data).find("html").attrs["lang"] == "fr"


def test_dates_are_formatted_for_the_language(frozen_clock, demo, get_page):
    months = [h.text for h in get_page("/history?lang=de").find_all("h2")]
    assert "Oktober 2026" in months
    months = [h.text for h in get_page("/history?lang=fr").find_all("h2")]
    assert "octobre 2026" in months
