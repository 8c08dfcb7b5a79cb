"""Worker task: re-export the public site after anything public changed.

What changed is read from the audit log: every write that can change the
public site (incidents, maintenance, components, settings, the demo) records
an audit entry in its own transaction, whichever process made it. Signals
would only reach the process that sent them, and the web processes publish.

The last export is remembered in the worker process, not in the database:
each worker exports into a directory on its own host, so one worker's export
must not stop another host's copy from being refreshed. A restarted worker
exports once at its first tick, which also repairs a copy that went stale
while no worker ran. The copy is also refreshed when the UTC day changes,
since the uptime bars end at today.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..audit.models import AuditEntry
from ..extensions import db

log = logging.getLogger("statuspage.export")

STATE_KEY = "statuspage.export"
# After a failed export, wait this long before trying again (unless something changes):
# a page that keeps failing must not cost a full export every tick.
RETRY_AFTER = timedelta(seconds=60)


@dataclass
class ExportState:
    """What the last export of this process saw."""

    marker: tuple[Any, ...] | None = None
    day: date | None = None
    failed_at: datetime | None = None


def change_marker() -> tuple[Any, ...]:
    """Return a value that changes whenever a public write is committed (the newest audit entry)."""
    row = db.session.execute(
        sa.select(sa.func.max(AuditEntry.id), sa.func.max(AuditEntry.created_at))
    ).one()
    db.session.rollback()  # hold no read transaction until the next tick
    return tuple(row)


def export_state() -> ExportState:
    """Return this app's (this process's) export state."""
    state: ExportState = current_app.extensions.setdefault(STATE_KEY, ExportState())
    return state


def refresh_export(now: datetime) -> int:
    """Re-export into EXPORT_DIR if anything changed since this process last did; return 0 or 1."""
    from .services import export_site

    directory = current_app.config.get("EXPORT_DIR")
    if not directory:
        return 0
    state = export_state()
    # Read before exporting: a change committed during the export triggers the next one.
    marker = change_marker()
    changed = (state.marker, state.day) != (marker, now.date())
    if state.failed_at is None:
        if not changed:
            return 0
    elif not changed and now - state.failed_at < RETRY_AFTER:
        return 0  # the last try failed: a new change retries at once, otherwise wait
    try:
        result = export_site(Path(directory))
    except Exception:
        state.marker, state.day, state.failed_at = marker, now.date(), now
        raise
    state.marker, state.day, state.failed_at = marker, now.date(), None
    log.info("exported %d files (%d bytes) to %s", result.files, result.bytes, result.target)
    return 1
