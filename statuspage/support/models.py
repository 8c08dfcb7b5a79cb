"""What support may tell customers about an incident: the approved wording per locale and an ETA."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..incidents.models import Incident
from ..internal.models import InternalIncident


class SupportNote(db.Model):  # type: ignore[name-defined]
    """Internal-only notes on one public or one internal incident (never both)."""

    __tablename__ = "support_note"
    __table_args__ = (
        sa.CheckConstraint(
            "(incident_id IS NULL) <> (internal_incident_id IS NULL)", name="one_incident"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE"), unique=True
    )
    internal_incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("internal_incident.id", ondelete="CASCADE"), unique=True
    )
    # The communicator's internal "expected resolution" time; never shown publicly.
    expected_resolution_at: Mapped[datetime | None]
    updated_by: Mapped[str] = mapped_column(sa.String(320), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Backrefs with delete-orphan so deleting an incident through the ORM deletes its note
    # (SQLite enforces no foreign keys, and reused ids would inherit an orphan).
    incident: Mapped[Incident | None] = relationship(
        backref=backref("support_note", uselist=False, cascade="all, delete-orphan")
    )
    internal_incident: Mapped[InternalIncident | None] = relationship(
        backref=backref("support_note", uselist=False, cascade="all, delete-orphan")
    )
    wordings: Mapped[list[ApprovedWording]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="ApprovedWording.locale"
    )


class ApprovedWording(db.Model):  # type: ignore[name-defined]
    """What to tell customers, in one locale; kept apart from the public message."""

    __tablename__ = "approved_wording"
    __table_args__ = (sa.UniqueConstraint("note_id", "locale", name="uq_approved_wording_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("support_note.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by: Mapped[str] = mapped_column(sa.String(320), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    note: Mapped[SupportNote] = relationship(back_populates="wordings")
