"""What /healthz and /metrics read: database, migrations and worker heartbeats."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from ..clock import utcnow
from ..extensions import db
from ..incidents.models import Incident, IncidentStatus
from ..worker.models import WorkerHeartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerState:
    """The freshest worker heartbeat and what it says."""

    last_seen_at: datetime | None
    age_seconds: float | None
    state: str  # ok | stale | missing


@dataclass(frozen=True)
class Health:
    """Everything /healthz reports."""

    database_ok: bool
    current_revision: str | None
    head_revision: str | None
    worker: WorkerState | None

    @property
    def at_head(self) -> bool:
        """Say whether the database schema is at the newest migration."""
        return (
            self.database_ok
            and self.head_revision is not None
            and (self.current_revision == self.head_revision)
        )

    @property
    def healthy(self) -> bool:
        """Say whether this process can serve: database reachable and schema current."""
        return self.database_ok and self.at_head


def migration_heads(app: Flask) -> str | None:
    """Return the head revision(s) of the migrations directory, comma-joined, None if absent."""
    directory = Path(app.root_path).parent / "migrations"
    if not (directory / "versions").is_dir():
        return None
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    heads = ScriptDirectory.from_config(config).get_heads()
    return ",".join(sorted(heads)) or None


def current_revision(connection: sa.Connection) -> str | None:
    """Return the revision(s) the database is stamped with, comma-joined."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def worker_state(stale_after: float, now: datetime | None = None) -> WorkerState:
    """Return the state of the freshest worker heartbeat."""
    last = db.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.seen_at)))
    if last is None:
        return WorkerState(last_seen_at=None, age_seconds=None, state="missing")
    age = max(0.0, ((now or utcnow()) - last).total_seconds())
    state = "ok" if age <= stale_after else "stale"
    return WorkerState(last_seen_at=last, age_seconds=age, state=state)


def open_incident_count() -> int:
    """Return how many incidents are not yet resolved."""
    open_statuses = [s.value for s in IncidentStatus if s.is_open]
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Incident)
            .where(Incident.status.in_(open_statuses))
        )
        or 0
    )


def check_health(head_revision: str | None, stale_after: float) -> Health:
    """Probe the database, its migration stamp and the worker heartbeats."""
    try:
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        current = current_revision(connection)
        # Before the first migration there is no heartbeat table to read.
        has_table = sa.inspect(connection).has_table(WorkerHeartbeat.__tablename__)
        worker = worker_state(stale_after) if has_table else None
    except sa.exc.SQLAlchemyError:
        log.exception("health check could not read the database")
        db.session.rollback()
        return Health(
            database_ok=False, current_revision=None, head_revision=head_revision, worker=None
        )
    return Health(
        database_ok=True, current_revision=current, head_revision=head_revision, worker=worker
    )
