"""The email sender against a real SMTP sink; the Apprise sender against a loopback receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from statuspage import create_app
from statuspage.notifications.dispatch import sender_factory
from statuspage.notifications.senders import AppriseSender, EmailSender, redact
from statuspage.subscribers.models import Channel

from ..htmltree import parse
from .events import outgoing
from .receiver import Receiver
from .smtp_sink import SmtpSink


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


def make_app(tmp_path: Path, **config: Any) -> Flask:
    """Return an app for senders; they never touch the database, so none is migrated."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
            "BASE_URL": "https://status.acme.example",
            "MAIL_FROM": "status@acme.example",
            **config,
        }
    )


# --------------------------------------------------------------------------- email


def test_senders_are_registered_at_app_creation(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert isinstance(sender_factory(Channel.EMAIL)(app), EmailSender)
    for channel in (Channel.SMS, Channel.SLACK, Channel.TEAMS, Channel.DISCORD,
                    Channel.GOOGLECHAT, Channel.APPRISE):  # fmt: skip
        assert isinstance(sender_factory(channel)(app), AppriseSender)


def test_a_batch_of_fifty_goes_over_one_smtp_session(tmp_path: Path, sink: SmtpSink) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    batch = [outgoing("incident.updated", f"user{n}@example.org", n=n) for n in range(1, 51)]
    # The engine loads each event once: every recipient shares the same context object.
    shared = batch[0].context
    batch = [type(o)(**{**o.__dict__, "context": shared}) for o in batch]
    try:
        results = sender.send(batch)
    finally:
        sender.close()
    assert all(r.ok for r in results), results
    assert len(sink.messages) == 50
    assert sink.sessions == 1

    delivered = sink.messages[6]
    assert delivered.rcpt_tos == ["user7@example.org"]
    assert delivered.mail_from == "status@acme.example"
    message = delivered.message
    assert message["To"] == "user7@example.org"
    assert message["From"] == "Acme Status <status@acme.example>"
    assert message["Subject"] == "[Acme Status] Identified: API errors"
    assert message["List-Unsubscribe"] == "<https://status.acme.example/unsubscribe/u7>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == "<ev7-sub7-email@status.acme.example>"
    assert message["Content-Language"] == "en"
    assert message["Date"]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert text_part is not None
    assert html_part is not None
    text = text_part.get_content()
    assert "Fixing it now." in text
    assert "Manage your subscription: https://status.acme.example/subscriptions/m7" in text
    assert "Unsubscribe: https://status.acme.example/unsubscribe/u7" in text
    tree = parse(html_part.get_content())
    links = {a.text: a.attrs["href"] for a in tree.find_all("a")}
    assert links["Manage your subscription"] == "https://status.acme.example/subscriptions/m7"
    assert links["Unsubscribe"] == "https://status.acme.example/unsubscribe/u7"
    assert links["View this incident"] == "https://status.acme.example/incidents/inc1"
    assert "<script" not in html_part.get_content()
    # Nobody gets somebody else's links.
    assert "/unsubscribe/u8" not in html_part.get_content()


def test_a_retry_has_the_same_message_id(tmp_path: Path, sink: SmtpSink) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    first = outgoing("incident.created", "ana@example.org", n=3)
    try:
        assert sender.send([first])[0].ok
        assert sender.send([outgoing("incident.created", "ana@example.org", n=3)])[0].ok
    finally:
        sender.close()
    ids = [d.message["Message-ID"] for d in sink.messages]
    assert ids[0] == ids[1] == "<ev7-sub3-email@status.acme.example>"
    assert sink.sessions == 1  # the session is kept between batches


def test_refusals_are_permanent_or_temporary(tmp_path: Path, sink: SmtpSink) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    batch = [
        outgoing("incident.created", "bounce@example.org", n=1),
        outgoing("incident.created", "later@example.org", n=2),
        outgoing("incident.created", "fine@example.org", n=3),
    ]
    try:
        bounced, later, fine = sender.send(batch)
    finally:
        sender.close()
    assert not bounced.ok
    assert bounced.permanent
    assert bounced.error is not None
    assert "550" in bounced.error
    assert not later.ok
    assert not later.permanent
    assert later.error is not None
    assert "451" in later.error
    assert fine.ok
    assert [d.rcpt_tos for d in sink.messages] == [["fine@example.org"]]


def test_missing_smtp_url_fails_every_message(tmp_path: Path) -> None:
    sender = EmailSender(make_app(tmp_path))
    results = sender.send([outgoing("incident.created", f"u{n}@example.org", n=n) for n in (1, 2)])
    assert [(r.ok, r.error, r.permanent) for r in results] == [
        (False, "STATUSPAGE_SMTP_URL is not set", False)
    ] * 2


def test_email_is_in_the_outgoing_language(tmp_path: Path, sink: SmtpSink) -> None:
    # Only the English catalog exists: the text falls back to English, but the language
    # the engine resolved is what the message declares.
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    try:
        results = sender.send(
            [
                outgoing("incident.created", "de@example.org", n=1, language="de"),
                outgoing("incident.created", "en@example.org", n=2, language="en"),
            ]
        )
    finally:
        sender.close()
    assert all(r.ok for r in results)
    german, english = (d.message for d in sink.messages)
    assert german["Content-Language"] == "de"
    assert english["Content-Language"] == "en"
    for message, lang in ((german, "de"), (english, "en")):
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        assert parse(html.get_content()).find("html").attrs["lang"] == lang


def test_confirmation_email_has_no_unsubscribe_header(tmp_path: Path, sink: SmtpSink) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    try:
        [result] = sender.send([outgoing("subscriber.confirmation_requested", "ana@example.org")])
    finally:
        sender.close()
    assert result.ok
    message = sink.messages[0].message
    assert message["Subject"] == "Confirm your subscription to Acme Status"
    assert message["List-Unsubscribe"] is None
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "https://status.acme.example/subscriptions/confirm/tok-c" in text.get_content()


def test_an_address_with_a_line_break_is_refused(tmp_path: Path, sink: SmtpSink) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url))
    try:
        [result] = sender.send([outgoing("incident.created", "a@example.org\r\nBcc: x@evil.org")])
    finally:
        sender.close()
    assert not result.ok
    assert result.permanent
    assert sink.messages == []


# --------------------------------------------------------------------------- Apprise


def _json_url(receiver: Receiver, path: str = "/chat") -> str:
    return receiver.url.replace("http://", "json://") + path


def test_chat_reaches_the_receiver_with_title_and_body(tmp_path: Path, receiver: Receiver) -> None:
    sender = AppriseSender(make_app(tmp_path))
    [result] = sender.send(
        [outgoing("incident.updated", _json_url(receiver), channel=Channel.APPRISE)]
    )
    assert result.ok, result.error
    [got] = receiver.received
    payload = json.loads(got.body)
    assert payload["title"] == "Acme Status: Identified: API errors"
    assert "Fixing it now." in payload["message"]
    assert "https://status.acme.example/incidents/inc1" in payload["message"]


def test_receiver_error_becomes_a_recorded_error(tmp_path: Path, receiver: Receiver) -> None:
    receiver.answer = lambda path: (500, {})
    sender = AppriseSender(make_app(tmp_path))
    url = _json_url(receiver).replace("json://", "json://bot:s3cretpass@")
    [result] = sender.send([outgoing("incident.created", url, channel=Channel.APPRISE)])
    assert not result.ok
    assert not result.permanent
    assert result.error is not None
    assert "500" in result.error
    assert "s3cretpass" not in result.error


def test_a_hanging_receiver_times_out(tmp_path: Path, receiver: Receiver) -> None:
    receiver.delay = 2.0
    sender = AppriseSender(make_app(tmp_path, NOTIFY_TIMEOUT=0.5))
    [result] = sender.send(
        [outgoing("incident.created", _json_url(receiver), channel=Channel.DISCORD)]
    )
    assert not result.ok
    assert result.error == "no answer within 0.5 seconds"


def test_unknown_apprise_url_is_permanent(tmp_path: Path) -> None:
    sender = AppriseSender(make_app(tmp_path))
    [result] = sender.send(
        [outgoing("incident.created", "nosuchservice://x/y", channel=Channel.APPRISE)]
    )
    assert not result.ok
    assert result.permanent


def test_sms_needs_a_provider(tmp_path: Path) -> None:
    sender = AppriseSender(make_app(tmp_path))
    [result] = sender.send([outgoing("incident.created", "+4915112345678", channel=Channel.SMS)])
    assert (result.ok, result.error) == (False, "SMS is not configured")


def test_sms_goes_through_the_configured_provider(tmp_path: Path, receiver: Receiver) -> None:
    template = _json_url(receiver, "/sms/{number}")
    sender = AppriseSender(make_app(tmp_path, SMS_APPRISE_URL=template))
    [result] = sender.send(
        [outgoing("subscriber.confirmation_requested", "+4915112345678", channel=Channel.SMS)]
    )
    assert result.ok, result.error
    [got] = receiver.received
    assert got.path.startswith("/sms/")
    assert "4915112345678" in got.path
    assert "your confirmation code is 123456" in json.loads(got.body)["message"]


def test_errors_never_carry_credentials() -> None:
    text = "failed for json://bot:s3cret@hooks.example/x and slack://T0/B0/tokentoken"
    cleaned = redact(text, ["tokentoken"])
    assert "s3cret" not in cleaned
    assert "tokentoken" not in cleaned
    assert "json://[redacted]@hooks.example/x" in cleaned


def test_a_broken_theme_template_is_a_temporary_error(tmp_path: Path, sink: SmtpSink) -> None:
    import shutil

    root = tmp_path / "themes"
    shutil.copytree(Path(__file__).parents[2] / "themes" / "default", root / "default")
    broken = root / "broken"
    (broken / "templates" / "email").mkdir(parents=True)
    (broken / "theme.toml").write_text('name = "broken"\ntemplate_api = 1\n')
    (broken / "templates" / "email" / "incident.txt").write_text("{{ message.nope() }}\n")
    app = make_app(tmp_path, SMTP_URL=sink.url, THEMES_DIR=str(root), THEME="broken")
    sender = EmailSender(app)
    try:
        incident, confirm = sender.send(
            [
                outgoing("incident.created", "ana@example.org"),
                outgoing("subscriber.confirmation_requested", "bo@example.org"),
            ]
        )
    finally:
        sender.close()
    assert not incident.ok
    assert not incident.permanent  # fixing the theme and retrying delivers it
    assert incident.error is not None
    assert incident.error.startswith("email template error")
    assert confirm.ok  # the templates the theme did not break still work
    assert [d.rcpt_tos for d in sink.messages] == [["bo@example.org"]]


def test_a_large_batch_is_spread_over_parallel_sessions_each_message_once(
    tmp_path: Path, sink: SmtpSink
) -> None:
    sender = EmailSender(make_app(tmp_path, SMTP_URL=sink.url, SMTP_CONNECTIONS=4))
    targets = [f"user{n}@example.org" for n in range(1, 301)]
    targets[150] = "bounce@example.org"  # its answer must land at its own place
    batch = [outgoing("incident.updated", t, n=n) for n, t in enumerate(targets, start=1)]
    shared = batch[0].context
    batch = [type(o)(**{**o.__dict__, "context": shared}) for o in batch]
    try:
        results = sender.send(batch)
    finally:
        sender.close()
    assert len(results) == 300
    assert [i for i, r in enumerate(results) if not r.ok] == [150]
    assert results[150].permanent
    received = sorted(rcpt for m in sink.messages for rcpt in m.rcpt_tos)
    assert received == sorted(t for t in targets if t != "bounce@example.org")
    assert 1 < sink.sessions <= 4
