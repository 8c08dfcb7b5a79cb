"""Write APIs end to end: what a Manage or Cachet client sends shows on every public surface.

Each step goes in over HTTP with a real API key; the checks read only what a visitor,
an API client or a feed reader gets: the page, the incident page, the v2 JSON, the RSS
and Atom feeds (parsed by feedparser and by a strict XML parser, every entry link
fetched), the per-component feed, the calendar and the badges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest

from statuspage.accounts.services import create_api_key, create_user
from statuspage.site.services import update_settings

from ..htmltree import Node, parse

BASE = "http://127.0.0.1:8000"
ATOM = "{http://www.w3.org/2005/Atom}"


def xml_of(data: bytes) -> ElementTree.Element:
    """Parse our own response strictly (any well-formedness error raises)."""
    return ElementTree.fromstring(data)  # noqa: S314  (our own output, in a test)


@dataclass
class Api:
    """A client holding a communicator's API key for the deployment's page."""

    client: Any
    secret: str
    page_id: str

    def manage(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.open(
            f"/api/v1/pages/{self.page_id}{path}",
            method=method,
            json=body,
            headers={"Authorization": f"OAuth {self.secret}"},
        )
        assert response.status_code in (200, 201), response.get_json()
        result: dict[str, Any] = response.get_json()
        return result


@pytest.fixture
def api(frozen_clock: Any, app_ctx: Any, client: Any) -> Api:
    update_settings(name="Acme Cloud")
    create_user("comms@example.com", "correct-horse-battery", "communicator")
    _key, secret = create_api_key("comms@example.com")
    pages = client.get("/api/v1/pages", headers={"Authorization": f"OAuth {secret}"})
    assert pages.status_code == 200
    (page,) = pages.get_json()
    return Api(client, secret, page["id"])


# -- what each surface shows --------------------------------------------------------------


def local(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def strict_atom(data: bytes) -> list[ElementTree.Element]:
    """Parse an Atom document strictly; check the elements RFC 4287 requires."""
    root = xml_of(data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    assert any(link.get("rel") == "self" for link in root.iter(f"{ATOM}link"))
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link").get("href", "").startswith(BASE)
    return entries


def strict_rss(data: bytes) -> list[ElementTree.Element]:
    """Parse an RSS 2.0 document strictly; check the elements the spec requires."""
    root = xml_of(data)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    items = channel.findall("item")
    for item in items:
        assert (item.findtext("title") or "").strip()
        assert (item.findtext("link") or "").startswith(BASE)
        assert (item.findtext("guid") or "").strip()
    return items


def read_feed(client: Any, path: str) -> feedparser.FeedParserDict:
    """Fetch a feed, parse it twice (feedparser, strict XML) and follow every entry link."""
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    strict = strict_rss(response.data) if path.endswith(".rss") else strict_atom(response.data)
    assert len(strict) == len(feed.entries)
    for entry in feed.entries:
        assert client.get(local(entry.link)).status_code == 200, entry.link
    return feed


def feed_entry(feed: feedparser.FeedParserDict, incident_id: str) -> Any:
    url = f"{BASE}/incidents/{incident_id}"
    matches = [e for e in feed.entries if e.link == url]
    assert len(matches) == 1, [e.link for e in feed.entries]
    return matches[0]


def component_node(page: Node, component_id: str) -> Node:
    return page.find("li", cls="component", data_component_id=component_id)


@dataclass(frozen=True)
class Expected:
    """What every surface must say after a step."""

    name: str
    status: str  # incident status value
    status_label: str
    body: str  # the latest update's text
    component_status: str
    indicator: str
    open: bool


def assert_everywhere(client: Any, iid: str, cid: str, want: Expected) -> None:
    # The status page.
    page = parse(client.get("/").data)
    assert page.find(cls="overall").attrs["data-indicator"] == want.indicator
    assert component_node(page, cid).attrs["data-status"] == want.component_status
    cards = page.find_all("article", cls="incident-card", data_incident_id=iid)
    if want.open:
        (card,) = cards
        assert want.name in card.text
        assert want.status_label in card.find(cls="incident-status").text
        assert want.body in card.find(cls="latest-update").text
    else:
        assert cards == []

    # The incident's own page.
    response = client.get(f"/incidents/{iid}")
    assert response.status_code == 200
    detail = parse(response.data).find("article", cls="incident-detail")
    assert detail.attrs["data-status"] == want.status
    assert detail.find(cls="incident-status").text == want.status_label
    latest = detail.find_all("li", cls="timeline-update")[0]
    assert latest.attrs["data-status"] == want.status
    assert want.body in latest.text

    # The v2 JSON.
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["status"]["indicator"] == want.indicator
    assert {c["id"]: c["status"] for c in summary["components"]}[cid] == want.component_status
    assert (iid in {i["id"] for i in summary["incidents"]}) is want.open
    one = client.get(f"/api/v2/incidents/{iid}.json")
    assert one.status_code == 200
    incident = one.get_json()["incident"]
    assert incident["name"] == want.name
    assert incident["status"] == want.status
    assert incident["incident_updates"][0]["body"] == want.body
    assert incident["incident_updates"][0]["status"] == want.status
    assert [c["status"] for c in incident["components"]] == [want.component_status]

    # The feeds: the whole page's (RSS and Atom) and the component's.
    for path in ("/history.atom", "/history.rss", f"/components/{cid}/history.atom"):
        entry = feed_entry(read_feed(client, path), iid)
        assert entry.title == want.name
        content = entry.content[0].value if "content" in entry else entry.summary
        assert want.status_label in content
        assert want.body in content
        # Newest update first: its status opens the entry.
        assert content.index(want.status_label) <= content.index("Investigating")


# -- the round trips ----------------------------------------------------------------------


def test_manage_api_incident_round_trip_shows_everywhere(frozen_clock, api, client):
    made = api.manage("POST", "/components", {"component": {"name": "Payments API"}})
    cid = made["id"]
    other = api.manage("POST", "/components", {"component": {"name": "Dashboard"}})["id"]
    created = api.manage(
        "POST",
        "/incidents",
        {
            "incident": {
                "name": "Card payments failing",
                "status": "investigating",
                "body": "Card payments fail at checkout.",
                "components": {cid: "major_outage"},
            }
        },
    )
    iid = created["id"]
    assert_everywhere(
        client,
        iid,
        cid,
        Expected(
            name="Card payments failing",
            status="investigating",
            status_label="Investigating",
            body="Card payments fail at checkout.",
            component_status="major_outage",
            indicator="critical",
            open=True,
        ),
    )
    # A component the incident does not touch stays as it was.
    page = parse(client.get("/").data)
    assert component_node(page, other).attrs["data-status"] == "operational"

    frozen_clock.advance(timedelta(minutes=7))
    api.manage(
        "PATCH",
        f"/incidents/{iid}",
        {
            "incident": {
                "status": "identified",
                "body": "A certificate expired at our card processor.",
                "components": {cid: "partial_outage"},
            }
        },
    )
    assert_everywhere(
        client,
        iid,
        cid,
        Expected(
            name="Card payments failing",
            status="identified",
            status_label="Identified",
            body="A certificate expired at our card processor.",
            component_status="partial_outage",
            indicator="critical",
            open=True,
        ),
    )

    frozen_clock.advance(timedelta(minutes=20))
    api.manage(
        "PATCH",
        f"/incidents/{iid}",
        {"incident": {"status": "resolved", "body": "Payments work again."}},
    )
    assert_everywhere(
        client,
        iid,
        cid,
        Expected(
            name="Card payments failing",
            status="resolved",
            status_label="Resolved",
            body="Payments work again.",
            component_status="operational",
            indicator="none",
            open=False,
        ),
    )
    resolved = client.get(f"/api/v2/incidents/{iid}.json").get_json()["incident"]
    assert [u["status"] for u in resolved["incident_updates"]] == [
        "resolved",
        "identified",
        "investigating",
    ]
    assert resolved["resolved_at"] == "2026-11-25T12:27:00.000Z"


def test_maintenance_calendar_parses_with_icalendar(frozen_clock, api, client):
    cid = api.manage("POST", "/components", {"component": {"name": "Database"}})["id"]
    start = frozen_clock.now + timedelta(days=2)
    window = api.manage(
        "POST",
        "/incidents",
        {
            "incident": {
                "name": "Database upgrade",
                "status": "scheduled",
                "body": "We upgrade the database; writes pause for a minute.",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=1)).isoformat(),
                "component_ids": [cid],
            }
        },
    )
    response = client.get("/maintenance.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Database upgrade"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(hours=1)
    assert str(event["url"]) == f"{BASE}/maintenance/{window['id']}"
    assert client.get(local(str(event["url"]))).status_code == 200
    assert "writes pause for a minute" in str(event["description"])


def test_cachet_component_put_with_query_string_shows_everywhere(frozen_clock, api, client):
    headers = {"X-Cachet-Token": api.secret}
    made = client.post("/api/v1/components", json={"name": "Search", "status": 1}, headers=headers)
    assert made.status_code == 200, made.get_json()
    cid = made.get_json()["data"]["id"]
    api.manage("POST", "/components", {"component": {"name": "Dashboard"}})
    before = client.get(f"/components/{cid}/badge.svg").get_data(as_text=True)
    assert "Operational" in before

    # Cachet clients send the fields in the query string, with no body at all.
    response = client.put(f"/api/v1/components/{cid}?status=4", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["status"] == 4

    page = parse(client.get("/").data)
    node = component_node(page, cid)
    assert node.attrs["data-status"] == "major_outage"
    assert "Major Outage" in node.text
    # One of two components fully down: a major (partial system) outage, by the page's rule.
    assert page.find(cls="overall").attrs["data-indicator"] == "major"

    summary = client.get("/api/v2/summary.json").get_json()
    assert {c["id"]: c["status"] for c in summary["components"]}[cid] == "major_outage"
    assert summary["status"]["indicator"] == "major"
    listed = client.get("/api/v2/components.json").get_json()["components"]
    assert {c["id"]: c["status"] for c in listed}[cid] == "major_outage"

    badge = client.get(f"/components/{cid}/badge.svg")
    assert badge.status_code == 200
    assert badge.mimetype == "image/svg+xml"
    svg = xml_of(badge.data)
    assert svg.get("aria-label") == "Search: Major Outage"
    overall = xml_of(client.get("/badge.svg").data)
    assert overall.get("aria-label") == "Acme Cloud: Partial System Outage"

    # No incident was opened: the feeds stay valid and empty.
    for path in ("/history.atom", "/history.rss", f"/components/{cid}/history.atom"):
        assert read_feed(client, path).entries == []
