"""Translated incident content end to end: the console writes it, every public surface shows it.

A German translation added in the console reaches the page, the incident page, the Atom feed,
the API (?lang=de) and German subscribers' email; French readers get the original with a note
saying so (a visible note on pages, xml:lang in the feed, a field in the API).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import feedparser
import pytest
from flask import Flask

from statuspage.clock import utcnow
from statuspage.notifications.engine import close_senders, run_deliveries
from statuspage.notifications.planner import plan_events
from statuspage.subscribers.models import Channel
from statuspage.subscribers.services import subscribe

from ..htmltree import parse
from ..notifications.smtp_sink import SmtpSink
from .incidents_world import build, submit

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The note speaks the reader's language and names both languages in it (the French
# catalog puts a no-break space before the colon; compare with plain spaces).
FR_NOTE = "Non disponible en français : affiché en anglais."


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def world(app, frozen_clock):
    return build(app)


@pytest.fixture
def comms(signed_in):
    return signed_in("communicator")


@pytest.fixture
def german(world, comms):
    """The open incident with its title and its only update translated into German."""
    response = submit(
        comms,
        f"/admin/incidents/{world.incident}/translations?locale=de",
        {"name": "Langsames Dashboard", f"update-{world.update}": "Das Dashboard ist langsam."},
    )
    assert response.status_code == 302, response.text
    return world


def notes(html: str) -> list[str]:
    return [plain(n.text.strip()) for n in parse(html).find_all(cls="translation-note")]


def test_console_translation_shows_on_the_pages(german, comms):
    for path in ("/?lang=de", f"/incidents/{german.incident}?lang=de"):
        html = comms.get(path).text
        assert "Langsames Dashboard" in html, path
        assert "Das Dashboard ist langsam." in html, path
        assert "Slow dashboard" not in html, path
        assert notes(html) == [], path

    # English readers still see the original.
    html = comms.get(f"/incidents/{german.incident}?lang=en").text
    assert "Slow dashboard" in html
    assert "Langsames Dashboard" not in html


def test_a_language_without_translation_falls_back_and_says_so(german, comms):
    for path in ("/?lang=fr", f"/incidents/{german.incident}?lang=fr", "/history?lang=fr"):
        html = comms.get(path).text
        assert "Slow dashboard" in html, path
        assert notes(html) == [FR_NOTE], path
    # The original text is marked as English inside the French page (screen readers switch).
    doc = parse(comms.get(f"/incidents/{german.incident}?lang=fr").text)
    assert doc.find("html").attrs["lang"] == "fr"
    assert doc.find("h1", cls="page-title").attrs["lang"] == "en"


def test_the_feed_speaks_the_translation_and_marks_the_fallback(german, comms):
    response = comms.get("/history.atom?lang=de")
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0
    [entry] = [e for e in parsed.entries if german.incident in e.id]
    assert entry.title == "Langsames Dashboard"
    assert "Das Dashboard ist langsam." in entry.content[0].value

    root = ElementTree.fromstring(comms.get("/history.atom?lang=fr").data)  # noqa: S314
    assert root.get(XML_LANG) == "fr"
    [node] = [
        e for e in root.iter(f"{ATOM}entry") if german.incident in e.findtext(f"{ATOM}id", "")
    ]
    assert node.get(XML_LANG) == "en"
    assert node.findtext(f"{ATOM}title") == "Slow dashboard"
    assert FR_NOTE in plain(node.findtext(f"{ATOM}content", ""))


def test_the_api_answers_in_the_language_asked(german, comms):
    [incident] = [
        i
        for i in comms.get("/api/v2/incidents.json?lang=de").get_json()["incidents"]
        if i["id"] == german.incident
    ]
    assert incident["name"] == "Langsames Dashboard"
    assert incident["language"] == "de"
    assert incident["language_fallback"] is False
    assert incident["incident_updates"][0]["body"] == "Das Dashboard ist langsam."

    one = comms.get(f"/api/v2/incidents/{german.incident}.json?lang=fr").get_json()["incident"]
    assert one["name"] == "Slow dashboard"
    assert one["language"] == "en"
    assert one["language_fallback"] is True

    # Without ?lang= the API is what Statuspage clients know: the original, no extra fields.
    plain = comms.get(f"/api/v2/incidents/{german.incident}.json").get_json()["incident"]
    assert plain["name"] == "Slow dashboard"
    assert "language" not in plain
    # Cookies and Accept-Language never change the API.
    header = comms.get(
        f"/api/v2/incidents/{german.incident}.json", headers={"Accept-Language": "de"}
    ).get_json()["incident"]
    assert header["name"] == "Slow dashboard"


def test_bad_translation_input_is_refused_and_nothing_is_written(world, comms):
    response = submit(
        comms,
        f"/admin/incidents/{world.incident}/translations?locale=de",
        {"name": "Langsam", f"update-{world.update}": "x" * 20_001},
    )
    assert response.status_code == 400
    assert "At most 20000 characters." in response.text
    assert "Slow dashboard" in comms.get("/?lang=de").text
    # Not a page language, and the page's own language: 404, not a 500.
    assert comms.get(f"/admin/incidents/{world.incident}/translations?locale=xx").status_code == 404
    assert comms.get(f"/admin/incidents/{world.incident}/translations?locale=en").status_code == 404


def test_support_cannot_translate(world, signed_in):
    support = signed_in("support")
    assert support.get(f"/admin/incidents/{world.incident}/translations").status_code == 403


def test_template_translation_prefills_a_new_incident(world, comms):
    response = submit(
        comms,
        f"/admin/templates/{world.template}/translations?locale=de",
        {"title": "Fehler bei {component}", "body": "Wir untersuchen Fehler bei {component}."},
    )
    assert response.status_code == 302, response.text
    html = comms.get(f"/admin/incidents/new?template={world.template}").text
    assert 'value="Fehler bei API"' in html
    assert "Wir untersuchen Fehler bei API." in html
    response = submit(
        comms, "/admin/incidents/new", form_url=f"/admin/incidents/new?template={world.template}"
    )
    assert response.status_code == 302, response.text
    assert "Fehler bei API" in comms.get("/?lang=de").text


# --------------------------------------------------------------------------- email


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailing(app: Flask, world, sink: SmtpSink) -> Iterator[Flask]:
    app.config.update(
        SMTP_URL=sink.url, MAIL_FROM="status@example.com", BASE_URL="http://localhost"
    )
    with app.app_context():
        for address, language in (
            ("anna@example.org", "en"),
            ("hans@example.de", "de"),
            ("jean@example.fr", "fr"),
        ):
            subscribe(Channel.EMAIL, address, language=language, skip_confirmation=True, staff=True)
    # No app context held across the console requests (each request gets its own g).
    yield app
    with app.app_context():
        close_senders(app)


def tick(app: Flask) -> None:
    with app.app_context():
        plan_events(utcnow())
        run_deliveries(utcnow(), "translation-test")


def mail_to(sink: SmtpSink, address: str, since: int) -> tuple[str, str]:
    [mail] = [m for m in sink.messages[since:] if m.rcpt_tos == [address]]
    text = mail.message.get_body(preferencelist=("plain",))
    assert text is not None
    return str(mail.message["Subject"]), text.get_content()


def test_subscribers_get_the_incident_in_their_language(mailing, comms, sink):
    tick(mailing)  # anything queued before (nothing should reach the sink for the old incident)
    before = len(sink.messages)
    response = submit(
        comms,
        "/admin/incidents/new",
        {
            "name": "Login errors",
            "status": "investigating",
            "body": "Some sign-ins fail.",
            "notify": "y",
            "translation-name-de": "Anmeldefehler",
            "translation-body-de": "Einige Anmeldungen schlagen fehl.",
        },
    )
    assert response.status_code == 302, response.text
    tick(mailing)

    subject, text = mail_to(sink, "hans@example.de", before)
    assert "Anmeldefehler" in subject
    assert "Einige Anmeldungen schlagen fehl." in text
    assert "Some sign-ins fail." not in text

    subject, text = mail_to(sink, "anna@example.org", before)
    assert "Login errors" in subject
    assert "Some sign-ins fail." in text

    # No French translation: the original, saying so in French's place.
    subject, text = mail_to(sink, "jean@example.fr", before)
    assert "Login errors" in subject
    assert "Some sign-ins fail." in text
    assert FR_NOTE in plain(text)

    # An update published with its German wording reaches Hans in German.
    incident_id = response.headers["Location"].rsplit("/", 1)[-1]
    before = len(sink.messages)
    response = submit(
        comms,
        f"/admin/incidents/{incident_id}/update",
        {
            "status": "identified",
            "body": "A bad deploy; rolling back.",
            "translation-body-de": "Ein fehlerhaftes Deployment; wir rollen zurück.",
        },
    )
    assert response.status_code == 302, response.text
    tick(mailing)
    subject, text = mail_to(sink, "hans@example.de", before)
    assert "Anmeldefehler" in subject
    assert "Ein fehlerhaftes Deployment; wir rollen zurück." in text
