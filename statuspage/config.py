"""Configuration: defaults, then environment overrides prefixed STATUSPAGE_."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "STATUSPAGE_"

# Keys read from the environment, with the type they are parsed into.
_ENV_KEYS: dict[str, type] = {
    "ENV": str,
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "BASE_URL": str,
    "SMTP_URL": str,
    "SMTP_CONNECTIONS": int,
    "MAIL_FROM": str,
    "REDIS_URL": str,
    "WEBHOOK_ALLOW_PRIVATE": bool,
    "THEME": str,
    "UPTIME_PARTIAL_WEIGHT": float,
    "WORKER_INTERVAL": float,
    "WORKER_STALE_AFTER": float,
    "METRICS_BEARER_TOKEN": str,
    "API_RATE_LIMIT": str,
    "EXPORT_DIR": str,
    "PUBLIC_CACHE_SECONDS": float,
    "PUBLIC_CACHE_REBUILD_SECONDS": float,
    "SMS_APPRISE_URL": str,
    "NOTIFY_TIMEOUT": float,
    "DELIVERY_MAX_ATTEMPTS": int,
    "DELIVERY_BATCH_SIZE": int,
    "DELIVERY_LEASE_SECONDS": float,
    "STALE_COMPONENT_HOURS": float,
    "HOOKS_RATE_LIMIT": str,
    "HOOKS_MAX_BODY": int,
    "INTEGRATION_SECRET_OVERLAP_HOURS": float,
    "GRAFANA_SIGNATURE_HEADER": str,
    "GRAFANA_TIMESTAMP_HEADER": str,
    "UPDATE_DUE_MINUTES": str,
}


class Config:
    """Defaults for every deployment."""

    ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    BASE_URL = "http://127.0.0.1:8000"
    SMTP_URL: str | None = None
    # SMTP sessions each worker process keeps open and sends over in parallel threads.
    SMTP_CONNECTIONS = 8
    MAIL_FROM = "status@example.com"
    REDIS_URL: str | None = None
    WEBHOOK_ALLOW_PRIVATE = False
    THEME: str | None = None
    # Apprise URL of the SMS provider; {number} becomes the E.164 number.
    SMS_APPRISE_URL: str | None = None
    # Seconds one SMS or chat delivery (an Apprise notify) may take before it counts as failed.
    NOTIFY_TIMEOUT = 20.0
    # Partial-outage minutes count this much as downtime (DESIGN.md, uptime rule).
    UPTIME_PARTIAL_WEIGHT = 0.3
    UPTIME_DAYS = 90
    WORKER_INTERVAL = 1.0
    # /healthz reports the worker as stale after this many seconds without a heartbeat.
    WORKER_STALE_AFTER = 60.0
    # When set, /metrics requires "Authorization: Bearer <token>".
    METRICS_BEARER_TOKEN: str | None = None
    # When set, the worker re-exports the public site here after every public change.
    EXPORT_DIR: str | None = None
    # The delivery engine: dead after this many attempts; claims and plans this many rows
    # at a time; a claim not finished within the lease goes back to the queue.
    DELIVERY_MAX_ATTEMPTS = 8
    DELIVERY_BATCH_SIZE = 500
    DELIVERY_LEASE_SECONDS = 300.0
    # Messages per second per channel and worker process; a channel not listed is unpaced.
    DELIVERY_RATES: dict[str, float] = {"sms": 1.0}
    # Hard failures (permanent, or dead after retries) in a row before a subscriber is
    # quarantined; a success resets the count.
    DELIVERY_QUARANTINE_AFTER = 5
    # A worker tick spends at most this long planning, then as long sending.
    DELIVERY_TICK_BUDGET = 10.0
    # A component non-operational this long with no open incident reminds the communicator.
    STALE_COMPONENT_HOURS = 2.0
    # Minutes an active incident may go without a public update, per impact, e.g.
    # "critical=15,major=30" (impacts not named keep reminders.rules' defaults).
    UPDATE_DUE_MINUTES = ""
    HISTORY_PAGE_SIZE = 3  # months per history page
    # Public responses are rebuilt from the database at most this often per process (0: never
    # cached). Bounded: least recently used entries go first past either limit.
    PUBLIC_CACHE_SECONDS = 1.0
    PUBLIC_CACHE_REBUILD_SECONDS = 30.0
    PUBLIC_CACHE_MAX_ENTRIES = 2000
    PUBLIC_CACHE_MAX_BYTES = 64 * 1024 * 1024
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 1024 * 1024
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Page languages (translations/<code>); the first is the fallback when nothing else fits.
    LANGUAGES = ["en", "de", "fr", "es", "pt_BR", "it", "nl", "ja", "zh_Hans", "ar"]
    RATELIMIT_HEADERS_ENABLED = True
    # Requests per API key on the write APIs; over it: 429 with Retry-After.
    API_RATE_LIMIT = "300 per minute"
    # argon2id cost; the defaults are RFC 9106's low-memory profile. Tests lower them.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    # Failed and successful sign-ins share this budget per client address and per account.
    LOGIN_RATE_LIMIT = "10 per 5 minutes"
    # Public subscribing (page and POST /api/v2/subscribers.json share these budgets).
    SUBSCRIBE_RATE_LIMIT = "10 per hour"  # per client address
    SUBSCRIBE_TARGET_RATE_LIMIT = "3 per hour"  # per email, number or URL asked for
    SUBSCRIBE_CODE_RATE_LIMIT = "5 per hour"  # SMS code attempts per subscriber
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # Alert webhooks (/hooks/*): requests per integration, largest body in bytes, and how
    # long a rotated-out integration secret keeps working.
    HOOKS_RATE_LIMIT = "120 per minute"
    HOOKS_MAX_BODY = 1024 * 1024
    INTEGRATION_SECRET_OVERLAP_HOURS = 24.0
    # Grafana lets you name its HMAC headers; unset: both of Grafana's usual names are accepted.
    GRAFANA_SIGNATURE_HEADER: str | None = None
    GRAFANA_TIMESTAMP_HEADER: str | None = None


def _parse(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict: class defaults, environment, then explicit overrides."""
    values: dict[str, Any] = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    for key, kind in _ENV_KEYS.items():
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is not None and raw != "":
            try:
                values[key] = _parse(kind, raw)
            except ValueError as exc:
                raise RuntimeError(f"{ENV_PREFIX}{key}: cannot read {raw!r} ({exc})") from exc
    values.update(overrides or {})
    if not float(values.get("STALE_COMPONENT_HOURS") or 0) > 0:
        raise RuntimeError(f"{ENV_PREFIX}STALE_COMPONENT_HOURS: must be a number of hours above 0")
    _check_update_due(values)

    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "statuspage.sqlite3")
    values["SQLALCHEMY_DATABASE_URI"] = values["DATABASE_URL"]
    if values["DATABASE_URL"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing with "database is locked".
        values["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}

    if not values.get("SECRET_KEY"):
        if values["ENV"] == "production":
            raise RuntimeError(
                f"{ENV_PREFIX}SECRET_KEY is required when {ENV_PREFIX}ENV=production"
            )
        values["SECRET_KEY"] = _instance_secret(instance_path)
    values.setdefault("RATELIMIT_STORAGE_URI", values.get("REDIS_URL") or "memory://")
    values["SESSION_COOKIE_SECURE"] = str(values["BASE_URL"]).startswith("https://")
    return values


def _check_update_due(values: dict[str, Any]) -> None:
    """Refuse to start with an update-due setting nobody could have meant."""
    from .reminders.rules import parse_update_due

    raw = values.get("UPDATE_DUE_MINUTES") or ""
    try:
        parse_update_due(str(raw))
    except ValueError as exc:
        raise RuntimeError(f"{ENV_PREFIX}UPDATE_DUE_MINUTES: cannot read {raw!r} ({exc})") from exc


def _instance_secret(instance_path: str) -> str:
    """Return a development secret kept in the instance folder, creating it once."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
