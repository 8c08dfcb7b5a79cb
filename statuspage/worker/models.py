"""Worker heartbeats, read by /healthz and /metrics."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class WorkerHeartbeat(db.Model):  # type: ignore[name-defined]
    """The last time a worker process finished a loop."""

    __tablename__ = "worker_heartbeat"

    worker_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
