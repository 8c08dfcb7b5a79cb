"""Uptime maths: days in the page's zone, weights, start dates and DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from statuspage.components.models import ComponentStatus as S
from statuspage.components.uptime import daily_uptime, day_bounds, last_days, overall_uptime

UTCZ = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def days_for(changes, days, *, tz=UTCZ, start_date=None, weight=0.3, initial=S.OPERATIONAL):
    return daily_uptime(
        changes,
        initial_status=initial,
        start_date=start_date,
        days=days,
        tz=tz,
        now=NOW,
        partial_weight=weight,
    )


def test_no_history_is_fully_up():
    (day,) = days_for([], [date(2026, 11, 20)])
    assert day.has_data
    assert day.uptime == 1.0
    assert day.worst is S.OPERATIONAL


def test_major_outage_minutes_count_fully():
    changes = [(at(2026, 11, 20, 10), S.MAJOR_OUTAGE), (at(2026, 11, 20, 10, 36), S.OPERATIONAL)]
    (day,) = days_for(changes, [date(2026, 11, 20)])
    assert day.down_minutes == pytest.approx(36)
    assert day.uptime == pytest.approx(1 - 36 / 1440)
    assert day.worst is S.MAJOR_OUTAGE


def test_partial_outage_minutes_count_at_the_configured_weight():
    changes = [(at(2026, 11, 20, 0), S.PARTIAL_OUTAGE), (at(2026, 11, 20, 2), S.OPERATIONAL)]
    (day,) = days_for(changes, [date(2026, 11, 20)], weight=0.3)
    assert day.partial_minutes == pytest.approx(120)
    assert day.uptime == pytest.approx(1 - 0.3 * 120 / 1440)
    (heavier,) = days_for(changes, [date(2026, 11, 20)], weight=1.0)
    assert heavier.uptime == pytest.approx(1 - 120 / 1440)


def test_degraded_and_maintenance_count_as_up():
    changes = [
        (at(2026, 11, 20, 1), S.DEGRADED_PERFORMANCE),
        (at(2026, 11, 20, 3), S.UNDER_MAINTENANCE),
        (at(2026, 11, 20, 5), S.OPERATIONAL),
    ]
    (day,) = days_for(changes, [date(2026, 11, 20)])
    assert day.uptime == 1.0
    assert day.degraded_minutes == pytest.approx(120)
    assert day.maintenance_minutes == pytest.approx(120)
    assert day.worst is S.DEGRADED_PERFORMANCE


def test_days_before_start_date_have_no_data():
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
    result = days_for([], days, start_date=date(2026, 11, 19))
    assert [d.has_data for d in result] == [False, True, True]
    assert result[0].uptime is None
    assert overall_uptime(result, 0.3) == 1.0


def test_component_created_inside_the_window_only_counts_its_own_days():
    days = last_days(date(2026, 11, 24), 90)
    start = date(2026, 11, 15)
    changes = [(at(2026, 11, 20, 0), S.MAJOR_OUTAGE), (at(2026, 11, 21, 0), S.OPERATIONAL)]
    result = days_for(changes, days, start_date=start)
    with_data = [d for d in result if d.has_data]
    assert len(with_data) == 10
    # One whole day down out of ten, not out of ninety.
    assert overall_uptime(result, 0.3) == pytest.approx(0.9)


def test_outage_across_midnight_is_split_in_the_page_time_zone():
    # 22:30 -> 01:30 Berlin time (UTC+1 in November) is 21:30 -> 00:30 UTC.
    changes = [(at(2026, 11, 19, 21, 30), S.MAJOR_OUTAGE), (at(2026, 11, 20, 0, 30), S.OPERATIONAL)]
    berlin = days_for(changes, [date(2026, 11, 19), date(2026, 11, 20)], tz=BERLIN)
    assert [d.down_minutes for d in berlin] == [pytest.approx(90), pytest.approx(90)]
    utc = days_for(changes, [date(2026, 11, 19), date(2026, 11, 20)], tz=UTCZ)
    assert [d.down_minutes for d in utc] == [pytest.approx(150), pytest.approx(30)]


def test_status_in_force_at_midnight_carries_into_the_next_day():
    changes = [(at(2026, 11, 18, 23), S.PARTIAL_OUTAGE)]
    result = days_for(changes, [date(2026, 11, 19)])
    assert result[0].partial_minutes == pytest.approx(1440)
    assert result[0].worst is S.PARTIAL_OUTAGE


def test_overlapping_incidents_never_count_a_minute_twice():
    # Incident A takes the component down at 10:00; incident B lowers it to partial at 10:30;
    # A's fix at 11:00 leaves B's partial outage until 12:00.
    changes = [
        (at(2026, 11, 20, 10), S.MAJOR_OUTAGE),
        (at(2026, 11, 20, 10, 30), S.PARTIAL_OUTAGE),
        (at(2026, 11, 20, 12), S.OPERATIONAL),
    ]
    (day,) = days_for(changes, [date(2026, 11, 20)], weight=0.3)
    assert day.down_minutes == pytest.approx(30)
    assert day.partial_minutes == pytest.approx(90)
    assert day.down_minutes + day.partial_minutes <= 1440


def test_today_counts_only_elapsed_minutes_and_future_days_have_no_data():
    changes = [(at(2026, 11, 25, 6), S.MAJOR_OUTAGE), (at(2026, 11, 25, 9), S.OPERATIONAL)]
    today, tomorrow = days_for(changes, [date(2026, 11, 25), date(2026, 11, 26)])
    assert today.minutes == pytest.approx(720)
    assert today.uptime == pytest.approx(1 - 180 / 720)
    assert not tomorrow.has_data


def test_dst_change_day_has_23_hours():
    start, end = day_bounds(date(2026, 3, 29), BERLIN)
    assert end - start == timedelta(hours=23)
    (day,) = days_for([], [date(2026, 3, 29)], tz=BERLIN)
    assert day.minutes == pytest.approx(23 * 60)


def test_overall_uptime_without_data_is_none():
    assert overall_uptime([], 0.3) is None
    result = days_for([], [date(2026, 11, 1)], start_date=date(2026, 11, 5))
    assert overall_uptime(result, 0.3) is None


def test_last_days_are_oldest_first():
    assert last_days(date(2026, 11, 25), 3) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
