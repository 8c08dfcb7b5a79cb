"""Component groups, components and their status history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db


class ComponentStatus(StrEnum):
    """A component's status, as in the Statuspage vocabulary."""

    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"


class StatusCause(StrEnum):
    """What made a component change status."""

    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    MANUAL = "manual"
    API = "api"


class ComponentGroup(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A named, collapsible set of components."""

    __tablename__ = "component_group"

    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    visible: Mapped[bool] = mapped_column(default=True)
    # Shown collapsed on the public page unless something inside is not operational.
    collapsed: Mapped[bool] = mapped_column(default=False)

    components: Mapped[list[Component]] = relationship(
        back_populates="group", order_by="Component.position"
    )


class Component(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A part of the service whose status customers care about."""

    __tablename__ = "component"

    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("component_group.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[ComponentStatus] = mapped_column(
        str_enum(ComponentStatus, "status"), default=ComponentStatus.OPERATIONAL
    )
    showcase: Mapped[bool] = mapped_column(default=True)
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    visible: Mapped[bool] = mapped_column(default=True)
    only_show_if_degraded: Mapped[bool] = mapped_column(default=False)

    group: Mapped[ComponentGroup | None] = relationship(back_populates="components")


class ComponentStatusChange(db.Model):  # type: ignore[name-defined]
    """One status change of a component; the source of uptime."""

    __tablename__ = "component_status_change"
    __table_args__ = (
        sa.Index("ix_component_status_change_component_at", "component_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("component.id", ondelete="CASCADE"))
    previous_status: Mapped[ComponentStatus | None] = mapped_column(
        str_enum(ComponentStatus, "previous_status")
    )
    status: Mapped[ComponentStatus] = mapped_column(str_enum(ComponentStatus, "status"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cause: Mapped[StatusCause] = mapped_column(str_enum(StatusCause, "cause"))
    incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="SET NULL"), index=True
    )
    maintenance_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("maintenance.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    component: Mapped[Component] = relationship()
