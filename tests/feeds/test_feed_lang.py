"""?lang= picks the feeds' language; an unknown one falls back to the default, never an error."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import create_incident

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_of(data: bytes) -> ElementTree.Element:
    """Parse our own response strictly (any well-formedness error raises)."""
    return ElementTree.fromstring(data)  # noqa: S314  (our own output, in a test)


@pytest.fixture
def world(frozen_clock, app_ctx):
    web = create_component("Web app")
    incident = create_incident(
        "Logins failing",
        IncidentStatus.INVESTIGATING,
        "Looking into it.",
        {web: ComponentStatus.PARTIAL_OUTAGE},
        notify=False,
    )
    return web, incident


def feed(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.data[:300]
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return response, parsed


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_lang_en_is_kept_in_links(world, client):
    _web, incident = world
    response, parsed = feed(client, "/history.atom?lang=en")
    root = xml_of(response.data)
    assert root.get(XML_LANG) == "en"
    self_link = next(link for link in root.iter(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://127.0.0.1:8000/history.atom?lang=en"
    (entry,) = parsed.entries
    # The id never changes with the language; the link opens the page in the same language.
    assert entry.id == f"http://127.0.0.1:8000/incidents/{incident.public_id}"
    assert entry.link == f"http://127.0.0.1:8000/incidents/{incident.public_id}?lang=en"
    page = client.get(local(entry.link))
    assert page.status_code == 200
    assert '<html lang="en"' in page.get_data(as_text=True)

    rss, parsed_rss = feed(client, "/history.rss?lang=en")
    assert xml_of(rss.data).findtext("channel/language") == "en"
    assert parsed_rss.entries[0].link == entry.link


@pytest.mark.parametrize("lang", ["zz", "xx-YY", "", "%3Cb%3E"])
def test_unknown_lang_falls_back_to_the_default(world, client, lang):
    web, _incident = world
    for path in ("/history.atom", "/history.rss", f"/components/{web.public_id}/history.atom"):
        response, parsed = feed(client, f"{path}?lang={lang}")
        assert parsed.feed.language == "en"
        assert "?lang=" not in response.get_data(as_text=True)
        for entry in parsed.entries:
            assert client.get(local(entry.link)).status_code == 200
    calendar = client.get(f"/maintenance.ics?lang={lang}")
    assert calendar.status_code == 200
    icalendar.Calendar.from_ical(calendar.data)


def test_lang_picks_among_the_configured_languages(world, app, client):
    # A second language: the catalog may be missing (text stays English), the tag must not.
    app.config["LANGUAGES"] = ["en", "fr"]
    _response, parsed = feed(client, "/history.atom?lang=fr")
    assert parsed.feed.language == "fr"
    assert parsed.entries[0].link.endswith("?lang=fr")
    rss, _parsed = feed(client, "/history.rss?lang=fr")
    assert xml_of(rss.data).findtext("channel/language") == "fr"
    # ?lang= wins over the browser's Accept-Language; without it, Accept-Language decides.
    _response, parsed = feed(client, "/history.atom?lang=en", **{"Accept-Language": "fr"})
    assert parsed.feed.language == "en"
    response, parsed = feed(client, "/history.atom", **{"Accept-Language": "fr"})
    assert parsed.feed.language == "fr"
    assert "Accept-Language" in response.headers["Vary"]
