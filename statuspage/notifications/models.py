"""The transactional outbox: side effects recorded in the same transaction as their cause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class OutboxEvent(db.Model):  # type: ignore[name-defined]
    """Something to deliver after commit (a confirmation, a ping); a worker marks it processed."""

    __tablename__ = "outbox_event"
    __table_args__ = (sa.Index("ix_outbox_event_processed_at_id", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
