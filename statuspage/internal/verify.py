"""Check that a webhook request comes from its source, as each source defines it (pure).

Every check compares in constant time and accepts any of the integration's current
secrets (two during a rotation). A request without credentials is MISSING (401); one
with wrong credentials, a bad signature or a stale timestamp is WRONG (403).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .models import IntegrationKind

GRAFANA_WINDOW = timedelta(minutes=5)
# Header names (Grafana's are configurable on its side: STATUSPAGE_GRAFANA_SIGNATURE_HEADER).
PAGERDUTY_SIGNATURE = "X-PagerDuty-Signature"
GRAFANA_SIGNATURE_HEADERS = ("X-Grafana-Alerting-Signature", "X-Grafana-Alert-Signature")
GRAFANA_TIMESTAMP_HEADERS = ("X-Grafana-Alerting-Timestamp", "X-Grafana-Alert-Timestamp")
SECRET_HEADER = "X-Webhook-Secret"  # noqa: S105 (a header name)
GENERIC_SIGNATURE = "X-Signature"


class Outcome(StrEnum):
    """Result of a verification."""

    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"


@dataclass(frozen=True)
class Verdict:
    """An outcome and, when refused, why (for the log and the JSON answer)."""

    outcome: Outcome
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Say whether the request is authentic."""
        return self.outcome is Outcome.OK


OK = Verdict(Outcome.OK)


def hmac_hex(secret: str, message: bytes) -> str:
    """Return hex HMAC-SHA256 of message under secret."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().lower().encode(), expected.lower().encode())


def _matches_any(given: str, secrets: Sequence[str]) -> bool:
    found = False
    for secret in secrets:
        # No short-circuit: every secret is compared, so timing says nothing about which.
        found |= hmac.compare_digest(given.encode(), secret.encode())
    return found


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    # HTTP header names are case-insensitive.
    return {str(k).lower(): v for k, v in headers.items()}


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name.lower())
        if value:
            return value
    return None


def _bearer_or_basic(headers: Mapping[str, str]) -> str | None:
    """Return the token of "Bearer <token>", or the password of HTTP basic auth."""
    value = headers.get("authorization") or ""
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    if scheme.lower() == "basic" and credentials.strip():
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return None


def verify_token(headers: Mapping[str, str], secrets: Sequence[str]) -> Verdict:
    """Accept a bearer token, basic-auth password or X-Webhook-Secret equal to a secret."""
    headers = _lower(headers)
    given = _bearer_or_basic(headers)
    if given is None:
        given = _header(headers, SECRET_HEADER)
    if given is None:
        return Verdict(Outcome.MISSING, "no Authorization or X-Webhook-Secret header")
    if not _matches_any(given, secrets):
        return Verdict(Outcome.WRONG, "the credentials do not match")
    return OK


def verify_pagerduty(headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> Verdict:
    """Accept if any v1= signature in X-PagerDuty-Signature is HMAC-SHA256(secret, body)."""
    header = _header(_lower(headers), PAGERDUTY_SIGNATURE)
    if not header:
        return Verdict(Outcome.MISSING, f"no {PAGERDUTY_SIGNATURE} header")
    given = [
        part.strip()[3:] for part in header.split(",") if part.strip().lower().startswith("v1=")
    ]
    if not given:
        return Verdict(Outcome.WRONG, "no v1= signature")
    expected = [hmac_hex(secret, body) for secret in secrets]
    found = False
    for signature in given:
        for digest in expected:
            found |= _equal(signature, digest)
    return OK if found else Verdict(Outcome.WRONG, "no signature matches")


def verify_grafana(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    *,
    signature_headers: Sequence[str] = GRAFANA_SIGNATURE_HEADERS,
    timestamp_headers: Sequence[str] = GRAFANA_TIMESTAMP_HEADERS,
) -> Verdict:
    """Accept Grafana's HMAC (with timestamp, within ±5 minutes) or a bearer/basic secret."""
    headers = _lower(headers)
    signature = _header(headers, *signature_headers)
    if signature is None:
        return verify_token(headers, secrets)
    timestamp = _header(headers, *timestamp_headers)
    message = body
    if timestamp is not None:
        try:
            sent = datetime.fromtimestamp(int(timestamp.strip()), now.tzinfo)
        except (ValueError, OverflowError, OSError):
            return Verdict(Outcome.WRONG, "the timestamp is not Unix seconds")
        if abs(now - sent) > GRAFANA_WINDOW:
            return Verdict(Outcome.WRONG, "the timestamp is outside the 5 minute window")
        message = timestamp.strip().encode() + b":" + body
    found = False
    for secret in secrets:
        found |= _equal(signature, hmac_hex(secret, message))
    return OK if found else Verdict(Outcome.WRONG, "the signature does not match")


def verify_generic(headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> Verdict:
    """Accept X-Signature: sha256=<hex HMAC-SHA256(secret, body)>."""
    header = _header(_lower(headers), GENERIC_SIGNATURE)
    if not header:
        return Verdict(Outcome.MISSING, f"no {GENERIC_SIGNATURE} header")
    scheme, sep, signature = header.strip().partition("=")
    if not sep or scheme.lower() != "sha256":
        return Verdict(Outcome.WRONG, "the signature must be sha256=<hex>")
    found = False
    for secret in secrets:
        found |= _equal(signature, hmac_hex(secret, body))
    return OK if found else Verdict(Outcome.WRONG, "the signature does not match")


def verify(
    kind: IntegrationKind,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    *,
    grafana_signature_header: str | None = None,
    grafana_timestamp_header: str | None = None,
) -> Verdict:
    """Verify a request for an integration of this kind against its current secrets."""
    if not secrets:
        return Verdict(Outcome.WRONG, "the integration has no valid secret")
    if kind is IntegrationKind.PAGERDUTY:
        return verify_pagerduty(headers, body, secrets)
    if kind is IntegrationKind.GRAFANA:
        return verify_grafana(
            headers,
            body,
            secrets,
            now,
            signature_headers=(grafana_signature_header,)
            if grafana_signature_header
            else GRAFANA_SIGNATURE_HEADERS,
            timestamp_headers=(grafana_timestamp_header,)
            if grafana_timestamp_header
            else GRAFANA_TIMESTAMP_HEADERS,
        )
    if kind is IntegrationKind.GENERIC:
        return verify_generic(headers, body, secrets)
    # Alertmanager and Opsgenie sign nothing: a bearer token / basic auth / secret header.
    return verify_token(headers, secrets)
