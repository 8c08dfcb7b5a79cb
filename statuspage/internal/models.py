"""Alert integrations, internal incidents, their raw event timeline and component mapping rules."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..components.models import Component
from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db
from ..incidents.models import Incident


class IntegrationKind(StrEnum):
    """Which alerting tool an integration accepts, and so how it verifies and parses."""

    ALERTMANAGER = "alertmanager"
    PAGERDUTY = "pagerduty"
    GRAFANA = "grafana"
    OPSGENIE = "opsgenie"
    GENERIC = "generic"


class Severity(StrEnum):
    """Internal severity, P1 the worst."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class InternalStatus(StrEnum):
    """Lifecycle of an internal incident."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Integration(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One inbound alert source with its credentials; the URL is /hooks/<kind>?i=<public_id>."""

    __tablename__ = "integration"

    kind: Mapped[IntegrationKind] = mapped_column(str_enum(IntegrationKind, "kind"))
    name: Mapped[str] = mapped_column(sa.String(200))
    # HMAC verification needs the shared secret itself, so it is kept (never shown again
    # after creation/rotation). During rotation the previous secret still works until
    # previous_secret_expires_at.
    secret: Mapped[str] = mapped_column(sa.String(200))
    previous_secret: Mapped[str | None] = mapped_column(sa.String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    last_event_at: Mapped[datetime | None]
    # Failed verifications, for the console (the details go to the log).
    rejected_count: Mapped[int] = mapped_column(default=0)
    last_rejected_at: Mapped[datetime | None]


internal_incident_component = sa.Table(
    "internal_incident_component",
    db.metadata,
    sa.Column(
        "internal_incident_id",
        sa.ForeignKey("internal_incident.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
)

# Many to many: one public incident may tell customers about several internal ones and back.
incident_link = sa.Table(
    "incident_link",
    db.metadata,
    sa.Column("incident_id", sa.ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "internal_incident_id",
        sa.ForeignKey("internal_incident.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_incident_link_internal_incident_id", "internal_incident_id"),
)


class InternalIncident(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """An alert (or alert group) as a staff-only incident; never shown on the public side."""

    __tablename__ = "internal_incident"
    __table_args__ = (
        sa.UniqueConstraint("integration_id", "external_id", name="uq_internal_incident_source"),
        sa.Index("ix_internal_incident_status", "status"),
        sa.Index("ix_internal_incident_started_at", "started_at"),
    )

    integration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("integration.id", ondelete="SET NULL")
    )
    source: Mapped[IntegrationKind] = mapped_column(str_enum(IntegrationKind, "source"))
    # The source's id for the alert or alert group (fingerprint, incident id, alert id ...).
    external_id: Mapped[str] = mapped_column(sa.String(500))
    title: Mapped[str] = mapped_column(sa.String(500))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, "severity"), default=Severity.P3)
    status: Mapped[InternalStatus] = mapped_column(
        str_enum(InternalStatus, "status"), default=InternalStatus.TRIGGERED
    )
    # When the problem began according to the source (time to detect starts here).
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # [{"name": ..., "email": ...}] and [{"title": ..., "url": ...}]
    responders: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    links: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # Source labels/fields kept for mapping rules and display (e.g. Alertmanager labels).
    labels: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    last_event_at: Mapped[datetime | None]

    integration: Mapped[Integration | None] = relationship()
    components: Mapped[list[Component]] = relationship(
        secondary=internal_incident_component, order_by="Component.position"
    )
    public_incidents: Mapped[list[Incident]] = relationship(
        secondary=incident_link, order_by="Incident.started_at.desc()"
    )
    events: Mapped[list[AlertEvent]] = relationship(
        back_populates="internal_incident",
        order_by="AlertEvent.received_at",
        cascade="all, delete-orphan",
    )


class AlertEvent(db.Model):  # type: ignore[name-defined]
    """One raw event received for an internal incident: its timeline entry and replay guard."""

    __tablename__ = "alert_event"
    __table_args__ = (
        # A re-sent payload (same integration, same dedup key) is recognised and changes nothing.
        sa.UniqueConstraint("integration_id", "dedup_key", name="uq_alert_event_dedup"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    internal_incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("internal_incident.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("integration.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the source says it happened (may be before received_at, or out of order).
    occurred_at: Mapped[datetime | None]
    # triggered | acknowledged | resolved | annotated | ...
    event_type: Mapped[str] = mapped_column(sa.String(64))
    dedup_key: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    internal_incident: Mapped[InternalIncident] = relationship(back_populates="events")


class MappingRule(PublicIdMixin, db.Model):  # type: ignore[name-defined]
    """Map alerts to a component: a label (or service) equal to a value means that component."""

    __tablename__ = "mapping_rule"

    # None: the rule applies to every integration.
    integration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("integration.id", ondelete="CASCADE")
    )
    # A label name ("service", "job", "team" ...); "service" also matches PagerDuty/Opsgenie
    # service names.
    match_key: Mapped[str] = mapped_column(sa.String(200))
    match_value: Mapped[str] = mapped_column(sa.String(500))
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("component.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    integration: Mapped[Integration | None] = relationship()
    component: Mapped[Component] = relationship()
