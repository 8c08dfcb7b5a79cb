"""Reminder use cases: the worker's scan (row + broadcast once per due period) and dismissing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..clock import utcnow
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..notifications.services import enqueue
from ..site.queries import get_page_settings
from .models import Reminder, ReminderKind
from .queries import DueItem, due_items

log = logging.getLogger("statuspage.reminders")

# The outbox event kind of a reminder; the planner sends it to the broadcast channels only.
REMINDER_DUE = "reminder.due"
# The worker ticks every second; the scan needs to run only this often.
SCAN_EVERY = timedelta(seconds=30)
_LAST_SCAN = "statuspage.reminders.last_scan"


def console_url(item: DueItem) -> str:
    """Return the console page a reminder points to."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    if item.kind is ReminderKind.UPDATE_DUE:
        return f"{base}/admin/incidents/{item.public_id}"
    return f"{base}/admin/components/{item.public_id}"


def _event_payload(item: DueItem) -> dict[str, Any]:
    settings = get_page_settings()
    base = str(current_app.config["BASE_URL"])
    return {
        "context": {
            "kind": REMINDER_DUE,
            "page": {
                "id": settings.public_id or "",
                "name": settings.name,
                "url": settings.url or base,
                "time_zone": settings.time_zone,
            },
            "reminder": {
                "type": item.kind.value,
                "name": item.name,
                "status": item.status,
                "since": item.since.isoformat(),
                "due_at": item.due_at.isoformat(),
                "url": console_url(item),
            },
        },
        # Which broadcast channels hear of it (their component and impact filters).
        "broadcast": {"component_ids": list(item.component_ids), "impact": item.impact.value},
    }


def _find(item: DueItem) -> Reminder | None:
    query = sa.select(Reminder).where(
        Reminder.kind == item.kind, Reminder.subject == item.subject, Reminder.due_at == item.due_at
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def _new_row(item: DueItem, now: datetime) -> Reminder:
    row = Reminder(
        kind=item.kind,
        subject=item.subject,
        incident_id=item.incident_id,
        component_id=item.component_id,
        due_at=item.due_at,
        created_at=now,
    )
    db.session.add(row)
    return row


def send_reminder(item: DueItem, now: datetime) -> bool:
    """Record a due reminder and queue its broadcast, once; say whether it was sent now."""
    with unit_of_work():
        row = _find(item) or _new_row(item, now)
        if row.sent_at is not None:
            return False
        row.sent_at = now
        enqueue(REMINDER_DUE, _event_payload(item))
    return True


def clear_settled(now: datetime, due: list[DueItem]) -> int:
    """Mark reminders whose reason went away (an update was posted, things recovered)."""
    current = {(i.kind.value, i.subject, i.due_at) for i in due}
    with unit_of_work():
        open_rows = db.session.scalars(sa.select(Reminder).where(Reminder.cleared_at.is_(None)))
        cleared = 0
        for row in open_rows:
            if (ReminderKind(row.kind).value, row.subject, row.due_at) not in current:
                row.cleared_at = now
                cleared += 1
    return cleared


def run_due_reminders(now: datetime) -> int:
    """Send every reminder due at now that was not sent yet; return how many were sent."""
    due = due_items(now)
    db.session.rollback()  # end the read transaction before one transaction per reminder
    sent = 0
    for item in due:
        try:
            sent += send_reminder(item, now)
        except IntegrityError:
            # Another worker recorded the same reminder first: it sends it.
            db.session.rollback()
            log.info("reminder %s %s already recorded by another worker", item.kind, item.subject)
    clear_settled(now, due)
    return sent


def scan_reminders(now: datetime) -> int:
    """Run the reminder scan at most every SCAN_EVERY (the worker calls this every tick)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    last = app.extensions.get(_LAST_SCAN)
    if last is not None and now - last < SCAN_EVERY and now >= last:
        return 0
    app.extensions[_LAST_SCAN] = now
    return run_due_reminders(now)


def dismiss_reminder(
    kind: str, subject: str, due_at: str, *, actor: str, actor_id: int | None = None
) -> None:
    """Hide a due reminder from the console banner until it falls due again."""
    now = utcnow()
    item = next(
        (
            i
            for i in due_items(now)
            if i.kind.value == kind and i.subject == subject and i.due_at.isoformat() == due_at
        ),
        None,
    )
    if item is None:
        raise ValidationError({"reminder": _("This reminder is no longer due.")})
    with unit_of_work():
        row = _find(item) or _new_row(item, now)
        if row.dismissed_at is not None:
            return
        row.dismissed_at = now
        row.dismissed_by_id = actor_id
        db.session.flush()
        record(
            actor,
            "reminder.dismiss",
            "reminder",
            row.public_id,
            None,
            {"kind": item.kind.value, "subject": item.subject, "due_at": item.due_at.isoformat()},
            actor_id=actor_id,
        )
