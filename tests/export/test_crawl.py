"""The pure planning of a static copy: files, paths and link rewriting (no app, no database)."""

import pytest

from statuspage.export import crawl


@pytest.mark.parametrize(
    ("path", "html_page", "expected"),
    [
        ("/", True, "index.html"),
        ("/incidents/abc", True, "incidents/abc/index.html"),
        ("/history/page/2", True, "history/page/2/index.html"),
        ("/api/v2/summary.json", False, "api/v2/summary.json"),
        ("/themes/default/static/css/status.css", False, "themes/default/static/css/status.css"),
    ],
)
def test_file_for(path, html_page, expected):
    assert crawl.file_for(path, html_page=html_page) == expected


def test_file_for_refuses_paths_outside_the_copy():
    with pytest.raises(ValueError, match="unsafe"):
        crawl.file_for("/../etc/passwd", html_page=False)


@pytest.mark.parametrize(
    ("url", "app_url", "static"),
    [
        ("/", "/", "/"),
        ("/history?page=1", "/history", "/history"),
        ("/history?page=3", "/history?page=3", "/history/page/3"),
        (
            "/themes/default/static/js/status.js?v=1.2",
            "/themes/default/static/js/status.js",
            "/themes/default/static/js/status.js",
        ),
    ],
)
def test_target_for_exportable_urls(url, app_url, static):
    assert crawl.target_for(url) == crawl.Target(app_url=app_url, static_path=static)


@pytest.mark.parametrize(
    "url", ["/uptime?component=abc&months=3&end=2026-08", "/history?page=x", "/history?page=2&q=1"]
)
def test_urls_with_other_queries_are_left_to_the_app(url):
    assert crawl.target_for(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "/"),
        ("/history?page=2", "/history/page/2"),
        ("/history?page=1", "/history"),
        ("/incidents/abc#update-2", "/incidents/abc#update-2"),
        ("/uptime?component=a&months=3&end=2026-08", "/uptime?component=a&months=3&end=2026-08"),
        ("https://example.com/history?page=2", "https://example.com/history?page=2"),
        ("#main", "#main"),
        ("//cdn.example.com/x.js", "//cdn.example.com/x.js"),
    ],
)
def test_default_language_links(url, expected):
    assert crawl.rewrite_url(url, None) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "/fr/"),
        ("/history", "/fr/history"),
        ("/history?page=2", "/fr/history/page/2"),
        ("/incidents/abc#update-2", "/fr/incidents/abc#update-2"),
        ("/history.atom", "/fr/history.atom"),
        ("/components/abc/badge.svg", "/fr/components/abc/badge.svg"),
        # The same in every language: the JSON API and the assets.
        ("/api/v2/summary.json", "/api/v2/summary.json"),
        ("/themes/default/static/css/status.css?v=1", "/themes/default/static/css/status.css?v=1"),
        # Answered by the app: the reader's language goes along as ?lang=.
        (
            "/uptime?component=a&months=3&end=2026-08",
            "/uptime?component=a&months=3&end=2026-08&lang=fr",
        ),
        ("/uptime?component=a&lang=de&end=x", "/uptime?component=a&end=x&lang=fr"),
        ("https://example.com/", "https://example.com/"),
        # Always the app's (nginx proxies them): never under the prefix.
        ("/subscribe", "/subscribe?lang=fr"),
        ("/admin/login?next=/admin", "/admin/login?next=%2Fadmin&lang=fr"),
    ],
)
def test_other_language_links_stay_in_their_prefix(url, expected):
    assert crawl.rewrite_url(url, "fr") == expected


def test_rewrite_html_changes_only_internal_link_attributes():
    page = (
        '<a class="older" href="/history?page=2">Older</a>\n'
        "<a href='/incidents/x'>X</a> <img src=\"/themes/default/static/favicon.svg?v=1\">\n"
        '<a href="/uptime?component=a&amp;months=3&amp;end=2026-08">Earlier</a>\n'
        '<form action="/uptime" method="get"></form>\n'
        '<a href="https://example.com/">out</a> <p>href="/history?page=2" in text</p>\n'
    )
    assert crawl.rewrite_html(page, None) == page.replace(
        'href="/history?page=2">Older', 'href="/history/page/2">Older'
    )
    assert crawl.rewrite_html(page, "pt_BR") == (
        '<a class="older" href="/pt_BR/history/page/2">Older</a>\n'
        "<a href='/pt_BR/incidents/x'>X</a> <img src=\"/themes/default/static/favicon.svg?v=1\">\n"
        '<a href="/uptime?component=a&amp;months=3&amp;end=2026-08&amp;lang=pt_BR">Earlier</a>\n'
        '<form action="/pt_BR/uptime" method="get"></form>\n'
        '<a href="https://example.com/">out</a> <p>href="/history?page=2" in text</p>\n'
    )


def test_page_without_paginated_links_is_unchanged():
    page = '<a href="/">Status</a><a href="/history">History</a><use href="#icon-ok"/>'
    assert crawl.rewrite_html(page, None) == page


def test_resolve_finds_what_a_plain_web_server_sends():
    files = {"index.html", "history/index.html", "history.atom", "history/page/2/index.html"}
    assert crawl.resolve(files, "/") == "index.html"
    assert crawl.resolve(files, "/history") == "history/index.html"
    assert crawl.resolve(files, "/history/page/2#top") == "history/page/2/index.html"
    assert crawl.resolve(files, "/history.atom") == "history.atom"
    assert crawl.resolve(files, "/incidents/nope") is None


@pytest.mark.parametrize(
    ("code", "ok"), [("fr", True), ("pt_BR", True), ("../x", False), ("", False)]
)
def test_valid_language(code, ok):
    assert crawl.valid_language(code) is ok
