"""Webhook signatures: `X-Statuspage-Signature: v1=<hex HMAC-SHA256 of the raw body>`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Statuspage-Signature"
EVENT_HEADER = "X-Statuspage-Event"
DELIVERY_HEADER = "X-Statuspage-Delivery"
_VERSION = "v1="


def sign(body: bytes, secret: str) -> str:
    """Return the signature header value for body under the subscriber's secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{_VERSION}{digest}"


def verify(body: bytes, secret: str, header: str) -> bool:
    """Tell whether any `v1=` value in header signs body with secret (constant time)."""
    expected = sign(body, secret)
    candidates = [part.strip() for part in header.split(",")]
    return any(hmac.compare_digest(expected, c) for c in candidates if c.startswith(_VERSION))


def webhook_headers(body: bytes, secret: str, event: str, delivery_key: str) -> dict[str, str]:
    """Return the headers of one webhook POST: type, signature, event and delivery key."""
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, secret),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_key,
    }
