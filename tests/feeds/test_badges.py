"""SVG badges: overall and per component."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sqlalchemy as sa

from statuspage.components.models import Component, ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.feeds.badges import IMPACT_COLORS, STATUS_COLORS, badge_svg, text_width
from statuspage.incidents.models import Impact, Incident
from statuspage.incidents.services import resolve_incident
from statuspage.public.cache import CACHE_CONTROL
from statuspage.site.queries import get_page_settings

SVG = "{http://www.w3.org/2000/svg}"


def xml_root(data: bytes | str) -> ET.Element:
    """Parse our own badge (not untrusted input)."""
    return ET.fromstring(data)  # noqa: S314


def parse_badge(response) -> ET.Element:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    root = xml_root(response.data)
    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def fills(root: ET.Element) -> list[str]:
    return [r.attrib.get("fill", "") for r in root.iter(f"{SVG}rect")]


def test_overall_badge_shows_the_headline(frozen_clock, demo, client):
    root = parse_badge(client.get("/badge.svg"))
    name = get_page_settings().name
    # The demo has a slow Dashboard: a minor outage.
    expected = f"{name}: Minor Service Outage"
    assert root.attrib["aria-label"] == expected
    assert root.find(f"{SVG}title").text == expected
    assert texts(root)[::2] == [name, "Minor Service Outage"]
    assert IMPACT_COLORS[Impact.MINOR] in fills(root)


def test_overall_badge_follows_the_page(frozen_clock, demo, client):
    active = db.session.scalar(
        sa.select(Incident).where(Incident.public_id == demo.active_incident_id)
    )
    resolve_incident(active, "Fixed.", notify=False)
    root = parse_badge(client.get("/badge.svg"))
    page = client.get("/").data.decode()
    assert texts(root)[2] == "All Systems Operational"
    assert "All Systems Operational" in page
    assert IMPACT_COLORS[Impact.NONE] in fills(root)


def test_component_badge(frozen_clock, demo, client):
    dashboard = db.session.scalar(sa.select(Component).where(Component.name == "Dashboard"))
    root = parse_badge(client.get(f"/components/{dashboard.public_id}/badge.svg"))
    assert texts(root)[::2] == ["Dashboard", "Degraded Performance"]
    assert STATUS_COLORS[ComponentStatus.DEGRADED_PERFORMANCE] in fills(root)
    assert root.attrib["aria-label"] == "Dashboard: Degraded Performance"


def test_component_badge_escapes_text(frozen_clock, app_ctx, client):
    odd = create_component('<b>"Fish" & chips</b>')
    response = client.get(f"/components/{odd.public_id}/badge.svg")
    root = parse_badge(response)
    assert texts(root)[0] == '<b>"Fish" & chips</b>'
    assert b"<b>" not in response.data


def test_badge_404s(frozen_clock, demo, client):
    assert client.get("/components/nope/badge.svg").status_code == 404
    dashboard = db.session.scalar(sa.select(Component).where(Component.name == "Dashboard"))
    dashboard.visible = False
    db.session.commit()
    assert client.get(f"/components/{dashboard.public_id}/badge.svg").status_code == 404


def test_badge_etag(frozen_clock, demo, client):
    etag = client.get("/badge.svg").headers["ETag"]
    assert client.get("/badge.svg", headers={"If-None-Match": etag}).status_code == 304


def test_width_grows_with_text():
    short = xml_root(badge_svg("status", "ok", "#000"))
    long = xml_root(badge_svg("status", "All Systems Operational", "#000"))
    assert int(long.attrib["width"]) > int(short.attrib["width"])
    assert text_width("mmmm") > text_width("iiii")
    assert int(short.attrib["width"]) == text_width("status") + text_width("ok") + 40
