"""Response-time metrics of incidents and their monthly aggregates (pure, no I/O).

Every duration of an incident is measured from its *start*:

- start: the earliest ``started_at`` of the internal incidents (alerts) linked to the
  public incident, else the public incident's own ``started_at``;
- time to detect (TTD): start to the first alert event received for any linked internal
  incident (None without alert events);
- time to acknowledge (TTA): start to the first ``acknowledged_at`` among the linked
  internal incidents (None when none was acknowledged);
- time to first public update (TTFPU): start to the first published update of the public
  incident (its earliest ``display_at``);
- time to resolve (TTR): start to the public incident's ``resolved_at`` (None while open).

A moment recorded before the start (clocks of different tools disagree) counts as zero.
Monthly means (MTTA, MTTR, mean TTFPU) average the incidents that have that duration; an
incident counts in the month (page time zone) in which it started and under every
component it affected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class IncidentFacts:
    """The moments of one public incident and its linked internal incidents."""

    public_id: str
    name: str
    impact: str
    started_at: datetime
    resolved_at: datetime | None
    first_update_at: datetime | None
    component_ids: tuple[int, ...] = ()
    internal_started: tuple[datetime, ...] = ()
    internal_acknowledged: tuple[datetime, ...] = ()
    alerts_received: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class IncidentTimes:
    """One incident's start and its durations from that start (None: did not happen)."""

    facts: IncidentFacts
    start: datetime
    detect: timedelta | None
    acknowledge: timedelta | None
    first_update: timedelta | None
    resolve: timedelta | None


def _since(start: datetime, at: datetime | None) -> timedelta | None:
    if at is None:
        return None
    return max(at - start, timedelta(0))


def incident_times(facts: IncidentFacts) -> IncidentTimes:
    """Return an incident's start, TTD, TTA, TTFPU and TTR (see the module docstring)."""
    start = min(facts.internal_started) if facts.internal_started else facts.started_at
    return IncidentTimes(
        facts=facts,
        start=start,
        detect=_since(start, min(facts.alerts_received, default=None)),
        acknowledge=_since(start, min(facts.internal_acknowledged, default=None)),
        first_update=_since(start, facts.first_update_at),
        resolve=_since(start, facts.resolved_at),
    )


def mean(values: Iterable[timedelta | None]) -> timedelta | None:
    """Return the mean of the durations that are not None (None if there are none)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = sum(present, timedelta(0))
    return timedelta(seconds=round(total.total_seconds() / len(present)))


def month_of(at: datetime, tz: ZoneInfo) -> date:
    """Return the first day of the local month an instant falls in."""
    return at.astimezone(tz).date().replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Return the first days of the months from first to last, both included."""
    months = []
    cursor = first.replace(day=1)
    while cursor <= last:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class MonthStats:
    """One month of one component (component_id None: every component together)."""

    month: date
    component_id: int | None
    count: int
    mtta: timedelta | None
    mttr: timedelta | None
    mean_first_update: timedelta | None
    mean_detect: timedelta | None
    uptime: float | None = None
    incidents: tuple[IncidentTimes, ...] = field(default=(), repr=False)


def monthly_stats(
    times: Sequence[IncidentTimes],
    months: Sequence[date],
    component_ids: Sequence[int | None],
    tz: ZoneInfo,
    uptime: dict[tuple[date, int | None], float | None] | None = None,
) -> list[MonthStats]:
    """Return one MonthStats per (month, component), months outermost.

    component None collects every incident once, whatever it affected.
    """
    buckets: dict[tuple[date, int | None], list[IncidentTimes]] = defaultdict(list)
    for t in times:
        month = month_of(t.start, tz)
        buckets[(month, None)].append(t)
        for affected in set(t.facts.component_ids):
            buckets[(month, affected)].append(t)
    uptime = uptime or {}
    result = []
    for month in months:
        for cid in component_ids:
            found = buckets.get((month, cid), [])
            result.append(
                MonthStats(
                    month=month,
                    component_id=cid,
                    count=len(found),
                    mtta=mean(t.acknowledge for t in found),
                    mttr=mean(t.resolve for t in found),
                    mean_first_update=mean(t.first_update for t in found),
                    mean_detect=mean(t.detect for t in found),
                    uptime=uptime.get((month, cid)),
                    incidents=tuple(found),
                )
            )
    return result
