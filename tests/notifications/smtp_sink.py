"""A real SMTP server (aiosmtpd) on loopback that records what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Delivered:
    """One accepted message: envelope and parsed content, and which session carried it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    session: int


@dataclass
class SmtpSink:
    """Accepts mail; recipients with `bounce` get 550, with `later` get 451."""

    messages: list[Delivered] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if "bounce" in address:
            return "550 5.1.1 No such user here"
        if "later" in address:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(
            Delivered(envelope.mail_from, list(envelope.rcpt_tos), parsed, id(session))
        )
        return "250 Message accepted"

    def start(self) -> SmtpSink:
        """Serve on a free loopback port in aiosmtpd's thread."""
        # aiosmtpd checks its own port after starting: it needs a concrete one, not 0.
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        self._controller.stop()

    @property
    def url(self) -> str:
        """The STATUSPAGE_SMTP_URL that reaches this sink."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def sessions(self) -> int:
        """How many SMTP sessions carried the accepted messages."""
        return len({m.session for m in self.messages})
