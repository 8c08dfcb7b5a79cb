"""Build one subscriber's email: text and HTML parts, one-click unsubscribe, stable Message-ID."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from markupsafe import escape

_KEY_SAFE = re.compile(r"[^A-Za-z0-9.\-_]")


@dataclass(frozen=True)
class Envelope:
    """Who sends to whom, and the links and key every notification email carries."""

    sender: str
    sender_name: str
    recipient: str
    unsubscribe_url: str
    delivery_key: str
    domain: str
    sent_at: datetime


def message_id(delivery_key: str, domain: str) -> str:
    """Return a Message-ID that stays the same when the same delivery is retried."""
    return f"<{_KEY_SAFE.sub('-', delivery_key)}@{domain}>"


def build_email(envelope: Envelope, subject: str, text: str, html: str) -> EmailMessage:
    """Return the multipart/alternative message with RFC 8058 one-click unsubscribe headers."""
    message = EmailMessage()
    message["From"] = formataddr((envelope.sender_name, envelope.sender))
    message["To"] = envelope.recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(envelope.sent_at)
    message["Message-ID"] = message_id(envelope.delivery_key, envelope.domain)
    # RFC 8058: the HTTPS link takes a POST with this body and needs no cookie or token.
    message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class PreparedEmail:
    """One rendered email made personal per recipient without building a message object.

    The shared headers and bodies are prepared once; `personalise` only substitutes the
    recipient, the links and the Message-ID and base64-encodes the two parts (C-speed),
    which keeps a large fan-out cheap. The result matches what build_email would send.
    """

    def __init__(
        self,
        *,
        sender: str,
        sender_name: str,
        subject: str,
        text: str,
        html: str,
        language: str,
        domain: str,
        marks: dict[str, str],
    ) -> None:
        head = EmailMessage(policy=SMTP)
        head["From"] = formataddr((sender_name, sender))
        head["Subject"] = subject
        folded = head.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"
        self.domain = domain
        self._marks = marks
        self._date_cache: tuple[datetime | None, bytes] = (None, b"")
        self._text = text
        self._html = html
        # "_" never occurs in base64, so the boundary cannot appear inside a part.
        self._boundary = ("=_sp_" + secrets.token_hex(12)).encode()
        self._head = folded + (
            b"MIME-Version: 1.0\r\n"
            b"Content-Language: " + _header_safe(language).encode() + b"\r\n"
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            b"Auto-Submitted: auto-generated\r\n"
            b'Content-Type: multipart/alternative; boundary="' + self._boundary + b'"\r\n'
        )

    def _date(self, sent_at: datetime) -> bytes:
        # A batch shares one send time: format it once, not once per recipient.
        if self._date_cache[0] != sent_at:
            self._date_cache = (sent_at, b"Date: " + format_datetime(sent_at).encode() + b"\r\n")
        return self._date_cache[1]

    def personalise(
        self,
        recipient: str,
        delivery_key: str,
        sent_at: datetime,
        links: dict[str, str | None],
    ) -> bytes:
        """Return the wire bytes (CRLF) of the email for one recipient."""
        if not recipient.isascii() or _BREAKS.search(recipient):
            raise ValueError("the address has characters that cannot go in a header")
        text, html = self._text, self._html
        head = [
            self._head,
            b"To: " + recipient.encode() + b"\r\n",
            self._date(sent_at),
            b"Message-ID: " + message_id(delivery_key, self.domain).encode() + b"\r\n",
        ]
        for name, mark in self._marks.items():
            url = links.get(name) or ""
            if _BREAKS.search(url):
                raise ValueError(f"the {name} link has a line break")
            text = text.replace(mark, url)
            html = html.replace(mark, str(escape(url)))
        unsubscribe = links.get("unsubscribe")
        if unsubscribe:
            head.append(b"List-Unsubscribe: <" + unsubscribe.encode() + b">\r\n")
        b = self._boundary
        return b"".join(
            [
                *head,
                b"\r\n--" + b + b"\r\n",
                b'Content-Type: text/plain; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: base64\r\n\r\n",
                _base64(text),
                b"--" + b + b"\r\n",
                b'Content-Type: text/html; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: base64\r\n\r\n",
                _base64(html),
                b"--" + b + b"--\r\n",
            ]
        )


_BREAKS = re.compile(r"[\r\n]")


def _header_safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-]", "", value.replace("_", "-")) or "en"


def _base64(value: str) -> bytes:
    return base64.encodebytes(value.encode("utf-8")).replace(b"\n", b"\r\n")
