"""Crash test: SIGKILL a worker in the middle of a fan-out; another finishes it, nothing lost."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.services import create_incident
from statuspage.notifications.models import DeliveryState
from statuspage.notifications.queries import delivery_report, events_for_update
from statuspage.subscribers.models import Channel, Scope, Subscriber, SubscriberState

from .receiver import Receiver

SUBSCRIBERS = 2000
BATCH = 100
LEASE_SECONDS = 3

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    # A little latency per request, as real endpoints have, so the kill lands mid-fan-out.
    server = Receiver(delay=0.005).start()
    try:
        yield server
    finally:
        server.stop()


def _start_worker(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    env |= {
        "STATUSPAGE_DATABASE_URL": database_url,
        "STATUSPAGE_SECRET_KEY": "test",
        "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE": "1",
        "STATUSPAGE_DELIVERY_BATCH_SIZE": str(BATCH),
        "STATUSPAGE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from statuspage.cli import main; main()",
                "worker",
                "--interval",
                "0.2",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait(condition: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


# Several worker processes share a queue on PostgreSQL only (SQLite runs one worker).
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_killed_worker_mid_fan_out_loses_nothing(
    database: Any, database_url: str, app: Flask, receiver: Receiver, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    with app.app_context():
        api = create_component("API")
        db.session.execute(
            sa.insert(Subscriber),
            [
                {
                    "channel": Channel.WEBHOOK,
                    "target": f"{receiver.url}/s{n}",
                    "state": SubscriberState.ACTIVE,
                    "scope": Scope.ALL,
                    "webhook_secret_salt": secrets.token_hex(16),
                }
                for n in range(SUBSCRIBERS)
            ],
        )
        db.session.commit()
        incident = create_incident("Down", "investigating", "All hands.", {api: "major_outage"})
        update_id = incident.updates[0].public_id

    first = _start_worker(database_url, log)
    try:
        _wait(lambda: len(receiver.received) >= 500, 40, "the first 500 webhooks", log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=10)
    seen_at_kill = len(receiver.received)
    assert seen_at_kill < SUBSCRIBERS, "the fan-out finished before the kill"

    second = _start_worker(database_url, log)
    try:
        _wait(
            lambda: len({r.path for r in receiver.received}) >= SUBSCRIBERS,
            40,
            "every subscriber to receive the update",
            log,
        )
        time.sleep(0.5)  # let the last batch be recorded
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    finally:
        if second.poll() is None:
            second.kill()
            second.wait(timeout=10)

    per_path = Counter(r.path for r in receiver.received)
    assert len(per_path) == SUBSCRIBERS  # every subscriber received the update
    duplicates = sum(per_path.values()) - SUBSCRIBERS
    assert duplicates <= BATCH  # at most the batch that was in flight when the worker died
    # A repeat carries the same delivery key, so a receiver can drop it.
    keys = Counter(r.headers["X-Statuspage-Delivery"] for r in receiver.received)
    assert len(keys) == SUBSCRIBERS

    with app.app_context():
        [event] = events_for_update(update_id)
        report = delivery_report(event)
        assert report.totals[DeliveryState.SENT] == SUBSCRIBERS
        assert report.total == SUBSCRIBERS
        assert report.retried >= duplicates  # attempts > 1: the interrupted batch
        assert report.possible_duplicates >= duplicates
        assert report.retried > 0
