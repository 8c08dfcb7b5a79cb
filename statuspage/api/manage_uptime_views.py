"""Statuspage Manage API v1 (P1): uptime of a component or a component group over a date range.

The numbers come from the same uptime maths as the public page (statuspage.components.uptime):
calendar days in the page's time zone, major outage counts fully as down, partial outage at
UPTIME_PARTIAL_WEIGHT, degraded and maintenance as up, no data before a component's start date.

Choices the reference leaves open:
- `start`/`end` are dates (YYYY-MM-DD; a bare year or YYYY-MM means its first day for start
  and its last day for end); a time after the date is ignored. Both are inclusive.
- Without `end`, the range ends today; without `start`, it covers UPTIME_DAYS days (as the
  public page) or starts at the component's start date if that is later.
- An end in the future is cut to today and a start before the component's start date moves
  to that date; each says so in `warnings`. A range longer than a year, an end before the
  start or a start in the future answer 422.
- `uptime_percentage` has two decimals and, like the public page, never shows 100.0 for a
  range with downtime; it is null when the range has no data. `major_outage` and
  `partial_outage` are whole seconds.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, current_app, request
from flask_babel import gettext as _

from ..clock import utcnow
from ..components.models import Component
from ..components.queries import _component_read, status_histories, uptime_days
from ..components.uptime import day_bounds, overall_uptime
from ..errors import ValidationError
from ..incidents.queries import incidents_affecting
from ..themes.render import current_page
from .manage_views import _component, _group, _json, route
from .v2_format import Json

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class _Uptime:
    ratio: float | None
    major_seconds: int
    partial_seconds: int


def _date_arg(name: str, *, at_end: bool) -> date | None:
    """Read a date query argument: YYYY-MM-DD, or YYYY-MM / YYYY for a month or a year."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 4:
            year = int(raw)
            return date(year, 12, 31) if at_end else date(year, 1, 1)
        if len(raw) == 7:
            year, month = int(raw[:4]), int(raw[5:])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if at_end else 1)
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValidationError(
            {name: _("%(value)r is not a date; give YYYY-MM-DD, e.g. 2026-11-01.", value=raw)}
        ) from None


def _range(first_day: date | None, today: date) -> tuple[date, date, list[str]]:
    """Return the checked range (inclusive) and the warnings about adjusting it."""
    start = _date_arg("start", at_end=False)
    end = _date_arg("end", at_end=True)
    warnings: list[str] = []
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": _("The end date must be on or after the start date.")})
    if start is not None and ((end or today) - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(
            {"end": _("The range can be at most one year (%(count)d days).", count=MAX_RANGE_DAYS)}
        )
    if start is not None and start > today:
        raise ValidationError({"start": _("The start date is in the future.")})
    if end is None:
        end = today
    elif end > today:
        warnings.append(_("The end date is in the future; the range ends today instead."))
        end = today
    if start is None:
        days = int(current_app.config.get("UPTIME_DAYS", 90))
        start = end - timedelta(days=days - 1)
        if first_day is not None and start < first_day <= end:
            start = first_day
    elif first_day is not None and start < first_day:
        warnings.append(
            _(
                "The start date is before the start date of the component (%(date)s); "
                "the range starts then instead.",
                date=first_day.isoformat(),
            )
        )
        start = min(first_day, end)
    return start, end, warnings


def _measure(component: Component, days: Sequence[date]) -> _Uptime:
    """Run the public page's uptime maths for one component over the given local days."""
    tz = current_page().zone
    weight = float(current_app.config.get("UPTIME_PARTIAL_WEIGHT", 0.3))
    read = _component_read(component, component.group.public_id if component.group else None)
    history = status_histories([component.id], day_bounds(days[0], tz)[0])[component.id]
    per_day = uptime_days(read, history, days=days, tz=tz, now=utcnow(), partial_weight=weight)
    return _Uptime(
        ratio=overall_uptime(per_day, weight),
        major_seconds=round(sum(d.down_minutes for d in per_day if d.has_data) * 60),
        partial_seconds=round(sum(d.partial_minutes for d in per_day if d.has_data) * 60),
    )


def _percentage(ratio: float | None) -> float | None:
    if ratio is None:
        return None
    # As the public page: a range with any downtime never rounds up to 100%.
    if ratio < 1.0:
        ratio = min(ratio, 0.99994)
    return round(ratio * 100, 2)


def _uptime_object(
    object_id: str, name: str, members: Sequence[Component], warnings: list[str]
) -> Json:
    """Measure members over the requested range; several members are averaged."""
    tz = current_page().zone
    today = utcnow().astimezone(tz).date()
    known = [c.start_date for c in members if c.start_date is not None]
    # The range may start no earlier than the first member has data.
    first_day = min(known) if members and len(known) == len(members) else None
    start, end, range_warnings = _range(first_day, today)
    warnings = warnings + range_warnings
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    measured = [_measure(c, days) for c in members]
    with_data = [m for m in measured if m.ratio is not None]
    if members and not with_data:
        warnings.append(_("There is no uptime data in this range."))
    count = len(with_data)
    ratio = sum(m.ratio or 0.0 for m in with_data) / count if count else None
    range_start = day_bounds(start, tz)[0]
    # The whole last day: an incident opened this very second is in range too.
    range_end = day_bounds(end, tz)[1]
    events = incidents_affecting([c.id for c in members], range_start, range_end)
    related = {e.public_id: e.name for e in events}
    return {
        "id": object_id,
        "name": name,
        "range_start": start.isoformat(),
        "range_end": end.isoformat(),
        "uptime_percentage": _percentage(ratio),
        "major_outage": round(sum(m.major_seconds for m in with_data) / count) if count else 0,
        "partial_outage": round(sum(m.partial_seconds for m in with_data) / count) if count else 0,
        "warnings": warnings,
        "related_events": [{"id": i, "name": n} for i, n in related.items()],
    }


@route("/pages/<page_id>/components/<component_id>/uptime", ["GET"])
def component_uptime(page_id: str, component_id: str) -> Response:
    """Return a component's uptime between `start` and `end` (dates, inclusive)."""
    component = _component(component_id)
    return _json(_uptime_object(component.public_id, component.name, [component], []))


@route("/pages/<page_id>/component-groups/<group_id>/uptime", ["GET"])
def group_uptime(page_id: str, group_id: str) -> Response:
    """Return a group's uptime: the average over its components (outage seconds averaged too)."""
    group = _group(group_id)
    members = sorted(group.components, key=lambda c: (c.position, c.id))
    warnings = [] if members else [_("This group has no components, so it has no uptime.")]
    return _json(_uptime_object(group.public_id, group.name, members, warnings))
