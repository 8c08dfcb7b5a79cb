"""Declarative base, column types and the unit of work."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from .clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_public_id() -> str:
    """Return a random 12-character opaque id, as Statuspage clients expect."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def str_enum(enum: type[StrEnum], name: str) -> sa.Enum:
    """Store a StrEnum as its values in a VARCHAR with a CHECK, the same on every engine."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC so string comparisons order correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: sa.JSON()},
    )


class PublicIdMixin:
    """An integer key for joins and an opaque string id for URLs and APIs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        sa.String(16), unique=True, default=new_public_id, index=False
    )


class TimestampMixin:
    """created_at / updated_at, maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@contextmanager
def unit_of_work() -> Iterator[sa.orm.Session]:
    """Run a use case in one transaction: the outermost block commits, inner ones only flush."""
    from .extensions import db

    session = db.session()
    depth = session.info.get("uow_depth", 0)
    session.info["uow_depth"] = depth + 1
    try:
        yield session
        if depth == 0:
            events = session.info.pop("events", None)
            if events:
                # Subscribers (the delivery engine's outbox) write rows in this transaction.
                from flask import current_app

                from .signals import events_committing

                app = current_app._get_current_object()  # type: ignore[attr-defined]
                events_committing.send(app, events=events)
            session.commit()
        else:
            session.flush()
    except BaseException:
        if depth == 0:
            session.rollback()
            session.info.pop("after_commit", None)
            session.info.pop("events", None)
        raise
    finally:
        session.info["uow_depth"] = depth
    if depth == 0:
        for callback in session.info.pop("after_commit", []):
            callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run callback once the current unit of work has committed (signals, metrics)."""
    from .extensions import db

    session = db.session()
    if session.info.get("uow_depth", 0) == 0:
        raise RuntimeError("after_commit() called outside unit_of_work()")
    session.info.setdefault("after_commit", []).append(callback)


def record_event(name: str, **data: Any) -> None:
    """Record a domain event to be written by events_committing in this unit of work's COMMIT."""
    from .extensions import db

    session = db.session()
    if session.info.get("uow_depth", 0) == 0:
        raise RuntimeError("record_event() called outside unit_of_work()")
    session.info.setdefault("events", []).append((name, data))
