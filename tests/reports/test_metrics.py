"""Report metrics: exact durations per incident and monthly means (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.reports.charts import bar_chart
from statuspage.reports.metrics import (
    IncidentFacts,
    incident_times,
    mean,
    month_of,
    monthly_stats,
    months_between,
)

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def facts(**kw):
    values = {
        "public_id": "inc1",
        "name": "Errors",
        "impact": "major",
        "started_at": T0 + timedelta(minutes=10),
        "resolved_at": T0 + timedelta(hours=2),
        "first_update_at": T0 + timedelta(minutes=25),
    }
    values.update(kw)
    return IncidentFacts(**values)


def test_start_is_the_earliest_linked_alert_and_every_time_counts_from_it():
    times = incident_times(
        facts(
            internal_started=(T0 + timedelta(minutes=3), T0),
            internal_acknowledged=(T0 + timedelta(minutes=12), T0 + timedelta(minutes=8)),
            alerts_received=(T0 + timedelta(minutes=2),),
        )
    )
    assert times.start == T0
    assert times.detect == timedelta(minutes=2)
    assert times.acknowledge == timedelta(minutes=8)
    assert times.first_update == timedelta(minutes=25)
    assert times.resolve == timedelta(hours=2)


def test_without_alerts_the_public_start_is_used_and_detect_and_ack_are_unknown():
    times = incident_times(facts(resolved_at=None))
    assert times.start == T0 + timedelta(minutes=10)
    assert times.detect is None
    assert times.acknowledge is None
    assert times.first_update == timedelta(minutes=15)
    assert times.resolve is None


def test_moments_before_the_start_count_as_zero():
    times = incident_times(
        facts(internal_started=(T0,), internal_acknowledged=(T0 - timedelta(minutes=1),))
    )
    assert times.acknowledge == timedelta(0)


def test_mean_skips_missing_values_and_rounds_to_seconds():
    assert mean([timedelta(minutes=1), None, timedelta(seconds=2)]) == timedelta(seconds=31)
    assert mean([None, None]) is None


def test_months_and_local_month_boundaries():
    assert months_between(date(2026, 11, 1), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    # 23:30 UTC on Oct 31 is already November in Berlin.
    late = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert month_of(late, ZoneInfo("Europe/Berlin")) == date(2026, 11, 1)
    assert month_of(late, ZoneInfo("UTC")) == date(2026, 10, 1)


def test_monthly_stats_per_component_and_overall():
    tz = ZoneInfo("UTC")
    a = incident_times(
        facts(
            public_id="a",
            component_ids=(1, 2),
            internal_started=(T0,),
            internal_acknowledged=(T0 + timedelta(minutes=4),),
        )
    )  # TTA 4 min, TTR 2 h, TTFPU 25 min
    b = incident_times(
        facts(
            public_id="b",
            started_at=T0 + timedelta(days=3),
            resolved_at=T0 + timedelta(days=3, minutes=30),
            first_update_at=T0 + timedelta(days=3, minutes=5),
            component_ids=(1,),
        )
    )  # no ack, TTR 30 min, TTFPU 5 min
    c = incident_times(
        facts(
            public_id="c",
            started_at=T0 + timedelta(days=40),
            resolved_at=None,
            first_update_at=T0 + timedelta(days=40),
            component_ids=(2,),
        )
    )  # November, open
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    stats = monthly_stats([a, b, c], months, [1, 2, None], tz, {(date(2026, 10, 1), 1): 0.995})
    by_key = {(s.month, s.component_id): s for s in stats}
    october_api = by_key[(date(2026, 10, 1), 1)]
    assert october_api.count == 2
    assert october_api.mtta == timedelta(minutes=4)
    assert october_api.mttr == timedelta(minutes=75)
    assert october_api.mean_first_update == timedelta(minutes=15)
    assert october_api.uptime == 0.995
    assert by_key[(date(2026, 10, 1), 2)].count == 1
    assert by_key[(date(2026, 10, 1), None)].count == 2
    november_web = by_key[(date(2026, 11, 1), 2)]
    assert (november_web.count, november_web.mttr) == (1, None)
    assert november_web.mean_first_update == timedelta(0)
    assert by_key[(date(2026, 11, 1), 1)].count == 0
    assert [(s.month, s.component_id) for s in stats][:3] == [
        (date(2026, 10, 1), 1),
        (date(2026, 10, 1), 2),
        (date(2026, 10, 1), None),
    ]


def test_bar_chart_scales_to_a_round_maximum_and_leaves_gaps_for_no_data():
    chart = bar_chart(
        "c", "Incidents", "desc", [("Oct", 3.0, "3"), ("Nov", None, "–"), ("Dec", 4.0, "4")]
    )
    heights = [b.height for b in chart.bars]
    assert heights[1] == 0
    # The axis goes to 5 (a round number above 4); 180 px of plot height.
    assert chart.ticks[-1].text == "5"
    assert heights[2] == 144.0
    assert heights[0] == 108.0
