"""Incidents and their updates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..components.models import Component, ComponentStatus
from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db


class IncidentStatus(StrEnum):
    """An incident's status, as in the Statuspage vocabulary."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"

    @property
    def is_open(self) -> bool:
        """Say whether an incident in this status is still unresolved."""
        return self not in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)


class Impact(StrEnum):
    """Impact of an incident and the page indicator."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


incident_component = sa.Table(
    "incident_component",
    db.metadata,
    sa.Column("incident_id", sa.ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
)


class Incident(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """Something that went wrong, told to customers as a timeline of updates."""

    __tablename__ = "incident"
    __table_args__ = (sa.Index("ix_incident_started_at", "started_at"),)

    name: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[IncidentStatus] = mapped_column(
        str_enum(IncidentStatus, "status"), default=IncidentStatus.INVESTIGATING
    )
    # Derived from the affected components unless impact_override is set.
    impact: Mapped[Impact] = mapped_column(str_enum(Impact, "impact"), default=Impact.NONE)
    impact_override: Mapped[Impact | None] = mapped_column(str_enum(Impact, "impact_override"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    identified_at: Mapped[datetime | None]
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    backfilled: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    postmortem_body: Mapped[str | None] = mapped_column(sa.Text)
    postmortem_published_at: Mapped[datetime | None]
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", sa.JSON, default=dict)

    updates: Mapped[list[IncidentUpdate]] = relationship(
        back_populates="incident",
        order_by="IncidentUpdate.display_at.desc()",
        cascade="all, delete-orphan",
    )
    components: Mapped[list[Component]] = relationship(
        secondary=incident_component, order_by="Component.position"
    )
    translations: Mapped[list[IncidentTranslation]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", passive_deletes=True
    )


class IncidentUpdate(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One message in an incident's timeline."""

    __tablename__ = "incident_update"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus, "status"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    display_at: Mapped[datetime] = mapped_column(default=utcnow)
    notify: Mapped[bool] = mapped_column(default=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    incident: Mapped[Incident] = relationship(back_populates="updates")
    component_changes: Mapped[list[IncidentUpdateComponent]] = relationship(
        cascade="all, delete-orphan", back_populates="update"
    )
    translations: Mapped[list[IncidentUpdateTranslation]] = relationship(
        back_populates="update", cascade="all, delete-orphan", passive_deletes=True
    )


class IncidentUpdateComponent(db.Model):  # type: ignore[name-defined]
    """A component's status change carried by an incident update (old -> new)."""

    __tablename__ = "incident_update_component"

    update_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incident_update.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True
    )
    old_status: Mapped[ComponentStatus | None] = mapped_column(
        str_enum(ComponentStatus, "old_status")
    )
    new_status: Mapped[ComponentStatus] = mapped_column(str_enum(ComponentStatus, "new_status"))

    update: Mapped[IncidentUpdate] = relationship(back_populates="component_changes")
    component: Mapped[Component] = relationship()


class TemplateKind(StrEnum):
    """What a message template prefills."""

    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


template_component = sa.Table(
    "message_template_component",
    db.metadata,
    sa.Column(
        "template_id", sa.ForeignKey("message_template.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
)


class MessageTemplate(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """Prepared wording for an incident or maintenance, with {component}/{start}/{end} variables."""

    __tablename__ = "message_template"
    __table_args__ = (sa.UniqueConstraint("kind", "name", name="uq_message_template_kind_name"),)

    kind: Mapped[TemplateKind] = mapped_column(str_enum(TemplateKind, "kind"))
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Incident status or maintenance status the template starts with.
    status: Mapped[str] = mapped_column(sa.String(32))
    # The status given to the template's components (incidents only).
    component_status: Mapped[ComponentStatus | None] = mapped_column(
        str_enum(ComponentStatus, "component_status")
    )
    notify: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    components: Mapped[list[Component]] = relationship(
        secondary=template_component, order_by="Component.position"
    )
    translations: Mapped[list[MessageTemplateTranslation]] = relationship(
        back_populates="template", cascade="all, delete-orphan", passive_deletes=True
    )


# Translations of the content a communicator writes. One table per translated model, one row
# per (object, locale): the foreign key cascades deletes and the unique key is enforceable on
# both engines (a single polymorphic table could do neither). A NULL field is not translated.


class IncidentTranslation(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """An incident's title and postmortem in one more language."""

    __tablename__ = "incident_translation"
    __table_args__ = (sa.UniqueConstraint("incident_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    postmortem_body: Mapped[str | None] = mapped_column(sa.Text)

    incident: Mapped[Incident] = relationship(
        back_populates="translations"
    )


class IncidentUpdateTranslation(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """An incident update's message in one more language."""

    __tablename__ = "incident_update_translation"
    __table_args__ = (sa.UniqueConstraint("update_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incident_update.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text, default="")

    update: Mapped[IncidentUpdate] = relationship(
        back_populates="translations"
    )


class MessageTemplateTranslation(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A message template's title and body in one more language."""

    __tablename__ = "message_template_translation"
    __table_args__ = (sa.UniqueConstraint("template_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("message_template.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    body: Mapped[str | None] = mapped_column(sa.Text)

    template: Mapped[MessageTemplate] = relationship(
        back_populates="translations"
    )
