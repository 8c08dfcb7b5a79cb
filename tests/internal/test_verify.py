"""Signature and secret checks exactly as each source defines them (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from statuspage.internal.models import IntegrationKind
from statuspage.internal.verify import Outcome, verify

from .payloads import basic_auth, hmac_hex

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BODY = b'{"hello": "world"}'


def check(kind, headers, secrets=("s3cret",), body=BODY, now=NOW, **options):
    return verify(IntegrationKind(kind), headers, body, list(secrets), now, **options).outcome


def test_pagerduty_accepts_any_of_several_v1_signatures():
    good = hmac_hex("s3cret", BODY)
    other = hmac_hex("someone-else", BODY)
    assert check("pagerduty", {"X-PagerDuty-Signature": f"v1={good}"}) is Outcome.OK
    assert check("pagerduty", {"X-PagerDuty-Signature": f"v1={other}, v1={good}"}) is Outcome.OK
    # Header names are case-insensitive.
    assert check("pagerduty", {"x-pagerduty-signature": f"v1={other},v1={good}"}) is Outcome.OK


def test_pagerduty_refuses_wrong_missing_and_non_v1_signatures():
    assert check("pagerduty", {"X-PagerDuty-Signature": "v1=" + "0" * 64}) is Outcome.WRONG
    assert check("pagerduty", {}) is Outcome.MISSING
    assert check("pagerduty", {"X-PagerDuty-Signature": "v0=" + hmac_hex("s3cret", BODY)}) is (
        Outcome.WRONG
    )
    tampered = hmac_hex("s3cret", BODY + b" ")
    assert check("pagerduty", {"X-PagerDuty-Signature": f"v1={tampered}"}) is Outcome.WRONG


def test_two_secrets_during_rotation_both_verify():
    for secret in ("old", "new"):
        header = {"X-PagerDuty-Signature": f"v1={hmac_hex(secret, BODY)}"}
        assert check("pagerduty", header, secrets=("new", "old")) is Outcome.OK
    assert check("generic", {"X-Signature": "sha256=" + hmac_hex("old", BODY)}, ("new",)) is (
        Outcome.WRONG
    )


def test_grafana_hmac_with_timestamp_inside_and_outside_the_window():
    stamp = int(NOW.timestamp())
    signed = hmac_hex("s3cret", f"{stamp}:".encode() + BODY)
    headers = {"X-Grafana-Alerting-Signature": signed, "X-Grafana-Alerting-Timestamp": str(stamp)}
    assert check("grafana", headers) is Outcome.OK
    assert check("grafana", headers, now=NOW + timedelta(minutes=4, seconds=59)) is Outcome.OK
    assert check("grafana", headers, now=NOW + timedelta(minutes=5, seconds=1)) is Outcome.WRONG
    assert check("grafana", headers, now=NOW - timedelta(minutes=6)) is Outcome.WRONG
    # The timestamp is part of what is signed: changing it breaks the signature.
    moved = {**headers, "X-Grafana-Alerting-Timestamp": str(stamp + 1)}
    assert check("grafana", moved) is Outcome.WRONG


def test_grafana_hmac_without_timestamp_and_the_older_header_name():
    assert check("grafana", {"X-Grafana-Alert-Signature": hmac_hex("s3cret", BODY)}) is Outcome.OK


def test_grafana_configured_header_names():
    stamp = int(NOW.timestamp())
    headers = {
        "X-My-Sig": hmac_hex("s3cret", f"{stamp}:".encode() + BODY),
        "X-My-Time": str(stamp),
    }
    options = {"grafana_signature_header": "X-My-Sig", "grafana_timestamp_header": "X-My-Time"}
    assert check("grafana", headers, **options) is Outcome.OK
    # With a configured name, the default names are not read.
    assert check("grafana", {"X-Grafana-Alert-Signature": hmac_hex("s3cret", BODY)}, **options) is (
        Outcome.MISSING
    )


def test_grafana_basic_auth_or_bearer_instead_of_hmac():
    assert check("grafana", basic_auth("s3cret")) is Outcome.OK
    assert check("grafana", {"Authorization": "Bearer s3cret"}) is Outcome.OK
    assert check("grafana", {"Authorization": "Bearer nope"}) is Outcome.WRONG


def test_alertmanager_bearer_or_basic_auth():
    assert check("alertmanager", {"Authorization": "Bearer s3cret"}) is Outcome.OK
    assert check("alertmanager", basic_auth("s3cret")) is Outcome.OK
    assert check("alertmanager", basic_auth("wrong")) is Outcome.WRONG
    assert check("alertmanager", {"Authorization": "Basic !!!"}) is Outcome.WRONG
    assert check("alertmanager", {}) is Outcome.MISSING


def test_opsgenie_secret_header():
    assert check("opsgenie", {"X-Webhook-Secret": "s3cret"}) is Outcome.OK
    assert check("opsgenie", {"X-Webhook-Secret": "s3cret "}) is Outcome.WRONG
    assert check("opsgenie", {}) is Outcome.MISSING


def test_generic_sha256_signature():
    good = {"X-Signature": "sha256=" + hmac_hex("s3cret", BODY)}
    assert check("generic", good) is Outcome.OK
    assert check("generic", {"X-Signature": hmac_hex("s3cret", BODY)}) is Outcome.WRONG
    assert check("generic", {"X-Signature": "sha1=abc"}) is Outcome.WRONG
    assert check("generic", {}) is Outcome.MISSING


def test_no_valid_secret_refuses_everything():
    assert check("alertmanager", {"Authorization": "Bearer "}, secrets=()) is Outcome.WRONG
