"""Customer accounts, the email domains that identify them and the components they use."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..components.models import Component
from ..db import PublicIdMixin, TimestampMixin
from ..extensions import db

customer_component = sa.Table(
    "customer_component",
    db.metadata,
    sa.Column("customer_id", sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_customer_component_component_id", "component_id"),
)


class Customer(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A customer account support agents look up during an incident."""

    __tablename__ = "customer"

    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    # The id in the CRM or billing system; unique when given.
    external_id: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    plan: Mapped[str] = mapped_column(sa.String(100), default="")
    language: Mapped[str | None] = mapped_column(sa.String(16))
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    domains: Mapped[list[CustomerDomain]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerDomain.domain"
    )
    components: Mapped[list[Component]] = relationship(
        secondary=customer_component, order_by="Component.position"
    )


class CustomerDomain(db.Model):  # type: ignore[name-defined]
    """An email domain (lower case, no @) that belongs to one customer."""

    __tablename__ = "customer_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(sa.String(255), unique=True)

    customer: Mapped[Customer] = relationship(back_populates="domains")
