"""Locale-aware text for times, durations and percentages (Babel, page time zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.units import format_unit
from flask import has_request_context
from flask_babel import format_decimal, format_percent, format_timedelta, get_locale

from ..clock import utcnow
from .viewmodels import DateView, TimeView


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def iso_utc(at: datetime) -> str:
    """Return an aware datetime as ISO 8601 in UTC with a Z suffix."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def datetime_text(at: datetime, tz: ZoneInfo) -> str:
    """Return date and time in the zone, e.g. "Nov 25, 2026, 1:05 PM CET"."""
    local = at.astimezone(tz)
    locale = _locale()
    day = babel_format_date(local.date(), "medium", locale=locale)
    clock = babel_format_time(local, "short", tzinfo=tz, locale=locale)
    pattern = str(locale.datetime_formats.get("medium", "{1} {0}"))
    return f"{pattern.replace('{1}', day).replace('{0}', clock)} {local.tzname()}"


def time_view(at: datetime, tz: ZoneInfo) -> TimeView:
    """Return an instant for a <time> element."""
    return TimeView(iso=iso_utc(at), text=datetime_text(at, tz))


def date_text(day: date, form: str = "medium") -> str:
    """Return a calendar day in the current locale."""
    return babel_format_date(day, form, locale=_locale())


def date_view(day: date) -> DateView:
    """Return a calendar day for a <time> element."""
    return DateView(iso=day.isoformat(), text=date_text(day))


def month_label(year: int, month: int) -> str:
    """Return "November 2026" in the current locale."""
    return babel_format_date(date(year, month, 1), "MMMM y", locale=_locale())


def percent_text(ratio: float | None) -> str | None:
    """Return a ratio as a percentage with two decimals, e.g. "99.95%"."""
    if ratio is None:
        return None
    # Never show 100.00% for a period that had some downtime.
    if ratio < 1.0:
        ratio = min(ratio, 0.99994)
    return format_percent(ratio, format="#,##0.00%")


def minutes_text(minutes: float) -> str:
    """Return a number of minutes as "1 hr 5 min" in the current locale."""
    total = max(1, round(minutes))
    hours, mins = divmod(total, 60)
    locale = _locale()
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=locale))
    if mins or not hours:
        parts.append(format_unit(mins, "duration-minute", length="short", locale=locale))
    return " ".join(parts)


def duration_text(delta: timedelta) -> str:
    """Return how long something lasted: precise under two days, rounded beyond."""
    if delta < timedelta(minutes=1):
        return format_timedelta(delta, granularity="second")
    if delta < timedelta(days=2):
        return minutes_text(delta.total_seconds() / 60)
    return format_timedelta(delta, threshold=1.5)


def relative_text(at: datetime, now: datetime) -> str:
    """Return how long ago (or in how long) at is, e.g. "12 minutes ago", in the locale."""
    return format_timedelta(at - now, add_direction=True, threshold=1.5)


def number_text(value: float) -> str:
    """Return a number with the locale's separators, e.g. "12,345" or "12.345"."""
    return format_decimal(value)


def register_filters(env: Any) -> None:
    """Install the formatting filters (and lang/dir helpers) every template uses."""

    def page_zone() -> ZoneInfo:
        # Pages and the console show the page's zone; mail is rendered outside any request.
        from ..themes.render import current_page

        return current_page().zone if has_request_context() else ZoneInfo("UTC")

    def datetime_filter(at: datetime | None) -> str:
        return datetime_text(at, page_zone()) if at else ""

    def date_filter(day: date | None, form: str = "medium") -> str:
        return date_text(day, form) if day else ""

    def duration_filter(delta: timedelta | None) -> str:
        return duration_text(delta) if delta is not None else ""

    def reltime_filter(at: datetime | None, now: datetime | None = None) -> str:
        return relative_text(at, now or utcnow()) if at else ""

    from ..i18n import html_lang, text_direction

    # Globals, not a context processor: mail templates render without a request.
    env.globals.update(html_lang=html_lang, text_direction=text_direction)
    env.filters.update(
        {
            "datetime_text": datetime_filter,
            "date_text": date_filter,
            "number": number_text,
            "percent": percent_text,
            "duration": duration_filter,
            "reltime": reltime_filter,
        }
    )


def weekday_names(first_weekday: int) -> tuple[tuple[str, str], ...]:
    """Return (abbreviated, full) weekday names starting at first_weekday (0 = Monday)."""
    days = _locale().days["format"]
    order = [(first_weekday + i) % 7 for i in range(7)]
    return tuple((str(days["abbreviated"][d]), str(days["wide"][d])) for d in order)


def first_weekday() -> int:
    """Return the locale's first day of the week (0 = Monday)."""
    return int(_locale().first_week_day)
