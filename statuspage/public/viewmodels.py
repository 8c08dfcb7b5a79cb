"""Frozen view-models handed to the public templates (never ORM objects or config)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup


@dataclass(frozen=True)
class TimeView:
    """An instant: ISO 8601 UTC for <time datetime> and text in the page's zone."""

    iso: str
    text: str


@dataclass(frozen=True)
class DateView:
    """A local calendar day."""

    iso: str
    text: str


@dataclass(frozen=True)
class ComponentRefView:
    """A component named by an incident or maintenance."""

    public_id: str
    name: str


@dataclass(frozen=True)
class ChangeView:
    """A component's status change carried by an update (old -> new)."""

    component_name: str
    old_status: str | None
    old_label: str | None
    new_status: str
    new_label: str


@dataclass(frozen=True)
class UpdateView:
    """One update of a timeline."""

    public_id: str
    status: str
    status_label: str
    body_html: Markup
    display_at: TimeView
    changes: tuple[ChangeView, ...] = ()
    # The body's language when it differs from the page's (an untranslated fallback).
    lang: str | None = None


@dataclass(frozen=True)
class IncidentLinkView:
    """An incident as a link (day summaries)."""

    public_id: str
    name: str
    impact: str
    impact_label: str


@dataclass(frozen=True)
class UptimeDayView:
    """One day of a component's uptime bar, with the summary shown on hover, focus or tap."""

    iso: str
    date_text: str
    summary_id: str
    has_data: bool
    # A component status, or "nodata".
    status: str
    status_label: str
    uptime_text: str | None
    lines: tuple[str, ...]
    incidents: tuple[IncidentLinkView, ...]
    no_downtime: bool


@dataclass(frozen=True)
class UptimeBarView:
    """A component's daily uptime bars and its percentage over the whole period."""

    days: tuple[UptimeDayView, ...]
    percent_text: str | None
    day_count: int
    first_day_text: str
    last_day_text: str


@dataclass(frozen=True)
class ComponentView:
    """A component on the status page."""

    public_id: str
    name: str
    description: str | None
    status: str
    status_label: str
    uptime: UptimeBarView | None
    kind: Literal["component"] = "component"


@dataclass(frozen=True)
class GroupView:
    """A component group; `open` when it should be expanded."""

    public_id: str
    name: str
    description: str | None
    status: str
    status_label: str
    open: bool
    components: tuple[ComponentView, ...]
    kind: Literal["group"] = "group"


@dataclass(frozen=True)
class IncidentSummaryView:
    """An active incident on the front page."""

    public_id: str
    name: str
    impact: str
    impact_label: str
    status: str
    status_label: str
    started_at: TimeView
    latest: UpdateView | None
    components: tuple[ComponentRefView, ...]
    # Says the reader's language has no translation and which language is shown instead.
    fallback_note: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class MaintenanceView:
    """A maintenance window (front page and its own page)."""

    public_id: str
    name: str
    status: str
    status_label: str
    in_progress: bool
    scheduled_for: TimeView
    scheduled_until: TimeView
    started_at: TimeView | None
    completed_at: TimeView | None
    components: tuple[ComponentRefView, ...]
    updates: tuple[UpdateView, ...]
    latest: UpdateView | None
    # Set when the window was cancelled; status is then "cancelled".
    cancelled_at: TimeView | None = None


@dataclass(frozen=True)
class FrontPageView:
    """Everything the front page shows."""

    indicator: str
    description: str
    active_incidents: tuple[IncidentSummaryView, ...]
    maintenance_in_progress: tuple[MaintenanceView, ...]
    maintenance_upcoming: tuple[MaintenanceView, ...]
    items: tuple[GroupView | ComponentView, ...]
    uptime_days: int


@dataclass(frozen=True)
class IncidentPageView:
    """An incident's own page."""

    public_id: str
    name: str
    impact: str
    impact_label: str
    status: str
    status_label: str
    is_open: bool
    started_at: TimeView
    resolved_at: TimeView | None
    duration_text: str
    components: tuple[ComponentRefView, ...]
    updates: tuple[UpdateView, ...]
    postmortem_html: Markup | None
    postmortem_published_at: TimeView | None
    fallback_note: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class HistoryEntryView:
    """An incident or maintenance window in the history."""

    kind: Literal["incident", "maintenance"]
    public_id: str
    name: str
    # The impact for incidents, "maintenance" for maintenance windows.
    impact: str
    impact_label: str
    status: str
    status_label: str
    start: TimeView
    end: TimeView | None
    summary_html: Markup
    fallback_note: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class HistoryMonthView:
    """One month of history, newest entries first."""

    iso: str
    label: str
    entries: tuple[HistoryEntryView, ...]


@dataclass(frozen=True)
class HistoryPageView:
    """A page of history months, newest month first."""

    months: tuple[HistoryMonthView, ...]
    page: int
    pages: int
    newer_page: int | None
    older_page: int | None
    range_text: str


@dataclass(frozen=True)
class CalendarDayView:
    """A day cell of the uptime calendar."""

    iso: str
    day: int
    status: str
    title: str
    uptime_text: str | None
    future: bool


@dataclass(frozen=True)
class CalendarMonthView:
    """A month of the uptime calendar; weeks hold None for padding cells."""

    iso: str
    label: str
    percent_text: str | None
    weeks: tuple[tuple[CalendarDayView | None, ...], ...]


@dataclass(frozen=True)
class ComponentOptionView:
    """A component in the uptime page's selector."""

    public_id: str
    name: str
    selected: bool


@dataclass(frozen=True)
class UptimePageView:
    """The uptime calendar of one component over several months."""

    options: tuple[ComponentOptionView, ...]
    component: ComponentOptionView | None
    months: tuple[CalendarMonthView, ...]
    month_count: int
    month_choices: tuple[int, ...]
    weekdays: tuple[tuple[str, str], ...]  # (abbreviated, full)
    period_percent_text: str | None
    earlier_end: str
    later_end: str | None
