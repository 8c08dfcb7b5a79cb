"""Stored first responses of POSTs sent with an Idempotency-Key header."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class IdempotencyRecord(db.Model):  # type: ignore[name-defined]
    """One idempotent POST: who sent it, where, what, and the answer it got."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", "path", name="uq_idempotency_key_user_key_path"),
        sa.Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    path: Mapped[str] = mapped_column(sa.String(500))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
