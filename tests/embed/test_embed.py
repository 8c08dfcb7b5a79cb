"""/embed.js and /embed over HTTP: cacheable, cookieless, open to other sites, safe wording."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from statuspage.accounts.services import create_user
from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident
from statuspage.site.services import update_settings

from ..htmltree import parse

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CONFIG = re.compile(r"var CONFIG = (\{.*?\});\n")


def widget_config(response: Any) -> dict[str, Any]:
    match = _CONFIG.search(response.get_data(as_text=True))
    assert match, "no configuration object in /embed.js"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def sign_in(client: Any, email: str) -> None:
    page = client.get("/admin/login")
    token = _TOKEN.search(page.text)
    assert token
    response = client.post(
        "/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, response.text


def test_widget_script_is_public_cacheable_and_cors_open(frozen_clock, demo, client):
    response = client.get("/embed.js", headers={"Origin": "https://shop.example.org"})
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    assert "Set-Cookie" not in response.headers
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    config = widget_config(response)
    assert config["base_url"] == "http://127.0.0.1:8000/"
    assert config["poll_seconds"] == 60
    english = config["locales"]["en"]
    assert english["indicator"]["none"] == "All Systems Operational"
    assert english["indicator"]["critical"] == "Major System Outage"
    assert english["incident_status"]["identified"] == "Identified"
    assert english["dismiss"] == "Dismiss"
    assert english["dir"] == "ltr"


def test_page_name_cannot_break_out_of_the_script(app_ctx, client):
    update_settings(name="Acme </script><script>alert(1)</script>")
    response = client.get("/embed.js")
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert widget_config(response)["page_name"] == "Acme </script><script>alert(1)</script>"


def test_widget_source_keeps_api_text_out_of_html_and_storage(client, app):
    # What the browser test cannot prove for every future edit: API text never meets an
    # HTML parser, and nothing is stored on the visitor's device or sent elsewhere.
    body = client.get("/embed.js").get_data(as_text=True)
    code = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "eval(",
        "@import",
        "url(",
    ):
        assert forbidden not in code, forbidden
    assert code.count("fetch(") == 1
    assert 'fetch(base + "api/v2/summary.json", { credentials: "omit"' in code
    assert 'attachShadow({ mode: "open" })' in code


def test_embed_page_shows_headline_and_open_incidents(frozen_clock, app_ctx, client):
    web = create_component("Web app")
    create_component("Billing")
    incident = create_incident(
        "Logins failing",
        IncidentStatus.INVESTIGATING,
        "We are looking into **failed** logins.",
        {web: ComponentStatus.PARTIAL_OUTAGE},
        notify=False,
    )
    response = client.get("/embed")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")

    summary = client.get("/api/v2/summary.json").get_json()
    tree = parse(response.data)
    headline = tree.find(cls="embed-overall")
    assert headline.attrs["data-indicator"] == summary["status"]["indicator"] == "major"
    # The headline is the page's h1, inside a live region that the refresh script updates.
    assert headline.tag == "h1"
    assert headline.parent.attrs["role"] == "status"
    assert "embed-live" in headline.parent.classes
    assert headline.text == "Partial System Outage"
    item = tree.find("li", cls="embed-item", data_id=incident.public_id)
    assert "Logins failing" in item.text
    assert "Investigating" in item.text
    # Markdown shown as text, not markup.
    assert "We are looking into failed logins." in item.text
    links = tree.find_all("a")
    assert f"/incidents/{incident.public_id}" in {a.attrs["href"] for a in links}
    for link in links:
        assert link.attrs["target"] == "_blank"
        assert link.attrs["rel"] == "noopener"


def test_embed_page_when_all_is_well(app_ctx, client):
    create_component("Web app")
    tree = parse(client.get("/embed").data)
    assert tree.find(cls="embed-overall").text == "All Systems Operational"
    assert not tree.find_all(cls="embed-item")


@pytest.mark.parametrize("lang", ["en", "zz", "../etc"])
def test_embed_page_language_falls_back(app_ctx, client, lang):
    response = client.get(f"/embed?lang={lang}")
    assert response.status_code == 200
    assert parse(response.data).find("html").attrs["lang"] == "en"
    assert "Accept-Language" in response.headers["Vary"]


def test_no_cookie_on_embeds_even_for_signed_in_staff(app_ctx, client):
    create_user("admin@example.com", PASSWORD, "admin")
    sign_in(client, "admin@example.com")
    # The signed-in session is refreshed on the console...
    assert "Set-Cookie" in client.get("/admin/").headers
    # ...but never on what other sites load.
    for path in ("/embed.js", "/embed"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
    # The console still refuses to be framed.
    assert client.get("/admin/").headers["X-Frame-Options"] == "DENY"
