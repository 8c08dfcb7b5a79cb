"""Measure the public response cache: requests per second for /, cold (no cache) and warm.

Usage: .venv/bin/python bench/public_cache.py [REQUESTS]

Runs in-process through Flask's test client on a throwaway SQLite database with the demo
data, so it measures the app, not the network. Prints requests/s with the cache off
(PUBLIC_CACHE_SECONDS=0, every request reads the database) and on (warm hits), and the
front page's size plain and gzipped.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from statuspage import create_app


def _app(url: str, seconds: float) -> Flask:
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_CACHE_SECONDS": seconds})


def _rate(app: Flask, path: str, count: int, headers: dict[str, str]) -> float:
    client = app.test_client()
    client.get(path, headers=headers)  # warm up
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
    return count / (time.perf_counter() - started)


def main(count: int) -> None:
    """Print the numbers."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        setup = _app(url, 0)
        with setup.app_context():
            upgrade()
            from statuspage.demo import load_demo

            load_demo()
        for path in ("/", "/api/v2/summary.json"):
            off = _rate(_app(url, 0), path, max(1, count // 20), {})
            on = _rate(_app(url, 1.0), path, count, {})
            on_gz = _rate(_app(url, 1.0), path, count, {"Accept-Encoding": "gzip"})
            print(
                f"{path}: cache off {off:8.1f} req/s, "
                f"warm {on:8.1f} req/s, warm+gzip {on_gz:8.1f} req/s"
            )
        client = _app(url, 1.0).test_client()
        plain = len(client.get("/").data)
        packed = len(client.get("/", headers={"Accept-Encoding": "gzip"}).data)
        print(f"front page: {plain} bytes, {packed} bytes gzipped")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
