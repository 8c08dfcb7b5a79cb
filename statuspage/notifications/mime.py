"""Build one subscriber's email: text and HTML parts, one-click unsubscribe, stable Message-ID."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

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
