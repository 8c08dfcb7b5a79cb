"""Read models for subscribers: lookups, filtered lists, counts and who follows what."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..components.models import Component
from ..extensions import db
from ..incidents.models import Incident
from .models import (
    Channel,
    Scope,
    Subscriber,
    SubscriberState,
    subscriber_component,
    subscriber_component_group,
)


def find_subscriber(public_id: str) -> Subscriber | None:
    """Return a subscriber by public id, or None."""
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.public_id == public_id))


def find_live_subscriber(channel: Channel, target: str) -> Subscriber | None:
    """Return the subscriber (not unsubscribed) with this normalised address on this channel."""
    return db.session.scalar(
        sa.select(Subscriber).where(
            Subscriber.channel == channel,
            Subscriber.target == target,
            Subscriber.state != SubscriberState.UNSUBSCRIBED,
        )
    )


def _filtered(
    *,
    states: Sequence[SubscriberState] | None = None,
    channel: Channel | None = None,
    search: str | None = None,
    incident: Incident | None = None,
) -> sa.Select[tuple[Subscriber]]:
    query = sa.select(Subscriber)
    if states is not None:
        query = query.where(Subscriber.state.in_(list(states)))
    if channel is not None:
        query = query.where(Subscriber.channel == channel)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(Subscriber.target).like(f"%{escaped}%", escape="\\"))
    if incident is not None:
        query = query.where(
            Subscriber.scope == Scope.INCIDENT, Subscriber.incident_id == incident.id
        )
    return query


def list_subscribers(
    *,
    states: Sequence[SubscriberState] | None = None,
    channel: Channel | None = None,
    search: str | None = None,
    incident: Incident | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Subscriber]:
    """Return subscribers matching the filters, newest first."""
    query = (
        _filtered(states=states, channel=channel, search=search, incident=incident)
        .options(selectinload(Subscriber.components), selectinload(Subscriber.groups))
        .order_by(Subscriber.created_at.desc(), Subscriber.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_subscribers(
    *,
    states: Sequence[SubscriberState] | None = None,
    channel: Channel | None = None,
    search: str | None = None,
    incident: Incident | None = None,
) -> int:
    """Count subscribers matching the filters."""
    query = _filtered(states=states, channel=channel, search=search, incident=incident)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return int(total or 0)


def counts_by_state_and_channel() -> dict[tuple[SubscriberState, Channel], int]:
    """Count subscribers per (state, channel), for the console's overview."""
    rows = db.session.execute(
        sa.select(Subscriber.state, Subscriber.channel, sa.func.count()).group_by(
            Subscriber.state, Subscriber.channel
        )
    )
    return {(SubscriberState(s), Channel(c)): int(n) for s, c, n in rows}


def followed_components(subscriber: Subscriber) -> list[Component]:
    """Return the components a subscriber hears about, groups resolved to their current members."""
    if subscriber.scope is Scope.ALL:
        return list(db.session.scalars(sa.select(Component).order_by(Component.position)))
    if subscriber.scope is Scope.INCIDENT:
        return list(subscriber.incident.components) if subscriber.incident else []
    chosen = {c.id: c for c in subscriber.components}
    for group in subscriber.groups:
        chosen.update((c.id, c) for c in group.components)
    return sorted(chosen.values(), key=lambda c: (c.position, c.id))


def subscribers_following(component: Component) -> list[Subscriber]:
    """Return the active subscribers who hear about this component (scope all or chosen)."""
    chosen = sa.select(subscriber_component.c.subscriber_id).where(
        subscriber_component.c.component_id == component.id
    )
    conditions = [Subscriber.scope == Scope.ALL, Subscriber.id.in_(chosen)]
    if component.group_id is not None:
        conditions.append(
            Subscriber.id.in_(
                sa.select(subscriber_component_group.c.subscriber_id).where(
                    subscriber_component_group.c.group_id == component.group_id
                )
            )
        )
    return list(
        db.session.scalars(
            sa.select(Subscriber)
            .where(Subscriber.state == SubscriberState.ACTIVE, sa.or_(*conditions))
            .order_by(Subscriber.id)
        )
    )
