"""A subscriber's whole life through real sinks: confirm by email, hear an incident, leave.

aiosmtpd receives the mail, the loopback receiver stands in for chat (Apprise `json://`),
and the worker's own tasks plan and deliver, as `statuspage worker` does each tick.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient

from statuspage.clock import utcnow
from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.incidents.services import create_incident
from statuspage.notifications.engine import close_senders, run_deliveries
from statuspage.notifications.planner import plan_events
from statuspage.subscribers.models import Channel
from statuspage.subscribers.services import subscribe

from .receiver import Receiver
from .smtp_sink import SmtpSink

WORKER = "e2e-worker"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def world(app: Flask, sink: SmtpSink) -> Iterator[Flask]:
    """The app sending mail to the sink, with loopback targets allowed."""
    app.config.update(
        SMTP_URL=sink.url,
        MAIL_FROM="status@example.com",
        BASE_URL="http://localhost",
        WEBHOOK_ALLOW_PRIVATE=True,
    )
    with app.app_context():
        yield app
        close_senders(app)


def tick() -> None:
    """Plan and deliver everything due, as one worker tick does."""
    plan_events(utcnow())
    run_deliveries(utcnow(), WORKER)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def local_path(url: str) -> str:
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


def test_email_subscriber_confirms_hears_the_incident_and_leaves(
    world: Flask, client: FlaskClient, sink: SmtpSink
) -> None:
    api = create_component("API")
    web = create_component("Website")
    subscribe(Channel.EMAIL, "ana@example.org", components=[api])
    subscribe(Channel.EMAIL, "bo@example.org", components=[web], skip_confirmation=True, staff=True)

    # 1. The confirmation mail, with a link that works (GET shows a button, POST confirms).
    tick()
    [confirmation] = [m for m in sink.messages if m.rcpt_tos == ["ana@example.org"]]
    text, html = parts(confirmation.message)
    link = re.search(r"http://localhost/subscriptions/confirm/\S+", text)
    assert link is not None, text
    assert link.group(0) in html
    path = local_path(link.group(0))
    assert client.get(path).status_code == 200
    assert client.post(path).status_code in (200, 302, 303)

    # 2. An incident on the API reaches Ana, not Bo (who follows only the website).
    before = len(sink.messages)
    create_incident(
        "API errors",
        "investigating",
        "Requests **fail** with 502. <script>alert(1)</script>",
        {api: ComponentStatus.MAJOR_OUTAGE},
    )
    tick()
    [mail] = [d for d in sink.messages[before:]]
    assert mail.rcpt_tos == ["ana@example.org"]
    message = mail.message
    assert "API errors" in message["Subject"]
    assert message["Message-ID"].endswith("@localhost>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(http://localhost/unsubscribe/\S+)>", message["List-Unsubscribe"])
    assert unsubscribe is not None, message["List-Unsubscribe"]
    text, html = parts(message)
    assert "Requests fail with 502" in text.replace("**", "")
    assert "<strong>fail</strong>" in html
    assert "<script>" not in html
    assert "/subscriptions/" in html  # manage link in the footer

    # 3. One-click unsubscribe (RFC 8058: a POST with no cookie and no CSRF token)...
    anonymous = world.test_client(use_cookies=False)
    answer = anonymous.post(
        local_path(unsubscribe.group(1)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    # ...and nothing more reaches Ana.
    before = len(sink.messages)
    create_incident(
        "API errors again", "investigating", "Again.", {api: ComponentStatus.PARTIAL_OUTAGE}
    )
    tick()
    assert [d.rcpt_tos for d in sink.messages[before:]] == []


def test_chat_through_apprise_reaches_the_loopback_receiver(
    world: Flask, receiver: Receiver
) -> None:
    api = create_component("API")
    subscribe(
        Channel.APPRISE,
        f"json://127.0.0.1:{receiver.url.rsplit(':', 1)[1]}/chat",
        components=[api],
        staff=True,
        allow_apprise=True,
    )
    tick()
    receiver.received.clear()
    create_incident(
        "Login broken", "identified", "We found it.", {api: ComponentStatus.DEGRADED_PERFORMANCE}
    )
    tick()
    [got] = [r for r in receiver.received if r.path == "/chat"]
    body = got.body.decode()
    assert "Login broken" in body
    assert "We found it." in body
