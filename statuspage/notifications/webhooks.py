"""The WEBHOOK channel: the Statuspage-compatible envelope, signed, POSTed in parallel."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from ..api.v2_format import timestamp
from ..clock import utcnow
from ..subscribers.models import Channel
from . import safe_http
from .dispatch import Outgoing, Result, register_sender
from .signing import webhook_headers

THREADS = 16
TIMEOUT = 30.0
# Client errors that may pass: the receiver was busy or asked us to slow down.
_RETRYABLE_4XX = {408, 429}


def envelope(message: Outgoing, base_url: str, documentation: str | None = None) -> dict[str, Any]:
    """Return the JSON body for one webhook: the event snapshot plus `meta` and `event`.

    The keys stay Statuspage's; the human text in them (incident name, update bodies,
    postmortem) is in the subscriber's language when the communicator translated it, and
    `meta.language` says which language the text is in.
    """
    context = dict(message.context)
    kind = str(context.pop("kind", ""))
    context.pop("update_id", None)
    translations = context.pop("translations", None)
    default = context.pop("default_language", None)
    language = _translate(context, translations, default, message.language)
    body: dict[str, Any] = {
        "meta": {
            "unsubscribe": message.unsubscribe_url,
            "documentation": documentation or f"{base_url.rstrip('/')}/api/openapi.json",
            "generated_at": timestamp(utcnow()),
        },
    }
    if language:
        body["meta"]["language"] = language
    body.update(context)
    body["event"] = kind
    return body


def _translate(
    context: dict[str, Any], translations: Any, default: Any, language: str | None
) -> str | None:
    """Put the subscriber-language texts into context's incident; return the text's language."""
    if not isinstance(default, str) or not default:
        return None
    wanted = (language or default).replace("-", "_")
    texts = translations.get(wanted) if isinstance(translations, dict) else None
    incident = context.get("incident")
    if wanted == default.replace("-", "_") or not isinstance(texts, dict):
        return default
    if not isinstance(incident, dict) or not texts.get("name"):
        return default  # what the message is about has no translation: all in the original
    incident = dict(incident)
    incident["name"] = texts["name"]
    if texts.get("postmortem_body") and incident.get("postmortem_body"):
        incident["postmortem_body"] = texts["postmortem_body"]
    bodies = texts.get("updates") or {}
    incident["incident_updates"] = [
        {**update, "body": bodies.get(str(update.get("id"))) or update.get("body")}
        if isinstance(update, dict)
        else update
        for update in incident.get("incident_updates") or []
    ]
    context["incident"] = incident
    return wanted


class WebhookSender:
    """POSTs a batch concurrently through the SSRF-safe client; 2xx only counts."""

    def __init__(self, app: Flask) -> None:
        self.allow_private = bool(app.config.get("WEBHOOK_ALLOW_PRIVATE"))
        self.base_url = str(app.config["BASE_URL"])
        # Where receivers read about the format (until a docs page exists: the API document).
        self.documentation = app.config.get("WEBHOOK_DOCUMENTATION_URL")
        self.timeout = float(app.config.get("WEBHOOK_TIMEOUT", TIMEOUT))
        self._pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="webhook")
        self._client = safe_http.Client(allow_private=self.allow_private, timeout=self.timeout)

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        """Send each message and answer one Result per message, in order."""
        return list(self._pool.map(self._send_one, batch))

    def _send_one(self, message: Outgoing) -> Result:
        if not message.secret:
            return Result(ok=False, error="no signing secret for this endpoint", permanent=True)
        payload = envelope(message, self.base_url, self.documentation)
        body = json.dumps(payload, separators=(",", ":")).encode()
        event = str(message.context.get("kind", ""))
        headers = webhook_headers(body, message.secret, event, message.key)
        outcome = self._client.post(message.target, body, headers)
        if outcome.ok:
            return Result(ok=True)
        status = outcome.status
        permanent = status is not None and 400 <= status < 500 and status not in _RETRYABLE_4XX
        if status is None and outcome.error and outcome.error.startswith("refused"):
            permanent = True  # a private address stays private
        return Result(ok=False, error=outcome.error, permanent=permanent)

    def close(self) -> None:
        """Stop the thread pool and close its connections."""
        self._pool.shutdown(wait=True)
        self._client.close()


def register() -> None:
    """Register the webhook sender for the WEBHOOK channel."""
    register_sender([Channel.WEBHOOK], WebhookSender)
