"""A database-wide counter of public changes, so each process can tell when to rebuild.

Every transaction that writes anything the public side shows bumps one row just
before it commits. A web process whose cached copy has expired reads that row (at
most once per cache TTL for all its entries) and, when it has not moved, keeps its
copy instead of rebuilding it: under a spike nothing is rebuilt until something
is published. Writes that never reach the public side (deliveries, subscribers,
staff accounts, internal alerts, audit, worker heartbeats) do not bump it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

_FLAG = "public_changed"

# Tables whose rows never appear on the public side. Anything else bumps the counter: an
# unneeded rebuild costs a little time, a missed one would show an old page.
PRIVATE_TABLE_PREFIXES = (
    "alert_event",
    "api_key",
    "approved_wording",
    "audit",
    "broadcast_channel",
    "customer",
    "delivery",
    "idempotency",
    "incident_link",
    "integration",
    "internal_incident",
    "mapping_rule",
    "message_template",
    "outbox_event",
    "public_version",
    "reminder",
    "subscriber",
    "support_note",
    "user",
    "worker_heartbeat",
)

_BUMP = sa.text(
    "INSERT INTO public_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = public_version.version + 1"
)
_READ = sa.text("SELECT version FROM public_version WHERE id = 1")


class PublicVersion(db.Model):  # type: ignore[name-defined]
    """The one-row counter of committed public changes."""

    __tablename__ = "public_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def _is_public(table_name: str) -> bool:
    return not table_name.startswith(PRIVATE_TABLE_PREFIXES)


def _note_flush(session: sa.orm.Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_FLAG):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is not None and _is_public(table):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            session.info[_FLAG] = True
            return


def _note_execute(state: sa.orm.ORMExecuteState) -> None:
    if state.session.info.get(_FLAG) or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is not None and _is_public(name):
        state.session.info[_FLAG] = True


def _bump_before_commit(session: sa.orm.Session) -> None:
    # before_commit runs ahead of the commit's own flush: flush now so it is noted.
    session.flush()
    # Last statement of the transaction: every writer takes this row lock last, so it
    # cannot deadlock with their other locks, and holds it only until COMMIT.
    if session.info.pop(_FLAG, False):
        session.connection().execute(_BUMP)


def _forget(session: sa.orm.Session, *_args: Any) -> None:
    session.info.pop(_FLAG, None)


def install() -> None:
    """Listen on every ORM session for public writes (idempotent)."""
    Session = sa.orm.Session
    for name, listener in (
        ("before_flush", _note_flush),
        ("do_orm_execute", _note_execute),
        ("before_commit", _bump_before_commit),
        ("after_rollback", _forget),
        ("after_soft_rollback", _forget),
    ):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def read_version(engine: sa.engine.Engine) -> int | None:
    """Return the current counter (0 before any change), or None if it cannot be read."""
    try:
        with engine.connect() as conn:
            value = conn.execute(_READ).scalar()
    except (sa.exc.DBAPIError, sa.exc.DisconnectionError, sa.exc.TimeoutError):
        return None
    return int(value or 0)
