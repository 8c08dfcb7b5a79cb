"""The one source of "now", so tests can freeze time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    if _now is not None:
        return _now()
    return datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Pin utcnow() to a fixed instant (None releases it)."""
    global _now
    if at is None:
        _now = None
        return
    if at.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    fixed = at.astimezone(UTC)
    _now = lambda: fixed  # noqa: E731
