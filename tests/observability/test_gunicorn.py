"""The shipped gunicorn.conf.py: several worker processes, one /metrics that sums them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Connection": "close"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Run gunicorn -c gunicorn.conf.py with two workers on a fresh SQLite database."""
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")},
        "STATUSPAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATUSPAGE_SECRET_KEY": "gunicorn-test",
        "STATUSPAGE_BIND": f"127.0.0.1:{port}",
        "STATUSPAGE_WORKERS": "2",
        "STATUSPAGE_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    subprocess.run(  # noqa: S603
        [str(BIN / "statuspage"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield base, metrics_dir
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _answered(text: str, endpoint: str) -> float:
    pattern = (
        r'^statuspage_http_requests_total\{endpoint="' + re.escape(endpoint) + r'",'
        r'method="GET",status="200"\} (\S+)$'
    )
    return sum(float(value) for value in re.findall(pattern, text, flags=re.M))


def test_metrics_count_the_requests_of_every_worker_process(served):
    base, metrics_dir = served
    sent = 0
    writers: set[str] = set()
    deadline = time.monotonic() + 60  # the second process may still be starting
    while len(writers) < 2 and time.monotonic() < deadline:
        for _ in range(10):  # a new connection each: the kernel spreads them over both
            status, _body = _get(base + "/api/v2/status.json")
            assert status == 200
            sent += 1
        writers = {p.name.split("_")[-1] for p in metrics_dir.glob("counter_*.db")}
    assert len(writers) == 2, f"expected two worker processes to have answered, saw {writers}"
    # Whichever process answers a scrape, it reports every process's requests.
    for _ in range(4):
        _status, text = _get(base + "/metrics")
        assert _answered(text, "api_v2.status") == sent
        assert "statuspage_database_up 1.0" in text
