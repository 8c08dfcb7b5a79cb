"""Uptime maths over a component's status history (pure, no I/O).

A day is a calendar day in the page's time zone. Major-outage minutes count
fully as down, partial-outage minutes at ``partial_weight`` (0.3 by default),
degraded and maintenance minutes count as up. Days before the component's
start date, and the part of today still to come, have no data.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import ComponentStatus
from .rollup import status_severity


@dataclass(frozen=True)
class DayUptime:
    """Uptime of one component on one local day."""

    day: date
    has_data: bool
    uptime: float | None
    down_minutes: float = 0.0
    partial_minutes: float = 0.0
    degraded_minutes: float = 0.0
    maintenance_minutes: float = 0.0
    worst: ComponentStatus | None = None
    minutes: float = 0.0  # minutes of the day that have data


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a local calendar day (23 or 25 hours across DST)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def daily_uptime(
    changes: Sequence[tuple[datetime, ComponentStatus]],
    *,
    initial_status: ComponentStatus,
    start_date: date | None,
    days: Sequence[date],
    tz: ZoneInfo,
    now: datetime,
    partial_weight: float,
) -> list[DayUptime]:
    """Return per-day uptime for the given days from a sorted list of status changes."""
    instants = [at for at, _ in changes]
    return [
        _one_day(changes, instants, initial_status, start_date, day, tz, now, partial_weight)
        for day in days
    ]


def _one_day(
    changes: Sequence[tuple[datetime, ComponentStatus]],
    instants: list[datetime],
    initial_status: ComponentStatus,
    start_date: date | None,
    day: date,
    tz: ZoneInfo,
    now: datetime,
    partial_weight: float,
) -> DayUptime:
    start, end = day_bounds(day, tz)
    end = min(end, now)
    if (start_date is not None and day < start_date) or end <= start:
        return DayUptime(day=day, has_data=False, uptime=None)

    # The status in force at the start of the day, then every change inside it.
    i = bisect_right(instants, start)
    status = ComponentStatus(changes[i - 1][1]) if i else ComponentStatus(initial_status)
    minutes = {s: 0.0 for s in ComponentStatus}
    worst = status
    cursor = start
    while i < len(changes) and changes[i][0] < end:
        at, new = changes[i]
        minutes[status] += (at - cursor).total_seconds() / 60
        cursor, status = at, ComponentStatus(new)
        if status_severity(status) > status_severity(worst):
            worst = status
        i += 1
    minutes[status] += (end - cursor).total_seconds() / 60

    total = (end - start).total_seconds() / 60
    down = minutes[ComponentStatus.MAJOR_OUTAGE]
    partial = minutes[ComponentStatus.PARTIAL_OUTAGE]
    uptime = max(0.0, 1.0 - (down + partial * partial_weight) / total)
    return DayUptime(
        day=day,
        has_data=True,
        uptime=uptime,
        down_minutes=down,
        partial_minutes=partial,
        degraded_minutes=minutes[ComponentStatus.DEGRADED_PERFORMANCE],
        maintenance_minutes=minutes[ComponentStatus.UNDER_MAINTENANCE],
        worst=worst,
        minutes=total,
    )


def overall_uptime(days: Sequence[DayUptime], partial_weight: float) -> float | None:
    """Return uptime over several days, weighted by minutes with data; None without data."""
    total = sum(d.minutes for d in days if d.has_data)
    if total <= 0:
        return None
    lost = sum(d.down_minutes + d.partial_minutes * partial_weight for d in days if d.has_data)
    return max(0.0, 1.0 - lost / total)


def last_days(today: date, count: int) -> list[date]:
    """Return the count days ending with today, oldest first."""
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]
