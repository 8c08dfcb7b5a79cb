"""SMTP transport against a real aiosmtpd server: reuse, refusals, reconnects, URL errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage
from random import Random

import pytest

from statuspage.notifications.backoff import retry_delay
from statuspage.notifications.smtp import SmtpConnection, parse_smtp_url

from .smtp_sink import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    try:
        yield server
    finally:
        server.stop()


def _message(to: str, n: int = 0) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "status@example.com"
    message["To"] = to
    message["Subject"] = f"Update {n}"
    message.set_content(f"Body {n}")
    return message


def test_many_messages_share_one_connection(sink: SmtpSink) -> None:
    with SmtpConnection(parse_smtp_url(sink.url)) as smtp:
        outcomes = [smtp.send(_message(f"user{n}@example.org", n)) for n in range(25)]
    assert all(o.ok for o in outcomes)
    assert len(sink.messages) == 25
    assert sink.sessions == 1
    assert sink.messages[3].message["Subject"] == "Update 3"
    assert sink.messages[3].rcpt_tos == ["user3@example.org"]


def test_refused_recipient_is_permanent_and_the_session_goes_on(sink: SmtpSink) -> None:
    with SmtpConnection(parse_smtp_url(sink.url)) as smtp:
        bounced = smtp.send(_message("bounce@example.org"))
        later = smtp.send(_message("later@example.org"))
        fine = smtp.send(_message("fine@example.org"))
    assert not bounced.ok
    assert bounced.permanent
    assert bounced.error is not None
    assert "550" in bounced.error
    assert not later.ok
    assert not later.permanent
    assert later.error is not None
    assert "451" in later.error
    assert fine.ok
    assert [m.rcpt_tos for m in sink.messages] == [["fine@example.org"]]


def test_reconnects_after_the_server_drops_the_session(sink: SmtpSink) -> None:
    with SmtpConnection(parse_smtp_url(sink.url)) as smtp:
        assert smtp.send(_message("a@example.org")).ok
        assert smtp._smtp is not None
        smtp._smtp.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]  # line cut
        assert smtp.send(_message("b@example.org")).ok
        assert smtp.connections_opened == 2
    assert len(sink.messages) == 2


def test_unreachable_server_is_a_temporary_failure() -> None:
    with SmtpConnection(parse_smtp_url("smtp://127.0.0.1:9", timeout=2)) as smtp:
        outcome = smtp.send(_message("a@example.org"))
    assert not outcome.ok
    assert not outcome.permanent


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://mail.example.com", "must start with smtp://"),
        ("smtp://", "no host name"),
        ("smtp://mail.example.com:99999", "bad port"),
    ],
)
def test_bad_smtp_url_says_what_is_wrong(url: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        parse_smtp_url(url)


def test_smtp_url_forms() -> None:
    plain = parse_smtp_url("smtp://127.0.0.1:8025")
    assert (plain.scheme, plain.host, plain.port, plain.username) == (
        "smtp",
        "127.0.0.1",
        8025,
        None,
    )
    tls = parse_smtp_url("smtps://me%40x.org:p%3Ass@mail.x.org")
    assert (tls.port, tls.username, tls.password) == (465, "me@x.org", "p:ss")
    assert parse_smtp_url("smtp+starttls://mail.x.org").port == 587


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    rng = Random(7)
    waits = [retry_delay(n, rng=rng).total_seconds() for n in range(1, 12)]
    assert 15 <= waits[0] < 30
    assert 30 <= waits[1] < 60
    assert all(w < 3600 for w in waits)
    assert waits[-1] >= 1800  # capped at an hour, jitter keeps it in [0.5, 1) of that
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(0)


def test_built_email_reaches_the_sink_with_both_parts_and_headers(sink: SmtpSink) -> None:
    from datetime import UTC, datetime

    from statuspage.notifications.mime import Envelope, build_email

    envelope = Envelope(
        sender="status@example.com",
        sender_name="Example Status",
        recipient="ana@example.org",
        unsubscribe_url="https://status.example.com/unsubscribe/tok",
        delivery_key="ev1:sub9:email",
        domain="status.example.com",
        sent_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )
    message = build_email(envelope, "Outage: API", "Plain body ü", "<p>HTML <b>body</b></p>")
    with SmtpConnection(parse_smtp_url(sink.url)) as smtp:
        assert smtp.send(message).ok
        assert smtp.send(build_email(envelope, "Outage: API", "again", "<p>again</p>")).ok
    first, retry = (d.message for d in sink.messages)
    assert first["List-Unsubscribe"] == "<https://status.example.com/unsubscribe/tok>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == "<ev1-sub9-email@status.example.com>"
    assert retry["Message-ID"] == first["Message-ID"]  # a retry is recognisably the same mail
    assert first["From"] == "Example Status <status@example.com>"
    text = first.get_body(preferencelist=("plain",))
    html = first.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().strip() == "Plain body ü"
    assert "<b>body</b>" in html.get_content()
