"""Page queries: read the domain, roll it up and return the view-model of one page.

Each function runs a fixed number of statements whatever the number of
components, incidents or days shown.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from ..components.models import ComponentStatus
from ..components.queries import (
    ComponentRead,
    GroupRead,
    status_histories,
    uptime_days,
    visible_component_tree,
)
from ..components.rollup import indicator_description, page_indicator, worst_status
from ..components.uptime import DayUptime, day_bounds, last_days, overall_uptime
from ..errors import NotFoundError
from ..i18n import html_lang, language_name, reader_languages
from ..incidents.models import Impact
from ..incidents.queries import (
    ComponentRef,
    IncidentRead,
    IncidentSpan,
    IncidentUpdateRead,
    first_incident_start,
    get_incident,
    incidents_affecting,
    incidents_started_between,
    open_incidents,
)
from ..incidents.translations import localize_incidents
from ..maintenance.queries import (
    MaintenanceRead,
    MaintenanceUpdateRead,
    current_and_upcoming,
    first_maintenance_start,
    get_maintenance,
    maintenance_started_between,
)
from ..markup import render_markdown
from ..themes.render import current_page
from .formatting import (
    date_text,
    duration_text,
    first_weekday,
    minutes_text,
    month_label,
    percent_text,
    time_view,
    weekday_names,
)
from .labels import (
    CANCELLED,
    component_status_label,
    impact_label,
    incident_status_label,
    maintenance_status_label,
)
from .viewmodels import (
    CalendarDayView,
    CalendarMonthView,
    ChangeView,
    ComponentOptionView,
    ComponentRefView,
    ComponentView,
    FrontPageView,
    GroupView,
    HistoryEntryView,
    HistoryMonthView,
    HistoryPageView,
    IncidentLinkView,
    IncidentPageView,
    IncidentSummaryView,
    MaintenanceView,
    UpdateView,
    UptimeBarView,
    UptimeDayView,
    UptimePageView,
)

NO_DATA = "nodata"
MONTH_CHOICES = (1, 3, 6, 12)


def _partial_weight() -> float:
    return float(current_app.config.get("UPTIME_PARTIAL_WEIGHT", 0.3))


def _refs(refs: Sequence[ComponentRef]) -> tuple[ComponentRefView, ...]:
    return tuple(ComponentRefView(r.public_id, r.name) for r in refs)


def _localized(incidents: Sequence[IncidentRead]) -> list[IncidentRead]:
    reader, default = reader_languages()
    return localize_incidents(incidents, reader, default)


def fallback_note(incident: IncidentRead) -> str | None:
    """Say that (part of) an incident is not in the reader's language, and which one it is in."""
    if not incident.is_fallback:
        return None
    return _(
        "Not available in %(language)s: shown in %(original)s.",
        language=language_name(incident.asked_language, incident.asked_language),
        original=language_name(current_page().default_language, incident.asked_language),
    )


def _content_lang(language: str, asked: str) -> str | None:
    """Return a lang attribute for content in language when the page is in another one."""
    return html_lang(language) if language and asked and language != asked else None


def _incident_update(update: IncidentUpdateRead, tz: ZoneInfo, asked: str = "") -> UpdateView:
    return UpdateView(
        lang=_content_lang(update.language, asked),
        public_id=update.public_id,
        status=update.status.value,
        status_label=incident_status_label(update.status),
        body_html=render_markdown(update.body),
        display_at=time_view(update.display_at, tz),
        changes=tuple(
            ChangeView(
                component_name=c.component.name,
                old_status=c.old_status.value if c.old_status else None,
                old_label=component_status_label(c.old_status) if c.old_status else None,
                new_status=c.new_status.value,
                new_label=component_status_label(c.new_status),
            )
            for c in update.component_changes
        ),
    )


def _maintenance_update(update: MaintenanceUpdateRead, tz: ZoneInfo) -> UpdateView:
    return UpdateView(
        public_id=update.public_id,
        status=CANCELLED if update.cancelled else update.status.value,
        status_label=maintenance_status_label(update.status, update.cancelled),
        body_html=render_markdown(update.body),
        display_at=time_view(update.display_at, tz),
    )


def _maintenance(m: MaintenanceRead, tz: ZoneInfo, *, all_updates: bool) -> MaintenanceView:
    updates = m.updates if all_updates else m.updates[:1]
    views = tuple(_maintenance_update(u, tz) for u in updates)
    return MaintenanceView(
        public_id=m.public_id,
        name=m.name,
        status=CANCELLED if m.cancelled else m.status.value,
        status_label=maintenance_status_label(m.status, m.cancelled),
        in_progress=m.in_progress,
        scheduled_for=time_view(m.scheduled_for, tz),
        scheduled_until=time_view(m.scheduled_until, tz),
        started_at=time_view(m.started_at, tz) if m.started_at else None,
        # A cancelled window was never completed: it shows when it was cancelled instead.
        completed_at=time_view(m.completed_at, tz) if m.completed_at and not m.cancelled else None,
        components=_refs(m.components),
        updates=views,
        latest=views[0] if views else None,
        cancelled_at=time_view(m.cancelled_at, tz) if m.cancelled_at else None,
    )


# -- front page --------------------------------------------------------------------------


def _spans_by_day(
    spans: Sequence[IncidentSpan], starts: list[datetime], now: datetime
) -> dict[tuple[int, int], list[IncidentSpan]]:
    """Map (component id, day index) to the incidents overlapping that day."""
    out: dict[tuple[int, int], list[IncidentSpan]] = defaultdict(list)
    for span in spans:
        end = span.resolved_at or now
        first = max(0, bisect_right(starts, span.started_at) - 1)
        last = bisect_left(starts, end) - 1 if end > span.started_at else first
        for index in range(first, max(first, last) + 1):
            out[(span.component_id, index)].append(span)
    return out


def _day_view(
    component_public_id: str,
    day: DayUptime,
    incidents: Sequence[IncidentSpan],
    label: str,
    percent: Callable[[float | None], str | None],
) -> UptimeDayView:
    lines: list[str] = []
    if day.has_data:
        if day.down_minutes >= 0.5:
            lines.append(_("Major outage: %(time)s", time=minutes_text(day.down_minutes)))
        if day.partial_minutes >= 0.5:
            lines.append(_("Partial outage: %(time)s", time=minutes_text(day.partial_minutes)))
        if day.degraded_minutes >= 0.5:
            lines.append(
                _("Degraded performance: %(time)s", time=minutes_text(day.degraded_minutes))
            )
        if day.maintenance_minutes >= 0.5:
            lines.append(_("Maintenance: %(time)s", time=minutes_text(day.maintenance_minutes)))
    status = day.worst.value if day.has_data and day.worst else NO_DATA
    seen: dict[str, IncidentLinkView] = {}
    for span in incidents:
        seen.setdefault(
            span.public_id,
            IncidentLinkView(
                span.public_id, span.name, span.impact.value, impact_label(span.impact)
            ),
        )
    return UptimeDayView(
        iso=day.day.isoformat(),
        date_text=label,
        summary_id=f"day-{component_public_id}-{day.day:%Y%m%d}",
        has_data=day.has_data,
        status=status,
        status_label=component_status_label(ComponentStatus(status))
        if status != NO_DATA
        else _("No data"),
        uptime_text=percent(day.uptime) if day.has_data else None,
        lines=tuple(lines),
        incidents=tuple(seen.values()),
        no_downtime=day.has_data and day.down_minutes < 0.5 and day.partial_minutes < 0.5,
    )


def _component_view(component: ComponentRead, uptime: UptimeBarView | None) -> ComponentView:
    return ComponentView(
        public_id=component.public_id,
        name=component.name,
        description=component.description,
        status=component.status.value,
        status_label=component_status_label(component.status),
        uptime=uptime if component.showcase else None,
    )


def _shown(component: ComponentRead) -> bool:
    return not (component.only_show_if_degraded and component.status == ComponentStatus.OPERATIONAL)


def front_page(now: datetime) -> FrontPageView:
    """Return the status page: headline, incidents, maintenance, components, uptime."""
    tz = current_page().zone
    tree = visible_component_tree()
    incidents = _localized(open_incidents())
    in_progress, upcoming = current_and_upcoming(now)

    indicator = page_indicator(tree.components, incidents, bool(in_progress))

    day_count = int(current_app.config.get("UPTIME_DAYS", 90))
    days = last_days(now.astimezone(tz).date(), day_count)
    bounds = [day_bounds(d, tz) for d in days]
    window_start = bounds[0][0]
    showcased = [c for c in tree.components if c.showcase and _shown(c)]
    ids = [c.id for c in showcased]
    histories = status_histories(ids, window_start)
    spans = _spans_by_day(
        incidents_affecting(ids, window_start, now), [start for start, _end in bounds], now
    )
    weight = _partial_weight()
    # Formatting is the costly part of 90 days x N components: do each value once.
    labels = [date_text(d) for d in days]
    percent = lru_cache(maxsize=512)(percent_text)

    bars: dict[int, UptimeBarView] = {}
    for component in showcased:
        per_day = uptime_days(
            component, histories[component.id], days=days, tz=tz, now=now, partial_weight=weight
        )
        bars[component.id] = UptimeBarView(
            days=tuple(
                _day_view(
                    component.public_id, d, spans.get((component.id, i), ()), labels[i], percent
                )
                for i, d in enumerate(per_day)
            ),
            percent_text=percent_text(overall_uptime(per_day, weight)),
            day_count=day_count,
            first_day_text=date_text(days[0]),
            last_day_text=date_text(days[-1]),
        )

    items: list[tuple[tuple[int, int], GroupView | ComponentView]] = []
    for group in tree.groups:
        view = _group_view(group, bars)
        if view is not None:
            items.append(((group.position, 0), view))
    for component in tree.ungrouped:
        if _shown(component):
            items.append(
                ((component.position, 1), _component_view(component, bars.get(component.id)))
            )
    items.sort(key=lambda pair: pair[0])

    return FrontPageView(
        indicator=indicator.value,
        description=indicator_description(indicator),
        active_incidents=tuple(_incident_summary(i, tz) for i in incidents),
        maintenance_in_progress=tuple(_maintenance(m, tz, all_updates=False) for m in in_progress),
        maintenance_upcoming=tuple(_maintenance(m, tz, all_updates=False) for m in upcoming),
        items=tuple(view for _key, view in items),
        uptime_days=day_count,
    )


def _group_view(group: GroupRead, bars: dict[int, UptimeBarView]) -> GroupView | None:
    shown = [c for c in group.components if _shown(c)]
    if not shown:
        return None
    worst = worst_status([c.status for c in group.components])
    return GroupView(
        public_id=group.public_id,
        name=group.name,
        description=group.description,
        status=worst.value,
        status_label=component_status_label(worst),
        open=not group.collapsed or worst != ComponentStatus.OPERATIONAL,
        components=tuple(_component_view(c, bars.get(c.id)) for c in shown),
    )


def _incident_summary(incident: IncidentRead, tz: ZoneInfo) -> IncidentSummaryView:
    latest = incident.latest_update
    return IncidentSummaryView(
        public_id=incident.public_id,
        name=incident.name,
        impact=incident.impact.value,
        impact_label=impact_label(incident.impact),
        status=incident.status.value,
        status_label=incident_status_label(incident.status),
        started_at=time_view(incident.started_at, tz),
        latest=_incident_update(latest, tz, incident.asked_language) if latest else None,
        components=_refs(incident.components),
        fallback_note=fallback_note(incident),
        lang=_content_lang(incident.language, incident.asked_language),
    )


# -- incident and maintenance pages ------------------------------------------------------


def incident_page(public_id: str, now: datetime) -> IncidentPageView:
    """Return an incident's page; raise NotFoundError for unknown or hidden ones."""
    tz = current_page().zone
    incident = _localized([get_incident(public_id)])[0]
    if incident.resolved_at is not None:
        duration = duration_text(incident.resolved_at - incident.started_at)
    elif incident.is_open:
        duration = _("Ongoing")
    else:
        duration = _("Unknown")
    return IncidentPageView(
        public_id=incident.public_id,
        name=incident.name,
        impact=incident.impact.value,
        impact_label=impact_label(incident.impact),
        status=incident.status.value,
        status_label=incident_status_label(incident.status),
        is_open=incident.is_open,
        started_at=time_view(incident.started_at, tz),
        resolved_at=time_view(incident.resolved_at, tz) if incident.resolved_at else None,
        duration_text=duration,
        components=_refs(incident.components),
        updates=tuple(_incident_update(u, tz, incident.asked_language) for u in incident.updates),
        postmortem_html=render_markdown(incident.postmortem_body)
        if incident.postmortem_published
        else None,
        postmortem_published_at=time_view(incident.postmortem_published_at, tz)
        if incident.postmortem_published and incident.postmortem_published_at
        else None,
        fallback_note=fallback_note(incident),
        lang=_content_lang(incident.language, incident.asked_language),
    )


def maintenance_page(public_id: str) -> MaintenanceView:
    """Return a maintenance window's page; raise NotFoundError for unknown or hidden ones."""
    return _maintenance(get_maintenance(public_id), current_page().zone, all_updates=True)


# -- history -----------------------------------------------------------------------------


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def _month_start(index: int, tz: ZoneInfo) -> datetime:
    year, month = _month_of(index)
    return day_bounds(date(year, month, 1), tz)[0]


def history_page(page: int, now: datetime) -> HistoryPageView:
    """Return one page of past incidents and maintenance, grouped by month, newest first."""
    tz = current_page().zone
    size = max(1, int(current_app.config.get("HISTORY_PAGE_SIZE", 3)))
    local_now = now.astimezone(tz)
    newest = _month_index(local_now.year, local_now.month)
    firsts = [t for t in (first_incident_start(), first_maintenance_start(now)) if t is not None]
    # The first page is always full, so a young page still shows a few quiet months.
    oldest = newest - size + 1
    if firsts:
        first = min(firsts).astimezone(tz)
        oldest = min(newest, _month_index(first.year, first.month))
    pages = math.ceil((newest - oldest + 1) / size)
    if page < 1 or page > pages:
        raise NotFoundError(str(page))

    top = newest - (page - 1) * size
    bottom = max(oldest, top - size + 1)
    start, end = _month_start(bottom, tz), _month_start(top + 1, tz)

    by_month: dict[int, list[tuple[datetime, HistoryEntryView]]] = defaultdict(list)
    for incident in _localized(incidents_started_between(start, end)):
        local = incident.started_at.astimezone(tz)
        by_month[_month_index(local.year, local.month)].append(
            (incident.started_at, _incident_entry(incident, tz))
        )
    for m in maintenance_started_between(start, end, now):
        local = m.scheduled_for.astimezone(tz)
        by_month[_month_index(local.year, local.month)].append(
            (m.scheduled_for, _maintenance_entry(m, tz))
        )

    months = []
    for index in range(top, bottom - 1, -1):
        year, month = _month_of(index)
        entries = sorted(by_month.get(index, []), key=lambda pair: pair[0], reverse=True)
        months.append(
            HistoryMonthView(
                iso=f"{year:04d}-{month:02d}",
                label=month_label(year, month),
                entries=tuple(entry for _at, entry in entries),
            )
        )
    range_text = (
        months[0].label
        if len(months) == 1
        else _("%(oldest)s to %(newest)s", oldest=months[-1].label, newest=months[0].label)
    )
    return HistoryPageView(
        months=tuple(months),
        page=page,
        pages=pages,
        newer_page=page - 1 if page > 1 else None,
        older_page=page + 1 if page < pages else None,
        range_text=range_text,
    )


def _incident_entry(incident: IncidentRead, tz: ZoneInfo) -> HistoryEntryView:
    latest = incident.latest_update
    return HistoryEntryView(
        kind="incident",
        public_id=incident.public_id,
        name=incident.name,
        impact=incident.impact.value,
        impact_label=impact_label(incident.impact),
        status=incident.status.value,
        status_label=incident_status_label(incident.status),
        start=time_view(incident.started_at, tz),
        end=time_view(incident.resolved_at, tz) if incident.resolved_at else None,
        summary_html=render_markdown(latest.body) if latest else render_markdown(""),
        fallback_note=fallback_note(incident),
        lang=_content_lang(incident.language, incident.asked_language),
    )


def _maintenance_entry(m: MaintenanceRead, tz: ZoneInfo) -> HistoryEntryView:
    latest = m.latest_update
    end = m.completed_at or m.scheduled_until
    if m.cancelled and m.started_at is None:
        end = m.scheduled_until  # cancelled before it began: show the window it had
    return HistoryEntryView(
        kind="maintenance",
        public_id=m.public_id,
        name=m.name,
        impact=Impact.MAINTENANCE.value,
        impact_label=impact_label(Impact.MAINTENANCE),
        status=CANCELLED if m.cancelled else m.status.value,
        status_label=maintenance_status_label(m.status, m.cancelled),
        start=time_view(m.started_at or m.scheduled_for, tz),
        end=time_view(end, tz),
        summary_html=render_markdown(latest.body) if latest else render_markdown(""),
    )


# -- uptime calendar ---------------------------------------------------------------------


def parse_month(value: str | None) -> int | None:
    """Return the month index of "YYYY-MM", or None when it is not one."""
    if not value or len(value) != 7 or value[4] != "-":
        return None
    try:
        year, month = int(value[:4]), int(value[5:])
    except ValueError:
        return None
    if not (1970 <= year <= 9999 and 1 <= month <= 12):
        return None
    return _month_index(year, month)


def _month_iso(index: int) -> str:
    year, month = _month_of(index)
    return f"{year:04d}-{month:02d}"


def uptime_page(
    component_id: str | None, month_count: int, end_month: str | None, now: datetime
) -> UptimePageView:
    """Return the uptime calendar of one showcased component; NotFoundError for unknown ids."""
    tz = current_page().zone
    weight = _partial_weight()
    month_count = month_count if month_count in MONTH_CHOICES else 3
    local_today = now.astimezone(tz).date()
    current = _month_index(local_today.year, local_today.month)
    end = parse_month(end_month)
    end = current if end is None or end > current else end
    first = end - month_count + 1

    tree = visible_component_tree()
    showcased = [c for c in tree.components if c.showcase]
    selected: ComponentRead | None = None
    if component_id:
        selected = next((c for c in showcased if c.public_id == component_id), None)
        if selected is None:
            raise NotFoundError(component_id)
    elif showcased:
        selected = showcased[0]

    months: list[CalendarMonthView] = []
    period_percent = None
    if selected is not None:
        first_day = date(*_month_of(first), 1)
        last_year, last_month = _month_of(end + 1)
        days = [
            first_day + timedelta(days=n)
            for n in range((date(last_year, last_month, 1) - first_day).days)
        ]
        history = status_histories([selected.id], day_bounds(first_day, tz)[0])[selected.id]
        per_day = uptime_days(selected, history, days=days, tz=tz, now=now, partial_weight=weight)
        period_percent = percent_text(overall_uptime(per_day, weight))
        by_month: dict[int, list[DayUptime]] = defaultdict(list)
        for d in per_day:
            by_month[_month_index(d.day.year, d.day.month)].append(d)
        start_weekday = first_weekday()
        for index in range(first, end + 1):
            months.append(
                _calendar_month(index, by_month[index], start_weekday, local_today, weight)
            )

    options = tuple(
        ComponentOptionView(c.public_id, c.name, selected is not None and c.id == selected.id)
        for c in showcased
    )
    return UptimePageView(
        options=options,
        component=next((o for o in options if o.selected), None),
        months=tuple(months),
        month_count=month_count,
        month_choices=MONTH_CHOICES,
        weekdays=weekday_names(first_weekday()),
        period_percent_text=period_percent,
        earlier_end=_month_iso(end - month_count),
        later_end=_month_iso(min(current, end + month_count)) if end < current else None,
    )


def _calendar_month(
    index: int, days: Sequence[DayUptime], start_weekday: int, today: date, weight: float
) -> CalendarMonthView:
    year, month = _month_of(index)
    cells: list[CalendarDayView | None] = [None] * (
        (date(year, month, 1).weekday() - start_weekday) % 7
    )
    for d in days:
        uptime = percent_text(d.uptime) if d.has_data else None
        status = d.worst.value if d.has_data and d.worst else NO_DATA
        if uptime is not None:
            title = _("%(date)s: %(uptime)s uptime", date=date_text(d.day), uptime=uptime)
        else:
            title = _("%(date)s: No data", date=date_text(d.day))
        cells.append(
            CalendarDayView(
                iso=d.day.isoformat(),
                day=d.day.day,
                status=status,
                title=title,
                uptime_text=uptime,
                future=d.day > today,
            )
        )
    cells.extend([None] * (-len(cells) % 7))
    weeks = tuple(tuple(cells[i : i + 7]) for i in range(0, len(cells), 7))
    return CalendarMonthView(
        iso=f"{year:04d}-{month:02d}",
        label=month_label(year, month),
        percent_text=percent_text(overall_uptime(days, weight)),
        weeks=weeks,
    )


__all__ = [
    "front_page",
    "history_page",
    "incident_page",
    "maintenance_page",
    "uptime_page",
]
