"""The webhook HTTP client: 2xx only, no redirects, timeouts, and no private addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from statuspage.notifications.safe_http import post
from statuspage.notifications.signing import sign, verify, webhook_headers

from .receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def test_delivers_signed_body_to_loopback_when_private_is_allowed(receiver: Receiver) -> None:
    body = json.dumps({"page": {"id": "p"}}).encode()
    headers = webhook_headers(body, "s3cret", "incident.updated", "delivery-1")
    outcome = post(receiver.url + "/hook", body, headers, allow_private=True)
    assert outcome.ok, outcome.error
    assert outcome.status == 200
    [got] = receiver.received
    assert got.body == body
    assert got.headers["X-Statuspage-Event"] == "incident.updated"
    assert got.headers["X-Statuspage-Delivery"] == "delivery-1"
    assert verify(got.body, "s3cret", got.headers["X-Statuspage-Signature"])
    assert not verify(got.body, "other", got.headers["X-Statuspage-Signature"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://localhost:{port}/hook",  # a name that resolves to loopback
        "http://[::1]:{port}/hook",
        "http://10.1.2.3:{port}/hook",
        "http://192.168.0.10:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0:{port}/",
    ],
)
def test_private_and_loopback_targets_are_refused(receiver: Receiver, url: str) -> None:
    port = receiver.url.rsplit(":", 1)[1]
    outcome = post(url.format(port=port), b"{}", {}, timeout=2)
    assert not outcome.ok
    assert outcome.status is None
    assert outcome.error is not None
    assert "refused" in outcome.error or "could not connect" in outcome.error
    assert receiver.received == []  # nothing reached the receiver


def test_redirect_is_a_failure_and_not_followed(receiver: Receiver) -> None:
    receiver.answer = lambda path: (
        (302, {"Location": receiver.url + "/elsewhere"}) if path == "/hook" else (200, {})
    )
    outcome = post(receiver.url + "/hook", b"{}", {}, allow_private=True)
    assert not outcome.ok
    assert outcome.status == 302
    assert outcome.error is not None
    assert "not followed" in outcome.error
    assert [r.path for r in receiver.received] == ["/hook"]


def test_non_2xx_is_a_failure(receiver: Receiver) -> None:
    receiver.answer = lambda path: (500, {})
    outcome = post(receiver.url + "/hook", b"{}", {}, allow_private=True)
    assert not outcome.ok
    assert outcome.error == "HTTP 500"


def test_slow_receiver_times_out(receiver: Receiver) -> None:
    receiver.delay = 1.5
    outcome = post(receiver.url + "/hook", b"{}", {}, allow_private=True, timeout=0.5)
    assert not outcome.ok
    assert outcome.error == "no answer within 0.5 seconds"


def test_unreachable_port_is_a_connection_error() -> None:
    outcome = post("http://127.0.0.1:9/", b"{}", {}, allow_private=True, timeout=2)
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("could not connect")


def test_signature_header_format() -> None:
    value = sign(b"abc", "k")
    assert value.startswith("v1=")
    assert len(value) == 3 + 64
    assert verify(b"abc", "k", f"v1=deadbeef, {value}")
    assert not verify(b"abd", "k", value)
