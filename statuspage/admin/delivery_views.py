"""Delivery reports in the console: per update, a full page per event, live JSON, retry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..extensions import db
from ..notifications import queries
from ..notifications.broadcasts import mask_text, mask_url
from ..notifications.models import BroadcastChannel, DeliveryState, OutboxEvent
from ..notifications.services import retry_failed
from ..subscribers.models import Channel, Subscriber
from ..subscribers.services import mask_target
from . import bp
from .access import requires
from .forms import ConfirmForm
from .subscriber_forms import CHANNEL_LABELS
from .view_support import actor, can_write, page_zone, time_text

PAGE_SIZE = 50
# The states the report shows, in the order a delivery goes through them.
SHOWN_STATES = (
    DeliveryState.QUEUED,
    DeliveryState.SENDING,
    DeliveryState.SENT,
    DeliveryState.FAILED,
    DeliveryState.DEAD,
    DeliveryState.SUPERSEDED,
)
STATE_LABELS = {
    DeliveryState.QUEUED: _l("Queued"),
    DeliveryState.SENDING: _l("Sending"),
    DeliveryState.SENT: _l("Sent"),
    DeliveryState.FAILED: _l("Failed"),
    DeliveryState.DEAD: _l("Dead"),
    DeliveryState.SUPERSEDED: _l("Superseded"),
    DeliveryState.SKIPPED: _l("Skipped"),
}
KIND_LABELS = {
    "incident.created": _l("New incident"),
    "incident.updated": _l("Incident update"),
    "maintenance.scheduled": _l("Maintenance scheduled"),
    "maintenance.updated": _l("Maintenance update"),
    "maintenance.cancelled": _l("Maintenance cancelled"),
    "maintenance.reminder": _l("Maintenance reminder"),
    "component.status_changed": _l("Component status change"),
    "postmortem.published": _l("Postmortem"),
    "subscriber.confirmation_requested": _l("Confirmation request"),
    "subscriber.webhook_created": _l("Webhook ping"),
    "broadcast.test": _l("Broadcast test"),
    "reminder.due": _l("Reminder to the communicators"),
}


def kind_label(kind: str) -> str:
    """Return the label of an outbox event kind."""
    return str(KIND_LABELS.get(kind, kind))


def state_label(state: DeliveryState) -> str:
    """Return the label of a delivery state."""
    return str(STATE_LABELS[DeliveryState(state)])


@dataclass(frozen=True)
class ChannelRow:
    """One channel's counts in a report."""

    channel: str
    label: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ErrorRow:
    """One failed attempt, its error text with URLs masked."""

    at: str
    channel: str
    key: str
    error: str


@dataclass(frozen=True)
class ReportView:
    """One event's delivery report as the console shows it."""

    event_id: int
    kind: str
    kind_label: str
    planned: bool
    active: bool
    summary: str
    # The one delivery's state when the event has a single recipient (a test, a ping).
    state: str
    channels: list[ChannelRow]
    totals: dict[str, int]
    total: int
    retried: int
    possible_duplicates: int
    retryable: int
    errors: list[ErrorRow] = field(default_factory=list)


def _summary(report: queries.DeliveryReport, active: bool) -> str:
    if not report.planned and report.total == 0:
        return _("Waiting for the worker")
    if report.total == 1:
        # One recipient (a test or a ping): its state says it all.
        (state,) = [s for s, n in report.totals.items() if n]
        return state_label(state)
    if active:
        return _("Sending")
    return _("Done")


def build_report(event: OutboxEvent, when: Callable[[datetime | None], str]) -> ReportView:
    """Return the view-model of one event's delivery report."""
    report = queries.delivery_report(event)
    totals = {s.value: report.totals.get(s, 0) for s in SHOWN_STATES}
    active = (
        not report.planned
        or report.totals[DeliveryState.QUEUED] > 0
        or report.totals[DeliveryState.SENDING] > 0
    )
    channels = [
        ChannelRow(
            channel=c.value,
            label=str(CHANNEL_LABELS[c]),
            counts={s.value: report.by_channel[c].get(s, 0) for s in SHOWN_STATES},
        )
        for c in Channel
        if c in report.by_channel
    ]
    return ReportView(
        event_id=event.id,
        kind=event.kind,
        kind_label=kind_label(event.kind),
        planned=report.planned,
        active=active,
        summary=_summary(report, active),
        state=next((st.value for st, n in report.totals.items() if n), "")
        if report.total == 1
        else "",
        channels=channels,
        totals=totals,
        total=report.total,
        retried=report.retried,
        possible_duplicates=report.possible_duplicates,
        retryable=report.totals[DeliveryState.FAILED] + report.totals[DeliveryState.DEAD],
        errors=[
            ErrorRow(
                at=when(e.at),
                channel=str(CHANNEL_LABELS[e.channel]),
                key=e.key,
                error=mask_text(e.error),
            )
            for e in report.recent_errors
        ],
    )


def update_reports(update_public_ids: list[str]) -> dict[str, list[ReportView]]:
    """Return the delivery reports of these updates, by update public id."""
    when = time_text(page_zone())
    return {
        update_id: [build_report(e, when) for e in events]
        for update_id, events in queries.events_for_updates(update_public_ids).items()
    }


def report_globals(update_public_ids: list[str]) -> dict[str, Any]:
    """Return what an incident or maintenance page needs to show its updates' reports."""
    return {
        "delivery_reports": update_reports(update_public_ids),
        "retry_form": ConfirmForm(),
        "can_retry": can_write(),
        "delivery_state_labels": {s.value: str(STATE_LABELS[s]) for s in SHOWN_STATES},
    }


def report_json(report: ReportView) -> dict[str, Any]:
    """Return a report as the console's live view polls it."""
    return {
        "event_id": report.event_id,
        "planned": report.planned,
        "active": report.active,
        "summary": report.summary,
        "state": report.state,
        "total": report.total,
        "totals": report.totals,
        "channels": [
            {"channel": c.channel, "label": c.label, "counts": c.counts} for c in report.channels
        ],
        "retried": report.retried,
        "possible_duplicates": report.possible_duplicates,
        "retryable": report.retryable,
        "errors": [
            {"at": e.at, "channel": e.channel, "key": e.key, "error": e.error}
            for e in report.errors
        ],
    }


def _event(event_id: int) -> OutboxEvent:
    found = queries.find_event(event_id)
    if found is None:
        abort(404)
    return found


@dataclass(frozen=True)
class FailedRow:
    """A failed or dead delivery on the report page."""

    recipient: str
    channel: str
    state: str
    attempts: int
    error: str
    next_attempt: str


def _recipients(rows: list[queries.FailedDelivery]) -> dict[tuple[str, int], str]:
    """Return masked recipient names for these deliveries (one query per kind)."""
    names: dict[tuple[str, int], str] = {}
    subscriber_ids = [r.subscriber_id for r in rows if r.subscriber_id is not None]
    if subscriber_ids:
        for s in db.session.scalars(sa.select(Subscriber).where(Subscriber.id.in_(subscriber_ids))):
            names[("s", s.id)] = mask_target(s.channel, s.target)
    channel_ids = [r.broadcast_channel_id for r in rows if r.broadcast_channel_id is not None]
    if channel_ids:
        for b in db.session.scalars(
            sa.select(BroadcastChannel).where(BroadcastChannel.id.in_(channel_ids))
        ):
            names[("b", b.id)] = f"{b.name} ({mask_url(b.apprise_url)})"
    return names


@bp.get("/deliveries/<int:event_id>")
def delivery_report(event_id: int) -> ResponseReturnValue:
    """Show one event's full delivery report and its failed and dead deliveries."""
    event = _event(event_id)
    zone = page_zone()
    when = time_text(zone)
    report = build_report(event, when)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    count = queries.count_failed(event)
    failed = queries.failed_deliveries(event, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    names = _recipients(failed)
    rows = [
        FailedRow(
            recipient=names.get(
                ("s", f.subscriber_id)
                if f.subscriber_id is not None
                else ("b", f.broadcast_channel_id or 0),
                f.key,
            ),
            channel=str(CHANNEL_LABELS[f.channel]),
            state=state_label(f.state),
            attempts=f.attempts,
            error=mask_text(f.last_error),
            next_attempt=when(f.next_attempt_at) if f.state is DeliveryState.FAILED else "",
        )
        for f in failed
    ]
    return render_template(
        "admin/deliveries/report.html",
        report=report,
        event=event,
        created_at=when(event.created_at),
        failed=rows,
        failed_count=count,
        page=page,
        pages=max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        retry_form=ConfirmForm(),
        can_retry=can_write(),
        state_labels={s.value: str(STATE_LABELS[s]) for s in SHOWN_STATES},
    )


@bp.get("/deliveries/<int:event_id>/status")
def delivery_status(event_id: int) -> ResponseReturnValue:
    """Answer one event's delivery counts as JSON (the console polls it while sending)."""
    report = build_report(_event(event_id), time_text(page_zone()))
    return jsonify(report_json(report))


@bp.post("/deliveries/<int:event_id>/retry")
@requires(Role.COMMUNICATOR)
def delivery_retry(event_id: int) -> ResponseReturnValue:
    """Queue an event's failed and dead deliveries again."""
    event = _event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = retry_failed(event, **actor())
    if count:
        flash(_("%(count)d deliveries were queued again.", count=count), "success")
    else:
        flash(_("Nothing to retry: no delivery has failed."), "success")
    back = request.form.get("next", "")
    # Only go back to a console page: never to another site.
    if not back.startswith("/admin/") or back.startswith("//"):
        back = url_for("admin.delivery_report", event_id=event.id)
    return redirect(back)
