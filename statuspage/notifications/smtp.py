"""SMTP transport for subscriber email: one connection reused across many messages.

`STATUSPAGE_SMTP_URL` forms: `smtp://host:25` (plain, upgraded with STARTTLS when the
server offers it), `smtp+starttls://host:587` (STARTTLS required), `smtps://host:465`
(TLS from the start); credentials as `user:password@` (percent-encoded).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
# Servers drop long sessions; open a fresh one after this many messages.
MESSAGES_PER_CONNECTION = 1000


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect, parsed from the SMTP URL."""

    host: str
    port: int
    scheme: str
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class SendOutcome:
    """Result of handing one message to the server; permanent failures are not retried."""

    ok: bool
    error: str | None = None
    permanent: bool = False


def parse_smtp_url(url: str, timeout: float = 30.0) -> SmtpSettings:
    """Parse STATUSPAGE_SMTP_URL, or raise ValueError saying what is wrong with it."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"STATUSPAGE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
            f"not {parts.scheme or 'nothing'}://"
        )
    if not parts.hostname:
        raise ValueError("STATUSPAGE_SMTP_URL has no host name")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise ValueError(f"STATUSPAGE_SMTP_URL has a bad port: {exc}") from exc
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        scheme=scheme,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )


class SmtpConnection:
    """Send many messages over one SMTP session, reconnecting when the server drops it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connections_opened = 0
        self._smtp: smtplib.SMTP | None = None
        self._sent_on_connection = 0

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.scheme == "smtp+starttls" or smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
        if s.username:
            smtp.login(s.username, s.password or "")
        self.connections_opened += 1
        self._sent_on_connection = 0
        return smtp

    def close(self) -> None:
        """End the session politely; a dead connection is just dropped."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None

    def send(self, message: EmailMessage) -> SendOutcome:
        """Hand one message to the server; reconnect once if the session was lost."""
        return self._deliver(lambda smtp: smtp.send_message(message))

    def send_bytes(self, sender: str, recipient: str, data: bytes) -> SendOutcome:
        """Hand one ready-made message (CRLF line ends) to the server for one recipient."""
        return self._deliver(lambda smtp: smtp.sendmail(sender, [recipient], data))

    def _deliver(
        self, transmit: Callable[[smtplib.SMTP], dict[str, tuple[int, bytes]]]
    ) -> SendOutcome:
        if self._sent_on_connection >= MESSAGES_PER_CONNECTION:
            self.close()
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._open()
                refused = transmit(self._smtp)
            except smtplib.SMTPServerDisconnected as exc:
                self._smtp = None
                if attempt == 2:
                    return SendOutcome(False, f"SMTP server disconnected: {exc}")
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                return _refused(exc.recipients)
            except smtplib.SMTPResponseException as exc:
                raw = exc.smtp_error
                text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
                if exc.smtp_code >= 500 or exc.smtp_code < 400:
                    self.close()  # the session may be in an odd state after an error
                return SendOutcome(
                    False,
                    f"SMTP {exc.smtp_code} {text}".strip(),
                    permanent=500 <= exc.smtp_code < 600,
                )
            except (smtplib.SMTPException, OSError) as exc:
                self.close_quietly()
                return SendOutcome(False, f"SMTP error: {exc}")
            if refused:
                return _refused(refused)
            self._sent_on_connection += 1
            return SendOutcome(True)
        return SendOutcome(False, "SMTP server disconnected")  # pragma: no cover

    def close_quietly(self) -> None:
        """Drop the connection without talking to the server."""
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None


def _refused(recipients: dict[str, tuple[int, bytes]]) -> SendOutcome:
    code, text = next(iter(recipients.values()))
    detail = text.decode("utf-8", "replace")
    return SendOutcome(False, f"SMTP {code} {detail}".strip(), permanent=500 <= code < 600)
