"""Browse the audit log: filters, pages of entries, and what changed in each."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from ..extensions import db
from .models import AuditEntry

PER_PAGE = 50
# A value longer than this is shown shortened in the list (the full value stays in the database).
MAX_VALUE_CHARS = 2000


@dataclass(frozen=True)
class AuditFilters:
    """What the reader narrowed the log to; empty strings and None mean "any"."""

    actor: str = ""
    action: str = ""  # a prefix: "incident." matches incident.create, incident.update...
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None  # days in the page's time zone, both inclusive
    date_to: date | None = None

    @property
    def active(self) -> bool:
        """Say whether any filter is set."""
        return any(
            (
                self.actor,
                self.action,
                self.object_type,
                self.object_id,
                self.date_from,
                self.date_to,
            )
        )

    def query_args(self) -> dict[str, str]:
        """Return the filters as URL query arguments (for page links)."""
        args = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class DiffLine:
    """One key of an audited object, before and after."""

    key: str
    before: str | None  # None: the key was absent
    after: str | None
    changed: bool


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the log shows it."""

    at: datetime  # in the page's time zone
    actor: str
    ip: str | None
    action: str
    object_type: str
    object_id: str | None
    object_url: str | None
    diff: tuple[DiffLine, ...]

    @property
    def changed_keys(self) -> tuple[str, ...]:
        """Return the keys whose value changed."""
        return tuple(line.key for line in self.diff if line.changed)


@dataclass(frozen=True)
class AuditPage:
    """One page of the filtered log, newest first."""

    rows: tuple[AuditRow, ...]
    filters: AuditFilters
    page: int
    pages: int
    total: int
    per_page: int
    time_zone: str
    object_types: tuple[str, ...]  # every object type in the log, for the filter's choices
    actors: tuple[str, ...]

    @property
    def has_previous(self) -> bool:
        """Say whether a newer page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Say whether an older page exists."""
        return self.page < self.pages


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant a calendar day starts in zone."""
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _conditions(filters: AuditFilters, zone: ZoneInfo) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.actor:
        needle = "%" + _like_prefix(filters.actor.lower())
        where.append(sa.func.lower(AuditEntry.actor_label).like(needle, escape="\\"))
    if filters.action:
        where.append(AuditEntry.action.like(_like_prefix(filters.action), escape="\\"))
    if filters.object_type:
        where.append(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        where.append(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        where.append(AuditEntry.created_at >= _day_start(filters.date_from, zone))
    if filters.date_to:
        # Inclusive: everything before the next day starts.
        where.append(AuditEntry.created_at < _day_start(filters.date_to + timedelta(days=1), zone))
    return where


def _show(value: Any) -> str:
    text = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[DiffLine, ...]:
    """Return every key of before and after, marking those whose value changed."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    lines = []
    for key in keys:
        changed = key not in old or key not in new or old[key] != new[key]
        lines.append(
            DiffLine(
                key=str(key),
                before=_show(old[key]) if key in old else None,
                after=_show(new[key]) if key in new else None,
                changed=changed,
            )
        )
    return tuple(lines)


def audit_page(
    filters: AuditFilters,
    page: int,
    *,
    time_zone: str,
    link_for: Callable[[str, str | None], str | None] = lambda _type, _id: None,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Return one page of audit entries matching filters, newest first."""
    zone = _zone(time_zone)
    where = _conditions(filters, zone)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    rows = tuple(
        AuditRow(
            at=entry.created_at.astimezone(zone),
            actor=entry.actor_label,
            ip=entry.ip,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_url=link_for(entry.object_type, entry.object_id),
            diff=diff(entry.before, entry.after),
        )
        for entry in entries
    )
    object_types = db.session.scalars(
        sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    actors = db.session.scalars(
        sa.select(AuditEntry.actor_label).distinct().order_by(AuditEntry.actor_label).limit(200)
    ).all()
    return AuditPage(
        rows=rows,
        filters=filters,
        page=page,
        pages=pages,
        total=total,
        per_page=per_page,
        time_zone=zone.key,
        object_types=tuple(object_types),
        actors=tuple(actors),
    )
