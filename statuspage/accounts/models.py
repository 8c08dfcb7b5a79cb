"""Staff users and their API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db


class Role(StrEnum):
    """What a staff user may do."""

    ADMIN = "admin"
    COMMUNICATOR = "communicator"
    SUPPORT = "support"


class User(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A staff member who signs in to the console."""

    __tablename__ = "user"

    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="user")

    # Flask-Login protocol; the session stores the opaque id, never the integer key.
    @property
    def is_authenticated(self) -> bool:
        """Tell Flask-Login that a loaded user is signed in."""
        return True

    @property
    def is_active(self) -> bool:
        """Tell Flask-Login whether the account may sign in."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Tell Flask-Login this is a real user."""
        return False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session."""
        return self.public_id


class ApiKey(PublicIdMixin, db.Model):  # type: ignore[name-defined]
    """An API key; only its SHA-256 digest and a display prefix are stored."""

    __tablename__ = "api_key"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_keys")
