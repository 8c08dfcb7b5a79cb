"""Theme choice for public pages and the `site` view-model every layout gets."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from statuspage import create_app
from statuspage.extensions import db
from statuspage.site.models import PageSettings

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


def make_themes(root: Path) -> Path:
    """A themes folder with the default theme, a "midnight" theme and a too-new one."""
    shutil.copytree(DEFAULT_THEME, root / "default")
    midnight = root / "midnight"
    (midnight / "templates" / "public").mkdir(parents=True)
    (midnight / "theme.toml").write_text(
        'name = "midnight"\nversion = "2.0"\ndescription = "Dark"\ntemplate_api = 1\n'
    )
    (midnight / "templates" / "public" / "404.html").write_text(
        '{% extends "layout.html" %}{% block content %}'
        '<h1 class="midnight">Lost in the dark ({{ site.theme }})</h1>{% endblock %}'
    )
    future = root / "future"
    (future / "templates" / "public").mkdir(parents=True)
    (future / "theme.toml").write_text('name = "future"\ntemplate_api = 99\n')
    (future / "templates" / "public" / "404.html").write_text("future theme")
    return root


@pytest.fixture
def themed_app(database_url, tmp_path) -> Iterator[Flask]:
    """An app whose THEMES_DIR holds extra themes (the loader reads it at start-up)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "THEMES_DIR": str(make_themes(tmp_path / "themes")),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def settings(**values) -> None:
    values.setdefault("name", "Example")
    values.setdefault("footer_links", [])
    db.session.add(PageSettings(**values))
    db.session.commit()


def test_page_setting_picks_the_theme_with_file_fallback(themed_app, html):
    client = themed_app.test_client()
    settings(theme="midnight")
    missing = html(client.get("/incidents/nope").data)
    assert missing.find("h1").text == "Lost in the dark (midnight)"
    # The layout comes from the default theme; static files fall back to it too.
    css = next(link.attrs["href"] for link in missing.find_all("link", rel="stylesheet"))
    assert css.startswith("/themes/midnight/static/css/status.css")
    with client.get(css) as response:
        assert response.status_code == 200
        assert b"--accent" in response.data
    # Pages the theme does not override come from the default theme.
    assert html(client.get("/").data).by_id("headline").text == "All Systems Operational"


def test_config_theme_wins_and_unknown_themes_fall_back(themed_app, html):
    app, client = themed_app, themed_app.test_client()
    settings(theme="default")
    app.config["THEME"] = "midnight"
    assert html(client.get("/x/y").data).find("h1").text == "Lost in the dark (midnight)"
    for name in ("no-such-theme", "future", "../default", "Default"):
        app.config["THEME"] = name
        doc = html(client.get("/x/y").data)
        assert doc.find("h1").text == "Page not found", name
        assert "/themes/default/static/" in doc.find("link", rel="stylesheet").attrs["href"]


def test_site_view_model_is_sanitized(app_ctx, client, html):
    settings(
        name="Acme <Status>",
        accent_color="red;}body{x:y",
        custom_css=".brand { color: hotpink } </style><script>alert(1)</script>",
        support_url="javascript:alert(1)",
        logo_url="https://cdn.example/logo.png",
        footer_links=[
            {"label": "Home", "url": "https://acme.example"},
            {"label": "Evil", "url": "javascript:alert(1)"},
            {"label": "Relative", "url": "/about"},
            {"broken": True},
        ],
    )
    response = client.get("/")
    body = response.get_data(as_text=True)
    doc = html(response.data)
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert ":root { --accent: #2563eb; }" in body
    assert doc.find("style", id="custom-css").text.startswith(".brand { color: hotpink }")
    assert [a.text for a in doc.find("footer").find("ul", cls="footer-links").find_all("a")] == [
        "Home",
        "Relative",
    ]
    logo = doc.find("img", cls="brand-logo")
    assert logo.attrs == {
        "src": "https://cdn.example/logo.png",
        "alt": "Acme <Status>",
        "class": "brand-logo",
    }
    assert doc.find("html").attrs["lang"] == "en"
    assert doc.find("html").attrs["dir"] == "ltr"


def test_valid_accent_colour_reaches_the_css(app_ctx, client):
    settings(accent_color="#0a7f5c")
    assert ":root { --accent: #0a7f5c; }" in client.get("/").get_data(as_text=True)


def test_theme_manifest(app):
    from statuspage.themes.loader import available_themes

    with app.app_context():
        info = available_themes(app)["default"]
    assert info.template_api == 1
    assert info.version
    for template in (
        "layout.html",
        "public/index.html",
        "public/incident.html",
        "public/maintenance.html",
        "public/history.html",
        "public/uptime.html",
        "public/404.html",
        "public/error.html",
        "email/layout.html",
    ):
        assert (DEFAULT_THEME / "templates" / template).is_file(), template


def test_no_third_party_requests_from_the_theme():
    for path in DEFAULT_THEME.rglob("*"):
        if path.suffix in {".html", ".css", ".js"}:
            text = path.read_text()
            for needle in ("http://", "https://", "//fonts.", "@import"):
                allowed = path.name == "icons.html" and needle == "http://"  # the SVG namespace
                assert allowed or needle not in text, f"{path}: {needle}"
