"""Maintenance use cases: schedule a window, start, complete or cancel it, the worker's transitions.

A cancelled window is completed with cancelled_at set (see models): every query
below that looks for scheduled or active windows skips it by its status, and the
worker's also say so explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentStatus, ComponentStatusChange, StatusCause
from ..components.services import set_component_status
from ..db import after_commit, record_event, unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..signals import (
    maintenance_cancelled,
    maintenance_reminder_due,
    maintenance_transitioned,
    maintenance_update_posted,
)
from .models import Maintenance, MaintenanceStatus, MaintenanceUpdate, maintenance_component

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255
MAX_BODY_LENGTH = 20_000
MAX_REMIND_MINUTES = 60 * 24 * 14  # two weeks
# Windows that have started but not finished; their components may be under maintenance.
ACTIVE_STATUSES = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


def schedule_maintenance(
    name: str,
    body: str,
    components: Iterable[Component],
    scheduled_for: datetime,
    scheduled_until: datetime,
    *,
    auto_start: bool = True,
    auto_complete: bool = True,
    notify: bool = True,
    notify_on_start: bool = True,
    notify_on_complete: bool = True,
    remind_before_minutes: int | None = None,
    display_at: datetime | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Maintenance:
    """Schedule a maintenance window on some components (display_at backdates the announcement)."""
    name, body = _check_window(name, body, scheduled_for, scheduled_until, remind_before_minutes)

    with unit_of_work() as session:
        maintenance = Maintenance(
            name=name,
            status=MaintenanceStatus.SCHEDULED,
            scheduled_for=scheduled_for,
            scheduled_until=scheduled_until,
            auto_start=auto_start,
            auto_complete=auto_complete,
            notify_on_start=notify_on_start,
            notify_on_complete=notify_on_complete,
            remind_before_minutes=remind_before_minutes,
        )
        maintenance.components = list(dict.fromkeys(components))
        session.add(maintenance)
        session.flush()
        first = _add_update(
            session,
            maintenance,
            MaintenanceStatus.SCHEDULED,
            body,
            display_at or utcnow(),
            notify,
            actor_id,
        )
        record(
            actor,
            "maintenance.schedule",
            "maintenance",
            maintenance.public_id,
            None,
            _snapshot(maintenance),
            actor_id=actor_id,
        )
        _announce(maintenance, first, "maintenance.scheduled")
    return maintenance


def _check_window(
    name: str,
    body: str | None,
    scheduled_for: datetime | None,
    scheduled_until: datetime | None,
    remind_before_minutes: int | None,
) -> tuple[str, str]:
    """Validate a window's wording and times; return the cleaned name and body."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
    body = body or ""
    if len(body) > MAX_BODY_LENGTH:
        errors["body"] = _("Use at most %(count)d characters.", count=MAX_BODY_LENGTH)
    for field, value in (("scheduled_for", scheduled_for), ("scheduled_until", scheduled_until)):
        if value is None:
            errors[field] = _("Give a time.")
        elif value.tzinfo is None:
            errors[field] = _("Give a timezone-aware time.")
    times_given = not {"scheduled_for", "scheduled_until"} & set(errors)
    if times_given and scheduled_until <= scheduled_for:  # type: ignore[operator]
        errors["scheduled_until"] = _("The window must end after it starts.")
    if remind_before_minutes is not None and not 0 < remind_before_minutes <= MAX_REMIND_MINUTES:
        errors["remind_before_minutes"] = _(
            "Give a number of minutes between 1 and %(most)d.", most=MAX_REMIND_MINUTES
        )
    if errors:
        raise ValidationError(errors)
    return name, body


def start_maintenance(
    maintenance: Maintenance,
    *,
    at: datetime | None = None,
    body: str | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MaintenanceUpdate:
    """Start a scheduled window: its operational components go under maintenance."""
    _refuse_cancelled(maintenance)
    if maintenance.status is not MaintenanceStatus.SCHEDULED:
        raise ValidationError({"status": _("Only a scheduled maintenance can be started.")})
    if body is not None:
        body = _check_update_body(body, required=False) or None
    with unit_of_work() as session:
        return _start(session, maintenance, at or utcnow(), body, actor, actor_id)


def complete_maintenance(
    maintenance: Maintenance,
    *,
    at: datetime | None = None,
    body: str | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MaintenanceUpdate:
    """Complete a window: components still under maintenance go back to operational."""
    _refuse_cancelled(maintenance)
    if maintenance.status is MaintenanceStatus.COMPLETED:
        raise ValidationError({"status": _("This maintenance is already completed.")})
    if body is not None:
        body = _check_update_body(body, required=False) or None
    with unit_of_work() as session:
        return _complete(session, maintenance, at or utcnow(), body, actor, actor_id)


def cancel_maintenance(
    maintenance: Maintenance,
    message: str | None = None,
    *,
    notify: bool = True,
    at: datetime | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MaintenanceUpdate:
    """Cancel a scheduled or started window: post a final update and give its components back.

    The window becomes completed with cancelled_at set (see the models' docstring).
    Components this window put under maintenance go back to the status they had
    before it started, unless another active window still covers them or an
    incident made them worse meanwhile.
    """
    if maintenance.cancelled_at is not None:
        raise ValidationError({"status": _("This maintenance is already cancelled.")})
    if maintenance.status is MaintenanceStatus.COMPLETED:
        raise ValidationError(
            {"status": _("This maintenance is completed, so it can no longer be cancelled.")}
        )
    body = _check_update_body(message, required=False) or _("This maintenance has been cancelled.")
    at = at or utcnow()
    with unit_of_work() as session:
        before = _snapshot(maintenance)
        # The same claim as the worker's: whichever of a person and a worker comes second
        # finds the window moved on and changes nothing.
        claimed = _claim(
            session,
            maintenance.id,
            (MaintenanceStatus.SCHEDULED, *ACTIVE_STATUSES),
            MaintenanceStatus.COMPLETED,
        )
        if claimed is None:
            raise ValidationError(
                {"status": _("This maintenance changed meanwhile. Reload the page and try again.")}
            )
        was_active = claimed.status in ACTIVE_STATUSES
        claimed.status = MaintenanceStatus.COMPLETED
        claimed.completed_at = at
        claimed.cancelled_at = at
        claimed.cancelled_by_id = actor_id
        if was_active:
            _restore_components(session, claimed, at, actor, actor_id)
        update = _add_update(
            session, claimed, MaintenanceStatus.COMPLETED, body, at, notify, actor_id
        )
        record(
            actor,
            "maintenance.cancel",
            "maintenance",
            claimed.public_id,
            before,
            _snapshot(claimed)
            | {"cancelled_at": at.isoformat(), "message": body, "notify": notify},
            actor_id=actor_id,
        )
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        ids = (claimed.id, update.id)
        if notify:
            record_event("maintenance.cancelled", maintenance_id=ids[0], update_id=ids[1])

        def announce() -> None:
            maintenance_cancelled.send(app, maintenance_id=ids[0], update_id=ids[1], notify=notify)

        after_commit(announce)
    return update


def _refuse_cancelled(maintenance: Maintenance) -> None:
    if maintenance.cancelled_at is not None:
        raise ValidationError({"status": _("This maintenance was cancelled.")})


def _restore_components(
    session: Session, maintenance: Maintenance, at: datetime, actor: str, actor_id: int | None
) -> None:
    """Give back the status each component had before this window put it under maintenance."""
    rows = session.execute(
        sa.select(ComponentStatusChange.component_id, ComponentStatusChange.previous_status)
        .where(
            ComponentStatusChange.maintenance_id == maintenance.id,
            ComponentStatusChange.status == ComponentStatus.UNDER_MAINTENANCE,
        )
        .order_by(ComponentStatusChange.changed_at, ComponentStatusChange.id)
    ).all()
    # The earliest switch holds the status from before the window.
    before: dict[int, ComponentStatus] = {}
    for component_id, previous in rows:
        before.setdefault(component_id, ComponentStatus(previous or ComponentStatus.OPERATIONAL))
    held = _components_in_other_windows(maintenance)
    for component in maintenance.components:
        # Only what this window switched, and still shows maintenance (an incident may
        # have made it worse meanwhile: leave that alone).
        if (
            component.id in before
            and component.status is ComponentStatus.UNDER_MAINTENANCE
            and component.id not in held
        ):
            set_component_status(
                component,
                before[component.id],
                cause=StatusCause.MAINTENANCE,
                at=at,
                maintenance_id=maintenance.id,
                actor=actor,
                actor_id=actor_id,
            )


def find_maintenance(public_id: str) -> Maintenance | None:
    """Return a maintenance window by public id (hidden ones too), or None."""
    return db.session.scalar(sa.select(Maintenance).where(Maintenance.public_id == public_id))


def update_maintenance(
    maintenance: Maintenance,
    name: str,
    body: str,
    components: Iterable[Component],
    scheduled_for: datetime,
    scheduled_until: datetime,
    *,
    auto_start: bool = True,
    auto_complete: bool = True,
    notify_on_start: bool = True,
    notify_on_complete: bool = True,
    remind_before_minutes: int | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> Maintenance:
    """Change a window that has not started: wording, components, times and options.

    body replaces the scheduling announcement. Moving the start re-arms the reminder.
    """
    _refuse_cancelled(maintenance)
    if maintenance.status is not MaintenanceStatus.SCHEDULED:
        raise ValidationError({"status": _("Only a scheduled maintenance can be edited.")})
    name, body = _check_window(name, body, scheduled_for, scheduled_until, remind_before_minutes)
    with unit_of_work() as session:
        before = _snapshot(maintenance)
        if scheduled_for != maintenance.scheduled_for:
            maintenance.reminded_at = None
        maintenance.name = name
        maintenance.components = list(dict.fromkeys(components))
        maintenance.scheduled_for = scheduled_for
        maintenance.scheduled_until = scheduled_until
        maintenance.auto_start = auto_start
        maintenance.auto_complete = auto_complete
        maintenance.notify_on_start = notify_on_start
        maintenance.notify_on_complete = notify_on_complete
        maintenance.remind_before_minutes = remind_before_minutes
        announcement = _first_update(maintenance)
        if announcement is not None:
            before["body"] = announcement.body
            announcement.body = body
        session.flush()
        after = _snapshot(maintenance) | ({"body": body} if announcement is not None else {})
        record(
            actor,
            "maintenance.edit",
            "maintenance",
            maintenance.public_id,
            before,
            after,
            actor_id=actor_id,
        )
    return maintenance


def verify_maintenance(
    maintenance: Maintenance,
    *,
    at: datetime | None = None,
    body: str | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MaintenanceUpdate:
    """Say the work is done and being checked: an in-progress window moves to verifying.

    Components stay under maintenance until the window completes; nobody is notified.
    """
    _refuse_cancelled(maintenance)
    if maintenance.status is not MaintenanceStatus.IN_PROGRESS:
        raise ValidationError({"status": _("Only a maintenance in progress can be verified.")})
    body = _check_update_body(body, required=False) or None
    at = at or utcnow()
    with unit_of_work() as session:
        before = _snapshot(maintenance)
        maintenance.status = MaintenanceStatus.VERIFYING
        if not body:
            body = _("The work is done; we are verifying that everything works as expected.")
        update = _add_update(
            session, maintenance, MaintenanceStatus.VERIFYING, body, at, False, actor_id
        )
        record(
            actor,
            "maintenance.verify",
            "maintenance",
            maintenance.public_id,
            before,
            _snapshot(maintenance),
            actor_id=actor_id,
        )
        _announce(maintenance, update)
    return update


def post_maintenance_update(
    maintenance: Maintenance,
    body: str,
    *,
    notify: bool = True,
    at: datetime | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MaintenanceUpdate:
    """Add a message to a window's timeline without changing its status."""
    body = _check_update_body(body, required=True)
    with unit_of_work() as session:
        update = _add_update(
            session,
            maintenance,
            MaintenanceStatus(maintenance.status),
            body,
            at or utcnow(),
            notify,
            actor_id,
        )
        record(
            actor,
            "maintenance.update",
            "maintenance",
            maintenance.public_id,
            None,
            {"update": update.public_id, "status": update.status.value, "notify": notify},
            actor_id=actor_id,
        )
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        ids = (maintenance.id, update.id)
        if notify:
            record_event("maintenance.updated", maintenance_id=ids[0], update_id=ids[1])

        def announce() -> None:
            maintenance_update_posted.send(
                app, maintenance_id=ids[0], update_id=ids[1], notify=notify
            )

        after_commit(announce)
    return update


def run_due_reminders(now: datetime) -> int:
    """Mark each window whose reminder time has come and announce it once; return how many.

    The announcement is the maintenance_reminder_due signal, sent after the commit
    that set reminded_at; the conditional UPDATE makes that happen once even with
    several workers.
    """
    rows = db.session.execute(
        sa.select(
            Maintenance.id,
            Maintenance.public_id,
            Maintenance.scheduled_for,
            Maintenance.remind_before_minutes,
        ).where(
            Maintenance.status == MaintenanceStatus.SCHEDULED,
            Maintenance.cancelled_at.is_(None),
            Maintenance.hidden.is_(False),
            Maintenance.remind_before_minutes.is_not(None),
            Maintenance.reminded_at.is_(None),
            # A window that should already have started gets no reminder any more.
            Maintenance.scheduled_for > now,
            Maintenance.scheduled_for <= now + timedelta(minutes=MAX_REMIND_MINUTES),
        )
    ).all()
    due = [
        (maintenance_id, public_id)
        for maintenance_id, public_id, starts, minutes in rows
        if minutes is not None and starts - timedelta(minutes=minutes) <= now
    ]
    done = 0
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for maintenance_id, public_id in due:
        with unit_of_work() as session:
            result = session.execute(
                sa.update(Maintenance)
                .where(
                    Maintenance.id == maintenance_id,
                    Maintenance.reminded_at.is_(None),
                    Maintenance.status == MaintenanceStatus.SCHEDULED,
                    Maintenance.cancelled_at.is_(None),
                )
                .values(reminded_at=now, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker sent it
            record(
                "worker",
                "maintenance.remind",
                "maintenance",
                public_id,
                None,
                {"reminded_at": now.isoformat()},
            )

            record_event("maintenance.reminder", maintenance_id=maintenance_id)

            def announce(maintenance_id: int = maintenance_id) -> None:
                maintenance_reminder_due.send(app, maintenance_id=maintenance_id)

            after_commit(announce)
            done += 1
    return done


def _check_update_body(body: str | None, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            {"body": _("Use at most %(count)d characters.", count=MAX_BODY_LENGTH)}
        )
    return body


def _first_update(maintenance: Maintenance) -> MaintenanceUpdate | None:
    """Return the announcement made when the window was scheduled."""
    scheduled = [u for u in maintenance.updates if u.status is MaintenanceStatus.SCHEDULED]
    return min(scheduled, key=lambda u: (u.display_at, u.id)) if scheduled else None


def run_due_transitions(now: datetime) -> int:
    """Start and complete the windows that are due at now; return how many transitions were made.

    Safe to run from several workers at once: each transition claims its row
    (FOR UPDATE SKIP LOCKED on PostgreSQL, then a conditional UPDATE that only
    one transaction can win on any engine) and re-checks the status.
    """
    done = 0
    due_starts = db.session.scalars(
        sa.select(Maintenance.id)
        .where(
            Maintenance.status == MaintenanceStatus.SCHEDULED,
            Maintenance.cancelled_at.is_(None),
            Maintenance.auto_start.is_(True),
            Maintenance.scheduled_for <= now,
        )
        .order_by(Maintenance.scheduled_for)
    ).all()
    for maintenance_id in due_starts:
        with unit_of_work() as session:
            maintenance = _claim(
                session,
                maintenance_id,
                (MaintenanceStatus.SCHEDULED,),
                MaintenanceStatus.IN_PROGRESS,
            )
            if maintenance is not None:
                _start(session, maintenance, maintenance.scheduled_for, None, "worker", None)
                done += 1

    # Runs after the starts so a window whose whole span was missed ends in the same pass.
    due_ends = db.session.scalars(
        sa.select(Maintenance.id)
        .where(
            Maintenance.status.in_([s.value for s in ACTIVE_STATUSES]),
            Maintenance.cancelled_at.is_(None),
            Maintenance.auto_complete.is_(True),
            Maintenance.scheduled_until <= now,
        )
        .order_by(Maintenance.scheduled_until)
    ).all()
    for maintenance_id in due_ends:
        with unit_of_work() as session:
            maintenance = _claim(
                session, maintenance_id, ACTIVE_STATUSES, MaintenanceStatus.COMPLETED
            )
            if maintenance is not None:
                # Completion is dated at the planned end, unless the window started later.
                at = max(maintenance.scheduled_until, maintenance.started_at or now)
                _complete(session, maintenance, at, None, "worker", None, claimed=True)
                done += 1
    return done


def _claim(
    session: Session,
    maintenance_id: int,
    from_statuses: Sequence[MaintenanceStatus],
    to_status: MaintenanceStatus,
) -> Maintenance | None:
    """Lock and move one window out of from_statuses; None when another worker got it first."""
    allowed = [s.value for s in from_statuses]
    open_window = (
        Maintenance.id == maintenance_id,
        Maintenance.status.in_(allowed),
        Maintenance.cancelled_at.is_(None),
    )
    maintenance = session.scalar(
        sa.select(Maintenance)
        .where(*open_window)
        .with_for_update(skip_locked=True)  # rendered only where supported (PostgreSQL)
        .execution_options(populate_existing=True)
    )
    if maintenance is None:
        return None
    # SQLite has no row locks: the conditional UPDATE is the atomic claim there.
    result = session.execute(
        sa.update(Maintenance)
        .where(*open_window)
        .values(status=to_status.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return maintenance


def _start(
    session: Session,
    maintenance: Maintenance,
    at: datetime,
    body: str | None,
    actor: str,
    actor_id: int | None,
) -> MaintenanceUpdate:
    before = _snapshot(maintenance)
    maintenance.status = MaintenanceStatus.IN_PROGRESS
    maintenance.started_at = at
    for component in maintenance.components:
        # Never hide something worse than maintenance (an outage stays visible).
        if component.status is ComponentStatus.OPERATIONAL:
            set_component_status(
                component,
                ComponentStatus.UNDER_MAINTENANCE,
                cause=StatusCause.MAINTENANCE,
                at=at,
                maintenance_id=maintenance.id,
                actor=actor,
                actor_id=actor_id,
            )
    if body is None:
        body = _(
            "Scheduled maintenance is currently in progress. We will provide updates as necessary."
        )
    update = _add_update(
        session,
        maintenance,
        MaintenanceStatus.IN_PROGRESS,
        body,
        at,
        maintenance.notify_on_start,
        actor_id,
    )
    record(
        actor,
        "maintenance.start",
        "maintenance",
        maintenance.public_id,
        before,
        _snapshot(maintenance),
        actor_id=actor_id,
    )
    _announce(maintenance, update)
    return update


def _complete(
    session: Session,
    maintenance: Maintenance,
    at: datetime,
    body: str | None,
    actor: str,
    actor_id: int | None,
    *,
    claimed: bool = False,
) -> MaintenanceUpdate:
    before = _snapshot(maintenance)
    was_active = claimed or maintenance.status in ACTIVE_STATUSES
    maintenance.status = MaintenanceStatus.COMPLETED
    maintenance.completed_at = at
    if was_active:
        held = _components_in_other_windows(maintenance)
        for component in maintenance.components:
            # An incident during the window may have set something worse: leave that alone.
            if component.status is ComponentStatus.UNDER_MAINTENANCE and component.id not in held:
                set_component_status(
                    component,
                    ComponentStatus.OPERATIONAL,
                    cause=StatusCause.MAINTENANCE,
                    at=at,
                    maintenance_id=maintenance.id,
                    actor=actor,
                    actor_id=actor_id,
                )
    if body is None:
        body = _("The scheduled maintenance has been completed.")
    update = _add_update(
        session,
        maintenance,
        MaintenanceStatus.COMPLETED,
        body,
        at,
        maintenance.notify_on_complete,
        actor_id,
    )
    record(
        actor,
        "maintenance.complete",
        "maintenance",
        maintenance.public_id,
        before,
        _snapshot(maintenance),
        actor_id=actor_id,
    )
    _announce(maintenance, update)
    return update


def _components_in_other_windows(maintenance: Maintenance) -> set[int]:
    """Return ids of this window's components also covered by another active window."""
    ids = [c.id for c in maintenance.components]
    if not ids:
        return set()
    rows = db.session.scalars(
        sa.select(maintenance_component.c.component_id)
        .join(Maintenance, Maintenance.id == maintenance_component.c.maintenance_id)
        .where(
            Maintenance.id != maintenance.id,
            Maintenance.status.in_([s.value for s in ACTIVE_STATUSES]),
            maintenance_component.c.component_id.in_(ids),
        )
    )
    return set(rows)


def _add_update(
    session: Session,
    maintenance: Maintenance,
    status: MaintenanceStatus,
    body: str,
    at: datetime,
    notify: bool,
    actor_id: int | None,
) -> MaintenanceUpdate:
    update = MaintenanceUpdate(
        maintenance=maintenance,
        status=status,
        body=body,
        display_at=at,
        notify=notify,
        author_id=actor_id,
    )
    session.add(update)
    session.flush()
    return update


def _announce(
    maintenance: Maintenance,
    update: MaintenanceUpdate | None = None,
    event: str = "maintenance.updated",
) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    maintenance_id, status = maintenance.id, MaintenanceStatus(maintenance.status).value
    if update is not None and update.notify:
        record_event(event, maintenance_id=maintenance_id, update_id=update.id)

    def announce() -> None:
        maintenance_transitioned.send(app, maintenance_id=maintenance_id, status=status)

    after_commit(announce)


def _snapshot(maintenance: Maintenance) -> dict[str, Any]:
    return {
        "name": maintenance.name,
        "status": MaintenanceStatus(maintenance.status).value,
        "scheduled_for": maintenance.scheduled_for.isoformat(),
        "scheduled_until": maintenance.scheduled_until.isoformat(),
        "components": [c.public_id for c in maintenance.components],
        "auto_start": maintenance.auto_start,
        "auto_complete": maintenance.auto_complete,
        "notify_on_start": maintenance.notify_on_start,
        "notify_on_complete": maintenance.notify_on_complete,
        "remind_before_minutes": maintenance.remind_before_minutes,
    }
