"""Reports (support and up may read): response times per incident, monthly MTTA/MTTR/uptime."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from babel.units import format_unit
from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..csvcells import csv_lines
from ..public.formatting import duration_text, iso_utc, month_label, percent_text
from ..reports.charts import BarChart, bar_chart
from ..reports.metrics import MonthStats
from ..reports.queries import ComponentChoice, Report, build_report, component_choices
from . import bp
from .nav import register_nav
from .view_support import page_zone, time_text

register_nav("admin.reports", _l("Reports"), order=60)

DEFAULT_MONTHS = 6
MAX_MONTHS = 36
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class FilterError(ValueError):
    """A filter a person can fix; the message names the field."""


@dataclass(frozen=True)
class Filters:
    """The months and component a report covers, as chosen in the form."""

    first: date
    last: date
    component: ComponentChoice | None

    def args(self) -> dict[str, str]:
        """Return the query arguments that select this report (for the CSV links)."""
        values = {"from": self.first.strftime("%Y-%m"), "to": self.last.strftime("%Y-%m")}
        if self.component is not None:
            values["component"] = self.component.public_id
        return values


@dataclass(frozen=True)
class IncidentRow:
    """One incident in the per-incident table."""

    public_id: str
    name: str
    start: str
    detect: str
    acknowledge: str
    first_update: str
    resolve: str


@dataclass(frozen=True)
class MonthRow:
    """One month of one component in the data tables."""

    month: str
    component: str
    count: int
    mtta: str
    mttr: str
    first_update: str
    uptime: str


def _month(value: str, field: str) -> date:
    match = _MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise FilterError(_("%(field)s: enter a month as YYYY-MM, e.g. 2026-11.", field=field))
    return date(int(match.group(1)), int(match.group(2)), 1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_filters(args: dict[str, str], today: date) -> Filters:
    """Read from, to (YYYY-MM) and component from the query; raise FilterError if wrong."""
    this_month = today.replace(day=1)
    last = _month(args["to"], _("To")) if args.get("to") else this_month
    first = (
        _month(args["from"], _("From")) if args.get("from") else _shift(last, -(DEFAULT_MONTHS - 1))
    )
    if first > last:
        raise FilterError(_("From: the first month must not be after the last one."))
    if _shift(first, MAX_MONTHS - 1) < last:
        raise FilterError(_("From: choose at most %(count)d months.", count=MAX_MONTHS))
    component = None
    wanted = (args.get("component") or "").strip()
    if wanted:
        component = next((c for c in component_choices() if c.public_id == wanted), None)
        if component is None:
            raise FilterError(_("Component: no such component; choose one from the list."))
    return Filters(first=first, last=last, component=component)


def _text(delta: timedelta | None) -> str:
    return duration_text(delta) if delta is not None else "–"


def _minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def _month_text(month: date) -> str:
    return month_label(month.year, month.month)


def _locale() -> str:
    return str(get_locale() or "en")


def _month_short(month: date) -> str:
    return format_date(month, "MMM yy", locale=_locale())


def _unit_tick(unit: str) -> Callable[[float], str]:
    """Return a writer of axis values in the unit ("duration-minute" or "duration-hour")."""

    def text(value: float) -> str:
        return str(format_unit(round(value, 2), unit, length="short", locale=_locale()))

    return text


def _charts(summary: tuple[MonthStats, ...], scope: str) -> list[BarChart]:
    shorts = [_month_short(s.month) for s in summary]

    def duration_chart(
        chart_id: str, title: str, pick: Callable[[MonthStats], timedelta | None]
    ) -> BarChart:
        minutes = [_minutes(pick(s)) for s in summary]
        # Past two hours the axis counts hours, so its round numbers read naturally.
        in_hours = max((m for m in minutes if m is not None), default=0.0) > 120
        scale = 60.0 if in_hours else 1.0
        return bar_chart(
            chart_id,
            title,
            _("%(title)s per month, %(scope)s.", title=title, scope=scope),
            [
                (_month_text(s.month), None if m is None else m / scale, _text(pick(s)))
                for s, m in zip(summary, minutes, strict=True)
            ],
            tick_text=_unit_tick("duration-hour" if in_hours else "duration-minute"),
            short_labels=shorts,
        )

    return [
        bar_chart(
            "chart-count",
            _("Incidents"),
            _("Number of incidents per month, %(scope)s.", scope=scope),
            [(_month_text(s.month), float(s.count), str(s.count)) for s in summary],
            short_labels=shorts,
        ),
        duration_chart("chart-mtta", _("Mean time to acknowledge"), lambda s: s.mtta),
        duration_chart("chart-mttr", _("Mean time to resolve"), lambda s: s.mttr),
        duration_chart(
            "chart-ttfpu", _("Mean time to first public update"), lambda s: s.mean_first_update
        ),
        bar_chart(
            "chart-uptime",
            _("Uptime"),
            _("Uptime per month, %(scope)s.", scope=scope),
            [
                (
                    _month_text(s.month),
                    None if s.uptime is None else s.uptime * 100,
                    percent_text(s.uptime) or "–",
                )
                for s in summary
            ],
            tick_text=lambda v: format_percent(v / 100, format="#,##0%"),
            maximum=100.0,
            short_labels=shorts,
        ),
    ]


def _month_rows(stats: tuple[MonthStats, ...], names: dict[int | None, str]) -> list[MonthRow]:
    return [
        MonthRow(
            month=_month_text(s.month),
            component=names.get(s.component_id, ""),
            count=s.count,
            mtta=_text(s.mtta),
            mttr=_text(s.mttr),
            first_update=_text(s.mean_first_update),
            uptime=percent_text(s.uptime) or "–",
        )
        for s in stats
    ]


def _names(report: Report) -> dict[int | None, str]:
    names: dict[int | None, str] = {c.id: c.name for c in report.components}
    names[None] = _("All components")
    return names


def _report(filters: Filters) -> Report:
    zone = page_zone()
    return build_report(
        filters.first,
        filters.last,
        zone,
        utcnow(),
        float(current_app.config.get("UPTIME_PARTIAL_WEIGHT", 0.3)),
        filters.component,
    )


def _filters_or_error() -> Filters | str:
    try:
        return parse_filters(
            {k: request.args.get(k, "") for k in ("from", "to", "component")},
            utcnow().astimezone(page_zone()).date(),
        )
    except FilterError as exc:
        return str(exc)


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """Show response times per incident and per month, with charts and CSV links."""
    zone = page_zone()
    filters = _filters_or_error()
    choices = component_choices()
    values = {k: request.args.get(k, "") for k in ("from", "to", "component")}
    if isinstance(filters, str):
        return (
            render_template(
                "admin/reports/index.html",
                error=filters,
                values=values,
                choices=choices,
                report=None,
            ),
            400,
        )
    report = _report(filters)
    names = _names(report)
    scope = filters.component.name if filters.component else _("all components")
    when = time_text(zone)
    incidents = [
        IncidentRow(
            public_id=t.facts.public_id,
            name=t.facts.name,
            start=when(t.start),
            detect=_text(t.detect),
            acknowledge=_text(t.acknowledge),
            first_update=_text(t.first_update),
            resolve=_text(t.resolve) if t.facts.resolved_at else _("still open"),
        )
        for t in report.incidents
    ]
    return render_template(
        "admin/reports/index.html",
        error=None,
        values=filters.args(),
        choices=choices,
        report=report,
        scope=scope,
        charts=_charts(report.summary, scope),
        summary=_month_rows(report.summary, names),
        breakdown=_month_rows(report.breakdown, names),
        incidents=incidents,
        csv_args=filters.args(),
    )


def _seconds(delta: timedelta | None) -> str:
    return "" if delta is None else str(int(delta.total_seconds()))


def _csv(rows: list[list[object]], filename: str) -> Response:
    header, *body = rows
    return Response(
        "".join(csv_lines([str(cell) for cell in header], body)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_filters() -> Filters | Response:
    filters = _filters_or_error()
    if isinstance(filters, str):
        return Response(filters + "\n", status=400, mimetype="text/plain")
    return filters


@bp.get("/reports/incidents.csv")
def reports_incidents_csv() -> ResponseReturnValue:
    """Download the per-incident response times as CSV (durations in seconds)."""
    filters = _csv_filters()
    if isinstance(filters, Response):
        return filters
    report = _report(filters)
    names = _names(report)
    rows: list[list[object]] = [
        [
            "incident_id",
            "name",
            "impact",
            "components",
            "start",
            "resolved_at",
            "time_to_detect_seconds",
            "time_to_acknowledge_seconds",
            "time_to_first_public_update_seconds",
            "time_to_resolve_seconds",
        ]
    ]
    for t in report.incidents:
        rows.append(
            [
                t.facts.public_id,
                t.facts.name,
                t.facts.impact,
                "; ".join(names[c] for c in t.facts.component_ids if c in names),
                iso_utc(t.start),
                iso_utc(t.facts.resolved_at) if t.facts.resolved_at else "",
                _seconds(t.detect),
                _seconds(t.acknowledge),
                _seconds(t.first_update),
                _seconds(t.resolve),
            ]
        )
    return _csv(rows, f"incidents-{filters.args()['from']}-{filters.args()['to']}.csv")


@bp.get("/reports/monthly.csv")
def reports_monthly_csv() -> ResponseReturnValue:
    """Download the per month and component aggregates as CSV (durations in seconds)."""
    filters = _csv_filters()
    if isinstance(filters, Response):
        return filters
    report = _report(filters)
    public_ids: dict[int | None, str] = {c.id: c.public_id for c in report.components}
    names = _names(report)
    rows: list[list[object]] = [
        [
            "month",
            "component_id",
            "component",
            "incidents",
            "mtta_seconds",
            "mttr_seconds",
            "mean_time_to_first_public_update_seconds",
            "uptime_percent",
        ]
    ]
    for s in report.breakdown:
        rows.append(
            [
                s.month.strftime("%Y-%m"),
                public_ids.get(s.component_id, ""),
                names.get(s.component_id, ""),
                s.count,
                _seconds(s.mtta),
                _seconds(s.mttr),
                _seconds(s.mean_first_update),
                "" if s.uptime is None else f"{s.uptime * 100:.4f}",
            ]
        )
    return _csv(rows, f"monthly-{filters.args()['from']}-{filters.args()['to']}.csv")
