"""When the next public update of an incident is due (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

# Minutes without a public update before the communicator is reminded, per incident impact.
DEFAULT_UPDATE_DUE_MINUTES: dict[str, int] = {
    "critical": 15,
    "major": 30,
    "minor": 60,
    "none": 120,
    "maintenance": 120,
}


def parse_update_due(value: str) -> dict[str, int]:
    """Parse "critical=15,major=30" into minutes per impact; raise ValueError if malformed."""
    result = dict(DEFAULT_UPDATE_DUE_MINUTES)
    for part in filter(None, (p.strip() for p in value.split(","))):
        impact, sep, minutes = part.partition("=")
        impact = impact.strip()
        if not sep or impact not in DEFAULT_UPDATE_DUE_MINUTES:
            raise ValueError(f"update due minutes: {part!r} is not impact=minutes")
        try:
            number = int(minutes)
        except ValueError:
            raise ValueError(f"update due minutes: {minutes.strip()!r} is not a number") from None
        if not 1 <= number <= 7 * 24 * 60:
            raise ValueError(f"update due minutes for {impact} must be 1 to 10080")
        result[impact] = number
    return result


def update_interval(impact: str, due_minutes: Mapping[str, int] | None = None) -> timedelta:
    """Return how long an incident of this impact may go without a public update."""
    table = due_minutes or DEFAULT_UPDATE_DUE_MINUTES
    return timedelta(minutes=table.get(impact, DEFAULT_UPDATE_DUE_MINUTES["none"]))


def update_due_at(
    impact: str, last_public_update_at: datetime, due_minutes: Mapping[str, int] | None = None
) -> datetime:
    """Return when the next public update of an active incident is due."""
    return last_public_update_at + update_interval(impact, due_minutes)
