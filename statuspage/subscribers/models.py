"""Subscribers: a channel and address, what they follow, and where they are in their lifecycle."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..components.models import Component, ComponentGroup
from ..db import PublicIdMixin, TimestampMixin, str_enum
from ..extensions import db
from ..incidents.models import Incident


class Channel(StrEnum):
    """How a subscriber is reached."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    SLACK = "slack"
    TEAMS = "teams"
    DISCORD = "discord"
    GOOGLECHAT = "googlechat"
    APPRISE = "apprise"

    @property
    def needs_confirmation(self) -> bool:
        """Say whether a person must prove they own the address before we send to it."""
        return self in (Channel.EMAIL, Channel.SMS)


class SubscriberState(StrEnum):
    """Where a subscriber is in its lifecycle."""

    UNCONFIRMED = "unconfirmed"
    ACTIVE = "active"
    QUARANTINED = "quarantined"
    UNSUBSCRIBED = "unsubscribed"


class Scope(StrEnum):
    """What a subscriber follows: everything, chosen components and groups, or one incident."""

    ALL = "all"
    COMPONENTS = "components"
    INCIDENT = "incident"


class EventKind(StrEnum):
    """The kinds of news a subscriber may choose."""

    INCIDENTS = "incidents"
    MAINTENANCE = "maintenance"
    COMPONENT_STATUS = "component_status"
    POSTMORTEMS = "postmortems"


subscriber_component = sa.Table(
    "subscriber_component",
    db.metadata,
    sa.Column(
        "subscriber_id", sa.ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("component_id", sa.ForeignKey("component.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_subscriber_component_component_id", "component_id"),
)

# Following a group means every component in it, including ones added later.
subscriber_component_group = sa.Table(
    "subscriber_component_group",
    db.metadata,
    sa.Column(
        "subscriber_id", sa.ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "group_id", sa.ForeignKey("component_group.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Index("ix_subscriber_component_group_group_id", "group_id"),
)

_LIVE = "state <> 'unsubscribed'"


class Subscriber(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """Someone (or some system) that receives the updates they chose on one channel."""

    __tablename__ = "subscriber"
    __table_args__ = (
        # One live subscription per address and channel; unsubscribed rows wait for purge.
        sa.Index(
            "uq_subscriber_channel_target_live",
            "channel",
            "target",
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        ),
        sa.Index("ix_subscriber_state_channel", "state", "channel"),
        sa.Index("ix_subscriber_purge_at", "purge_at"),
    )

    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    # Normalised: lower-cased email, E.164 phone number, or URL.
    target: Mapped[str] = mapped_column(sa.String(2000))
    state: Mapped[SubscriberState] = mapped_column(
        str_enum(SubscriberState, "state"), default=SubscriberState.UNCONFIRMED
    )
    language: Mapped[str | None] = mapped_column(sa.String(16))
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "scope"), default=Scope.ALL)
    incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    notify_incidents: Mapped[bool] = mapped_column(default=True)
    notify_maintenance: Mapped[bool] = mapped_column(default=True)
    notify_component_status: Mapped[bool] = mapped_column(default=True)
    notify_postmortems: Mapped[bool] = mapped_column(default=True)
    # An admin or API client vouched for the address: no confirmation was asked for.
    skip_confirmation: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None]
    quarantined_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    # When the row (and the address in it) is deleted for good.
    purge_at: Mapped[datetime | None]
    failure_count: Mapped[int] = mapped_column(default=0)
    # Webhooks: the HMAC key is derived from SECRET_KEY and this salt, so the key itself is
    # never stored and is shown only once, when the subscriber is created.
    webhook_secret_salt: Mapped[str | None] = mapped_column(sa.String(64))
    phone_country: Mapped[str | None] = mapped_column(sa.String(2))
    # SMS: an HMAC of the code sent by text message, and when it was sent (codes expire).
    confirmation_code_hash: Mapped[str | None] = mapped_column(sa.String(128))
    confirmation_sent_at: Mapped[datetime | None]
    # Bumping it revokes every manage/unsubscribe link sent so far.
    token_version: Mapped[int] = mapped_column(default=1)

    incident: Mapped[Incident | None] = relationship()
    components: Mapped[list[Component]] = relationship(
        secondary=subscriber_component, order_by="Component.position"
    )
    groups: Mapped[list[ComponentGroup]] = relationship(
        secondary=subscriber_component_group, order_by="ComponentGroup.position"
    )

    @property
    def kinds(self) -> frozenset[EventKind]:
        """Return the event kinds this subscriber wants."""
        flags = {
            EventKind.INCIDENTS: self.notify_incidents,
            EventKind.MAINTENANCE: self.notify_maintenance,
            EventKind.COMPONENT_STATUS: self.notify_component_status,
            EventKind.POSTMORTEMS: self.notify_postmortems,
        }
        return frozenset(kind for kind, wanted in flags.items() if wanted)

    def set_kinds(self, kinds: frozenset[EventKind] | set[EventKind]) -> None:
        """Turn each event kind on or off."""
        self.notify_incidents = EventKind.INCIDENTS in kinds
        self.notify_maintenance = EventKind.MAINTENANCE in kinds
        self.notify_component_status = EventKind.COMPONENT_STATUS in kinds
        self.notify_postmortems = EventKind.POSTMORTEMS in kinds


# SQLite here enforces no foreign keys, so ON DELETE CASCADE is spelled out for the rows that
# point at components, groups and incidents; the domains that delete them need not know us.


@sa.event.listens_for(Component, "after_delete")
def _forget_component(_mapper: object, connection: sa.Connection, target: Component) -> None:
    connection.execute(
        sa.delete(subscriber_component).where(subscriber_component.c.component_id == target.id)
    )


@sa.event.listens_for(ComponentGroup, "after_delete")
def _forget_group(_mapper: object, connection: sa.Connection, target: ComponentGroup) -> None:
    connection.execute(
        sa.delete(subscriber_component_group).where(
            subscriber_component_group.c.group_id == target.id
        )
    )


@sa.event.listens_for(Incident, "after_delete")
def _forget_incident(_mapper: object, connection: sa.Connection, target: Incident) -> None:
    # A subscription to one incident ends with it (as the foreign key's CASCADE says).
    following = sa.select(Subscriber.id).where(Subscriber.incident_id == target.id)
    for table in (subscriber_component, subscriber_component_group):
        connection.execute(sa.delete(table).where(table.c.subscriber_id.in_(following)))
    connection.execute(sa.delete(Subscriber.__table__).where(Subscriber.incident_id == target.id))
