"""Channel senders: email over one reused SMTP session, SMS and chat through Apprise.

The engine hands each sender a batch of one channel (dispatch.Outgoing) and records the
Results; senders never touch the database.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask
from jinja2 import TemplateError

from ..clock import utcnow
from ..subscribers.models import Channel
from .apprise_support import load_apprise
from .content import (
    MANAGE_MARK,
    UNSUBSCRIBE_MARK,
    UnsupportedEvent,
    email_theme,
    render_chat,
    render_email,
    render_sms,
)
from .dispatch import Outgoing, Result, register_sender
from .mime import PreparedEmail
from .smtp import SmtpConnection, parse_smtp_url

log = logging.getLogger(__name__)

DEFAULT_NOTIFY_TIMEOUT = 20.0
SMTP_MISSING = "STATUSPAGE_SMTP_URL is not set"
SMS_MISSING = "SMS is not configured"
# A batch is spread over another parallel SMTP session per this many messages.
MESSAGES_PER_SESSION_MIN = 64
_THREAD_NUMBERS = itertools.count(1)
_DELIVERY: contextvars.ContextVar[str] = contextvars.ContextVar("statuspage_apprise_delivery")
_CREDENTIALS = re.compile(r"(?i)([a-z][a-z0-9+.\-]*://)[^/\s@]+@")


# --------------------------------------------------------------------------- email


class EmailSender:
    """Send notification emails over SMTP sessions kept open across batches, in parallel."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        url = app.config.get("SMTP_URL")
        self._problem: str | None = None
        self.smtp: SmtpConnection | None = None
        # smtplib waits on a round trip per command with the GIL released: several sessions
        # in threads keep the server busy while one waits.
        self.connections: list[SmtpConnection] = []
        self._pool: ThreadPoolExecutor | None = None
        if not url:
            self._problem = SMTP_MISSING
        else:
            try:
                settings = parse_smtp_url(str(url))
            except ValueError as exc:
                self._problem = str(exc)
            else:
                count = max(1, int(app.config.get("SMTP_CONNECTIONS") or 1))
                self.connections = [SmtpConnection(settings) for _ in range(count)]
                self.smtp = self.connections[0]
                if count > 1:
                    self._pool = ThreadPoolExecutor(count, thread_name_prefix="smtp")
        self.mail_from = parseaddr(str(app.config.get("MAIL_FROM") or ""))[1]
        self.domain = urlsplit(str(app.config.get("BASE_URL") or "")).hostname or "localhost"

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        """Render each (event, language) once, then send one personal email per recipient."""
        if self.smtp is None:
            return [Result(False, self._problem or SMTP_MISSING) for _ in batch]
        # Keyed by the context object itself (kept alive here so its id is not reused).
        prepared: dict[tuple[int, str, bool, bool], tuple[Mapping[str, Any], PreparedEmail]] = {}
        sent_at = utcnow()
        results: list[Result | None] = []
        # (index in results, recipient, bytes): rendered here, sent below in parallel.
        ready: list[tuple[int, str, bytes]] = []
        for outgoing in batch:
            key = (
                id(outgoing.context),
                outgoing.language,
                outgoing.manage_url is not None,
                outgoing.unsubscribe_url is not None,
            )
            entry = prepared.get(key)
            if entry is None:
                try:
                    entry = (outgoing.context, self._prepare(outgoing))
                except UnsupportedEvent as exc:
                    results.append(Result(False, str(exc), permanent=True))
                    continue
                except TemplateError as exc:
                    # A broken theme template: the admin can fix it, so retry later.
                    log.exception("email template failed for %s", outgoing.context.get("kind"))
                    results.append(Result(False, f"email template error: {exc}"))
                    continue
                prepared[key] = entry
            try:
                data = entry[1].personalise(
                    outgoing.target,
                    outgoing.key,
                    sent_at,
                    {"manage": outgoing.manage_url, "unsubscribe": outgoing.unsubscribe_url},
                )
            except ValueError as exc:
                results.append(Result(False, str(exc), permanent=True))
                continue
            ready.append((len(results), outgoing.target, data))
            results.append(None)
        for index, result in self._transmit(ready):
            results[index] = result
        return [r if r is not None else Result(False, "not sent") for r in results]

    def _transmit(self, ready: list[tuple[int, str, bytes]]) -> list[tuple[int, Result]]:
        """Send the messages, a contiguous slice per SMTP session, each in its own thread."""
        if not ready:
            return []
        # Small batches stay on one session: opening more would cost more than it saves.
        count = min(len(self.connections), max(1, len(ready) // MESSAGES_PER_SESSION_MIN))
        if self._pool is None or count == 1:
            return self._send_slice(self.connections[0], ready)
        size = -(-len(ready) // count)  # ceiling division
        slices = [ready[i * size : (i + 1) * size] for i in range(count)]
        futures = [
            self._pool.submit(self._send_slice, connection, part)
            for connection, part in zip(self.connections[:count], slices, strict=True)
            if part
        ]
        return [pair for future in futures for pair in future.result()]

    def _send_slice(
        self, connection: SmtpConnection, part: list[tuple[int, str, bytes]]
    ) -> list[tuple[int, Result]]:
        answers = []
        for index, recipient, data in part:
            try:
                outcome = connection.send_bytes(self.mail_from, recipient, data)
            except Exception as exc:  # a bug must fail this message, not the whole batch
                log.exception("SMTP send failed")
                answers.append((index, Result(False, f"{type(exc).__name__}: {exc}")))
                continue
            answers.append((index, Result(outcome.ok, outcome.error, outcome.permanent)))
        return answers

    def _prepare(self, outgoing: Outgoing) -> PreparedEmail:
        context = outgoing.context
        content = render_email(
            self.app,
            context,
            outgoing.language,
            with_manage=outgoing.manage_url is not None,
            with_unsubscribe=outgoing.unsubscribe_url is not None,
            theme=email_theme(self.app, context),
        )
        page = context.get("page") if isinstance(context.get("page"), Mapping) else {}
        return PreparedEmail(
            sender=self.mail_from,
            sender_name=str((page or {}).get("name") or "Status"),
            subject=content.subject,
            text=content.text,
            html=content.html,
            language=content.language,
            domain=self.domain,
            marks={"manage": MANAGE_MARK, "unsubscribe": UNSUBSCRIBE_MARK},
        )

    def close(self) -> None:
        """End the SMTP sessions and their threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for connection in self.connections:
            connection.close()


# --------------------------------------------------------------------------- Apprise


class _ThreadLogs(logging.Handler):
    """Collect the apprise logger's records emitted by one thread."""

    def __init__(self, thread_name: str) -> None:
        super().__init__(logging.INFO)
        self.thread_name = thread_name
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Apprise may hand the call to its own executor, copying our context along.
        mine = record.threadName == self.thread_name or _DELIVERY.get(None) == self.thread_name
        if mine and record.levelno >= logging.WARNING:
            self.lines.append(record.getMessage())


def redact(text: str, secrets_: Sequence[str] = ()) -> str:
    """Remove credentials and the given secret strings from a message."""
    for secret in secrets_:
        if secret and len(secret) > 3:
            text = text.replace(secret, "[redacted]")
    return _CREDENTIALS.sub(r"\1[redacted]@", text)


class AppriseSender:
    """Send SMS and chat messages through Apprise, one worker thread per delivery."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.timeout = float(app.config.get("NOTIFY_TIMEOUT") or DEFAULT_NOTIFY_TIMEOUT)
        self.sms_url = app.config.get("SMS_APPRISE_URL") or None

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        """Send each message; Apprise's refusals and timeouts become errors."""
        return [self._send_one(outgoing) for outgoing in batch]

    def apprise_url(self, outgoing: Outgoing) -> str | None:
        """Return the Apprise URL for a target (None when SMS is not configured)."""
        if outgoing.channel is Channel.SMS:
            if not self.sms_url:
                return None
            return str(self.sms_url).replace("{number}", quote(outgoing.target, safe="+"))
        # Slack, Teams, Discord and Google Chat webhook URLs are understood by Apprise as
        # they are; APPRISE targets already are Apprise URLs.
        return outgoing.target

    def _send_one(self, outgoing: Outgoing) -> Result:
        url = self.apprise_url(outgoing)
        if url is None:
            return Result(False, SMS_MISSING)
        try:
            if outgoing.channel is Channel.SMS:
                title, body = "", render_sms(self.app, outgoing.context, outgoing.language)
            else:
                chat = render_chat(self.app, outgoing.context, outgoing.language)
                title, body = chat.title, chat.body
        except UnsupportedEvent as exc:
            return Result(False, str(exc), permanent=True)
        return self._notify(url, title, body, secrets_=(url, outgoing.target))

    def _notify(self, url: str, title: str, body: str, secrets_: Sequence[str]) -> Result:
        apprise = load_apprise()
        # Sequential mode: the plugin runs (and logs) in our worker thread, so its log
        # lines can be told apart from other deliveries' and the timeout covers it.
        box = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
        if not box.add(url):
            return Result(False, "Apprise does not understand this URL", permanent=True)
        outcome: dict[str, Any] = {}

        def run() -> None:
            _DELIVERY.set(name)
            try:
                outcome["ok"] = bool(
                    box.notify(body=body, title=title, body_format=apprise.NotifyFormat.MARKDOWN)
                )
            except Exception as exc:  # an Apprise plugin bug must not kill the worker
                outcome["error"] = f"{type(exc).__name__}: {exc}"

        name = f"apprise-notify-{next(_THREAD_NUMBERS)}"
        # A daemon thread: a stuck notify is abandoned, never waited for at exit.
        worker = threading.Thread(target=run, name=name, daemon=True)
        apprise_log = logging.getLogger("apprise")
        handler = _ThreadLogs(name)
        apprise_log.addHandler(handler)
        try:
            worker.start()
            worker.join(self.timeout)
        finally:
            apprise_log.removeHandler(handler)
        if worker.is_alive():
            return Result(False, f"no answer within {self.timeout:g} seconds")
        if outcome.get("ok"):
            return Result(True)
        detail = outcome.get("error") or "; ".join(handler.lines) or "no details logged"
        return Result(False, redact(f"Apprise could not deliver: {detail}", secrets_))

    def close(self) -> None:
        """Nothing to release: Apprise opens its connections per message."""


def register_senders() -> None:
    """Register the email, SMS and chat senders with the dispatcher."""
    register_sender([Channel.EMAIL], EmailSender)
    register_sender(
        [
            Channel.SMS,
            Channel.SLACK,
            Channel.TEAMS,
            Channel.DISCORD,
            Channel.GOOGLECHAT,
            Channel.APPRISE,
        ],
        AppriseSender,
    )
