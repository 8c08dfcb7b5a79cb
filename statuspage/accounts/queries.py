"""Read models of staff users and API keys for the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from .models import ApiKey, User


@dataclass(frozen=True)
class StaffRow:
    """A staff user as the console lists them."""

    public_id: str
    email: str
    name: str
    role: str
    active: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class KeyRow:
    """An API key as its owner sees it (never the secret)."""

    public_id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def staff_row(user: User) -> StaffRow:
    """Return the console view of a user."""
    return StaffRow(
        user.public_id, user.email, user.name, user.role.value, user.active, user.last_login_at
    )


def staff_rows() -> list[StaffRow]:
    """Return every staff user, by email."""
    return [staff_row(u) for u in db.session.scalars(sa.select(User).order_by(User.email))]


def key_row(key: ApiKey) -> KeyRow:
    """Return the console view of an API key."""
    return KeyRow(
        key.public_id, key.name, key.prefix, key.created_at, key.last_used_at, key.revoked_at
    )
