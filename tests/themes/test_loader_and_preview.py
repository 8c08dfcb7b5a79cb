"""Theme loading: file-by-file fallback, safe paths, STATUSPAGE_THEME, the admin preview."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import TemplateNotFound

from statuspage import create_app
from statuspage.extensions import db
from statuspage.site.models import PageSettings
from statuspage.themes.loader import ThemeLoader

from ..admin.conftest import sign_in
from ..htmltree import parse

THEMES = Path(__file__).resolve().parents[2] / "themes"
SHIPPED = ("default", "compact", "high-contrast")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def make_app() -> Any:
    """Factory for apps made by a test itself; their database connections are closed after."""
    made: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = create_app({"TESTING": True, "SECRET_KEY": "t", **config})
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def stylesheets(markup: bytes | str) -> list[str]:
    return [n.attrs["href"] for n in parse(markup).find_all("link", rel="stylesheet")]


def set_theme(app: Flask, theme: str) -> None:
    with app.app_context():
        db.session.add(PageSettings(name="Example", footer_links=[], theme=theme))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def themes_dir(tmp_path: Path) -> Path:
    """A themes folder: the shipped themes, a partial theme and a secret beside it."""
    root = tmp_path / "themes"
    for name in SHIPPED:
        shutil.copytree(THEMES / name, root / name)
    (tmp_path / "secret.html").write_text("TOP SECRET")
    partial = root / "partial" / "templates" / "public"
    partial.mkdir(parents=True)
    (root / "partial" / "theme.toml").write_text(
        'name = "partial"\nversion = "0.1"\ndescription = "Only the history"\ntemplate_api = 1\n'
    )
    (partial / "history.html").write_text(
        '{% extends "layout.html" %}{% block content %}<h1 id="partial">Partial history</h1>'
        "{% endblock %}"
    )
    return root


def test_shipped_themes_are_installed_and_each_adds_its_own_layer(app, client):
    from statuspage.site.services import theme_names

    with app.app_context():
        assert theme_names() == ["compact", "default", "high-contrast"]
    for name in SHIPPED:
        assert (THEMES / name / "static" / "css" / "theme.css").is_file()
        app.config["THEME"] = name
        # A 404 page: never cached, so each theme shows at once.
        sheets = stylesheets(client.get("/no/such/page").data)
        # The default base stylesheet (a theme may replace it) and then the theme's layer.
        assert sheets[0].startswith(f"/themes/{name}/static/css/status.css")
        assert sheets[1].startswith(f"/themes/{name}/static/css/theme.css")
        for href in sheets:
            with client.get(href) as response:
                assert response.status_code == 200, href
    assert b"grid-template-columns" in (THEMES / "compact/static/css/theme.css").read_bytes()
    assert b"#000000" in (THEMES / "high-contrast/static/css/theme.css").read_bytes()


def test_a_theme_overrides_one_template_and_the_rest_falls_back(
    database_url, themes_dir, make_app
):
    app = make_app(DATABASE_URL=database_url, THEMES_DIR=str(themes_dir))
    set_theme(app, "partial")
    client = app.test_client()
    history = parse(client.get("/history").data)
    assert history.by_id("partial").text == "Partial history"
    # The layout, the front page and every static file come from the default theme.
    front = client.get("/")
    assert parse(front.data).by_id("headline").text == "All Systems Operational"
    for href in stylesheets(front.data):
        assert href.startswith("/themes/partial/static/")
        with client.get(href) as response:
            assert response.status_code == 200


def test_paths_outside_the_themes_cannot_be_read(themes_dir):
    loader = ThemeLoader(lambda: themes_dir)
    for name in (
        "theme:default/../../secret.html",
        "theme:../secret.html",
        "theme:default//etc/passwd",
        "theme:partial/../../secret.html",
    ):
        with pytest.raises(TemplateNotFound):
            loader.get_source(None, name)
    source, _path, _fresh = loader.get_source(None, "theme:..%2f/public/404.html")
    assert "block content" in source  # a bad theme name means the default theme


@pytest.mark.parametrize(
    "path",
    [
        "/themes/default/static/../theme.toml",
        "/themes/default/static/..%2f..%2fsecret.html",
        "/themes/..%2f..%2f/static/css/status.css",
        "/themes/default/static/%2e%2e/templates/layout.html",
    ],
)
def test_static_files_never_leave_the_static_folder(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert b"TOP SECRET" not in response.data
    assert b"template_api" not in response.data


def test_statuspage_theme_overrides_the_setting(database_url, monkeypatch, make_app):
    monkeypatch.setenv("STATUSPAGE_THEME", "high-contrast")
    app = make_app(DATABASE_URL=database_url)
    set_theme(app, "compact")
    client = app.test_client()
    assert any("/themes/high-contrast/" in href for href in stylesheets(client.get("/").data))
    # The console says the setting is pinned.
    with app.app_context():
        from statuspage.accounts.services import create_user

        create_user("admin@example.com", PASSWORD, "admin")
    sign_in(client, "admin@example.com", PASSWORD)
    settings = client.get("/admin/settings").get_data(as_text=True)
    assert "always use the theme high-contrast (STATUSPAGE_THEME)" in settings


def test_admin_previews_a_theme_without_switching(app, client, staff):
    set_theme(app, "default")
    sign_in(client, staff.admin)
    settings = parse(client.get("/admin/settings").data)
    links = [a.attrs["href"] for a in settings.find("ul", cls="theme-previews").find_all("a")]
    assert links == [f"/admin/settings/themes/{name}/preview" for name in sorted(SHIPPED)]

    response = client.get("/admin/settings/themes/compact/preview")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    assert response.headers["X-Robots-Tag"] == "noindex"
    doc = parse(response.data)
    assert any(
        "/themes/compact/static/css/theme.css" in href for href in stylesheets(response.data)
    )
    banner = doc.find("aside", cls="preview-banner")
    assert "Preview of the theme compact. Visitors still see default." in banner.text
    assert doc.by_id("headline").text == "All Systems Operational"
    for page, marker in (("history", "Incident history"), ("uptime", "Uptime")):
        other = client.get(f"/admin/settings/themes/compact/preview?page={page}")
        assert other.status_code == 200
        assert marker in parse(other.data).find("title").text

    # Visitors still get the saved theme, and nothing was saved.
    visitor = client.application.test_client()
    assert any("/themes/default/" in href for href in stylesheets(visitor.get("/").data))
    assert "preview-banner" not in visitor.get("/").get_data(as_text=True)
    for bad in (
        "/admin/settings/themes/nope/preview",
        "/admin/settings/themes/compact/preview?page=x",
    ):
        assert client.get(bad).status_code == 404


@pytest.mark.parametrize("role", ["communicator", "support"])
def test_only_admins_preview_themes(app, client, staff, role):
    sign_in(client, getattr(staff, role))
    assert client.get("/admin/settings/themes/compact/preview").status_code == 403


@pytest.fixture
def staff(app: Flask) -> Any:
    from statuspage.accounts.services import create_user

    from ..admin.conftest import Staff

    people = Staff()
    with app.app_context():
        for role in ("admin", "communicator", "support"):
            create_user(getattr(people, role), PASSWORD, role)
    return people


@pytest.mark.parametrize("theme", SHIPPED)
def test_branding_applies_in_every_theme(app, client, theme):
    with app.app_context():
        db.session.add(
            PageSettings(
                name="Acme",
                footer_links=[],
                theme=theme,
                logo_url="/logo.png",
                accent_color="#0a7f5c",
                custom_css=".brand-logo { max-height: 3rem }",
            )
        )
        db.session.commit()
        db.session.remove()
    markup = client.get("/").data
    doc = parse(markup)
    assert any(f"/themes/{theme}/static/css/theme.css" in href for href in stylesheets(markup))
    assert doc.find("img", cls="brand-logo").attrs["src"] == "/logo.png"
    assert ":root { --accent: #0a7f5c; }" in markup.decode()
    assert doc.find("style", id="custom-css").text == ".brand-logo { max-height: 3rem }"
