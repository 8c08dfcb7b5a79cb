"""Read models for the console's subscriber pages: filtered lists and counts per component."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..components.models import Component
from ..extensions import db
from .models import (
    Channel,
    Scope,
    Subscriber,
    SubscriberState,
    subscriber_component,
    subscriber_component_group,
)
from .queries import _filtered

EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class Filters:
    """What the console's subscriber list is narrowed to."""

    search: str | None = None
    channel: Channel | None = None
    state: SubscriberState | None = None
    component: Component | None = None


def _following(component: Component) -> sa.ColumnElement[bool]:
    """Return the condition: the subscriber hears about this component (everything or chosen)."""
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
    return sa.or_(*conditions)


def _query(filters: Filters) -> sa.Select[tuple[Subscriber]]:
    query = _filtered(
        states=None if filters.state is None else [filters.state],
        channel=filters.channel,
        search=filters.search,
    )
    if filters.component is not None:
        query = query.where(_following(filters.component))
    return query


def count_filtered(filters: Filters) -> int:
    """Count the subscribers the filters let through."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(_query(filters).subquery()))
    return int(total or 0)


def page_of(filters: Filters, offset: int, limit: int) -> list[Subscriber]:
    """Return one page of the filtered subscribers, newest first."""
    query = (
        _query(filters)
        .options(selectinload(Subscriber.components), selectinload(Subscriber.groups))
        .order_by(Subscriber.created_at.desc(), Subscriber.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def iter_filtered(filters: Filters) -> Iterator[Subscriber]:
    """Yield every filtered subscriber, oldest first, loading a chunk at a time (export)."""
    last_id = 0
    while True:
        chunk: list[Subscriber] = list(
            db.session.scalars(
                _query(filters)
                .where(Subscriber.id > last_id)
                .options(selectinload(Subscriber.components), selectinload(Subscriber.groups))
                .order_by(Subscriber.id)
                .limit(EXPORT_CHUNK)
            )
        )
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id
        # Keep memory flat on big exports: forget what was already written.
        db.session.expunge_all()


@dataclass(frozen=True)
class ComponentCount:
    """How many active subscribers hear about one component, and why."""

    public_id: str
    name: str
    direct: int
    via_group: int
    everything: int
    total: int


def counts_per_component() -> list[ComponentCount]:
    """Count active subscribers per component: chosen directly, through a group, or everything."""
    active = sa.and_(
        Subscriber.state == SubscriberState.ACTIVE, Subscriber.scope == Scope.COMPONENTS
    )
    direct_pairs = (
        sa.select(
            subscriber_component.c.component_id.label("component_id"),
            subscriber_component.c.subscriber_id.label("subscriber_id"),
        )
        .join(Subscriber, Subscriber.id == subscriber_component.c.subscriber_id)
        .where(active)
    )
    group_pairs = (
        sa.select(
            Component.id.label("component_id"),
            subscriber_component_group.c.subscriber_id.label("subscriber_id"),
        )
        .join(
            subscriber_component_group,
            subscriber_component_group.c.group_id == Component.group_id,
        )
        .join(Subscriber, Subscriber.id == subscriber_component_group.c.subscriber_id)
        .where(active)
    )

    def per_component(pairs: sa.Select[tuple[int, int]]) -> dict[int, int]:
        sub = pairs.subquery()
        rows = db.session.execute(
            sa.select(sub.c.component_id, sa.func.count(sa.distinct(sub.c.subscriber_id))).group_by(
                sub.c.component_id
            )
        )
        return {int(c): int(n) for c, n in rows}

    direct = per_component(direct_pairs)
    via_group = per_component(group_pairs)
    either = per_component(sa.union(direct_pairs, group_pairs))  # type: ignore[arg-type]
    everything = int(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Subscriber.state == SubscriberState.ACTIVE, Subscriber.scope == Scope.ALL
            )
        )
        or 0
    )
    components = db.session.scalars(sa.select(Component).order_by(Component.position, Component.id))
    return [
        ComponentCount(
            c.public_id,
            c.name,
            direct.get(c.id, 0),
            via_group.get(c.id, 0),
            everything,
            everything + either.get(c.id, 0),
        )
        for c in components
    ]
