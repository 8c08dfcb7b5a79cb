"""The widget and the iframe page on a customer's site: another origin, in a real chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident

pytestmark = pytest.mark.browser

# The customer's own CSS, as rude as it gets: none of it may reach inside the widget.
HOST_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme shop</title>
<style>
  body * {{ color: rgb(255, 0, 0) !important; font-size: 40px !important; }}
  section, p, span, a, button {{ background: rgb(255, 255, 0) !important; display: block; }}
</style></head>
<body>
  <h1>Acme shop</h1>
  <iframe src="{status}/embed" title="Service status" width="400" height="300"></iframe>
  <script src="{status}/embed.js" async {attrs}></script>
</body>
</html>
"""


@dataclass
class HostSite:
    """A customer's site on another loopback origin, serving one page."""

    url: str
    server: ThreadingHTTPServer


@contextmanager
def serve_host_page(live_server: Any, attrs: str) -> Iterator[HostSite]:
    """Serve the customer's page, its script tag carrying the given attributes."""
    body = HOST_PAGE.format(status=live_server.url, attrs=attrs).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="host-site", daemon=True)
    thread.start()
    try:
        # "localhost", not 127.0.0.1: another site altogether, not only another port.
        yield HostSite(f"http://localhost:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def host_site(live_server: Any) -> Iterator[HostSite]:
    with serve_host_page(live_server, 'data-position="bottom-left"') as site:
        yield site


@dataclass(frozen=True)
class Outage:
    """An open incident degrading one of two components."""

    incident_id: str
    billing_id: str


@pytest.fixture
def outage_world(frozen_clock: Any, app_ctx: Any) -> Outage:
    web = create_component("Web app")
    billing = create_component("Billing")
    incident = create_incident(
        "Checkout errors",
        IncidentStatus.IDENTIFIED,
        "Some payments fail; we are **rolling back** a deploy.",
        {web: ComponentStatus.DEGRADED_PERFORMANCE},
        notify=False,
    )
    world = Outage(incident.public_id, billing.public_id)
    db.session.rollback()  # hold no transaction while the live server works
    return world


@pytest.fixture
def outage(outage_world: Outage) -> str:
    return outage_world.incident_id


def test_widget_and_iframe_on_another_site(outage, host_site, live_server, make_page):
    page = make_page(base_url=host_site.url, color_scheme="light")
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")

    widget = page.locator("div[data-statuspage-embed] .widget")
    expect(widget).to_have_attribute("role", "status")
    expect(widget).to_have_attribute("aria-live", "polite")
    headline = widget.locator("a")
    expect(headline).to_have_text("Minor Service Outage")
    expect(headline).to_have_attribute("href", f"{live_server.url}/")
    expect(headline).to_have_attribute("target", "_blank")
    expect(headline).to_have_attribute("rel", "noopener")
    # The host page's CSS stops at the shadow boundary.
    assert headline.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert headline.evaluate("e => getComputedStyle(e).fontSize") == "14px"
    position = page.evaluate(
        "() => { const r = document.querySelector('[data-statuspage-embed]')"
        ".shadowRoot.querySelector('.root').getBoundingClientRect();"
        " return [r.left, window.innerWidth - r.right]; }"
    )
    assert position[0] < position[1], "data-position=bottom-left puts it on the left"

    banner = page.locator(f'div[data-statuspage-embed] section.banner[data-id="{outage}"]')
    expect(banner).to_have_attribute("role", "region")
    expect(banner).to_have_attribute("aria-label", "Incident: Checkout errors")
    expect(banner).to_contain_text("Checkout errors")
    # The latest update, as plain text: Markdown marks gone, nothing parsed as HTML.
    expect(banner).to_contain_text("Identified — Some payments fail; we are rolling back a deploy.")
    expect(banner.locator("a")).to_have_attribute("href", f"{live_server.url}/incidents/{outage}")

    # The iframe page, served by the status site into the customer's page.
    frame = page.frame_locator("iframe")
    expect(frame.locator(".embed-overall")).to_have_text("Minor Service Outage")
    expect(frame.locator(f'.embed-item[data-id="{outage}"] a')).to_have_attribute(
        "target", "_blank"
    )

    # Dismiss: gone, and the next poll does not bring it back.
    banner.locator("button.close").click()
    expect(banner).to_have_count(0)
    with page.expect_response(f"{live_server.url}/api/v2/summary.json"):
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(headline).to_have_text("Minor Service Outage")
    expect(banner).to_have_count(0)

    # Nothing stored, nothing sent anywhere but the two sites.
    assert page.context.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert {r.split("/")[2] for r in requests} == {
        host_site.url.split("/")[2],
        live_server.url.split("/")[2],
    }
    assert errors == []


def test_widget_follows_the_dark_color_scheme(outage, host_site, make_page):
    light = make_page(base_url=host_site.url, color_scheme="light")
    light.goto("/")
    widget = light.locator("div[data-statuspage-embed] .widget")
    expect(widget.locator("a")).to_have_text("Minor Service Outage")
    light_bg = widget.evaluate("e => getComputedStyle(e).backgroundColor")

    light.emulate_media(color_scheme="dark")
    dark_bg = widget.evaluate("e => getComputedStyle(e).backgroundColor")
    assert light_bg == "rgb(255, 255, 255)"
    assert dark_bg != light_bg
    frame_body = light.frame_locator("iframe").locator("body")
    assert frame_body.evaluate("e => getComputedStyle(e).backgroundColor") != light_bg


@pytest.mark.parametrize(
    ("chosen", "headline", "banners"),
    [
        # Billing is fine: the Web app's incident is not this site's business.
        ("billing", "All Systems Operational", 0),
        # A mistyped id must not claim all is well: the whole page's status shows.
        ("nope", "Minor Service Outage", 1),
    ],
)
def test_widget_for_chosen_components_only(
    outage_world, live_server, make_page, chosen, headline, banners
):
    ids = outage_world.billing_id if chosen == "billing" else "nope"
    attrs = f'data-position="top" data-components="{ids}" data-lang="zz"'
    with serve_host_page(live_server, attrs) as site:
        page = make_page(base_url=site.url)
        page.goto("/")
        widget = page.locator("div[data-statuspage-embed] .widget")
        expect(widget.locator("a")).to_have_text(headline)
        expect(page.locator("div[data-statuspage-embed] section.banner")).to_have_count(banners)
        top = page.evaluate(
            "() => document.querySelector('[data-statuspage-embed]')"
            ".shadowRoot.querySelector('.root').getBoundingClientRect().top"
        )
        assert top == 0
