"""Read models of the support view: what is broken now, who is hit, what to tell them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..clock import utcnow
from ..components.models import Component
from ..customers import queries as customer_queries
from ..customers.models import Customer
from ..extensions import db
from ..incidents.models import Impact, Incident, IncidentStatus
from ..internal.models import InternalIncident, InternalStatus, Severity
from ..notifications.models import Delivery, DeliveryState, OutboxEvent
from ..notifications.planner import recipient_condition
from ..reminders.rules import parse_update_due, update_due_at
from ..subscribers.models import Channel, EventKind, Scope, Subscriber, SubscriberState
from .models import SupportNote

OPEN_STATUSES = tuple(s for s in IncidentStatus if s.is_open)
DELIVERY_LOG_SIZE = 100
_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class Wording:
    """The approved customer wording in one locale."""

    locale: str
    body: str
    is_default: bool
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class Link:
    """A link a support agent may follow (only http and https from alert sources)."""

    title: str
    url: str


@dataclass(frozen=True)
class PublicIncidentCard:
    """One active public incident as the support view shows it."""

    public_id: str
    name: str
    status: IncidentStatus
    impact: Impact
    hidden: bool
    started_at: datetime
    components: list[str]
    last_update_body: str
    last_update_at: datetime | None
    next_update_due_at: datetime | None
    overdue: bool
    expected_resolution_at: datetime | None
    wording: list[Wording]
    customers_affected: int
    internal_ids: list[str]


@dataclass(frozen=True)
class InternalIncidentCard:
    """One active internal incident (an alert) as the support view shows it."""

    public_id: str
    title: str
    severity: Severity
    status: InternalStatus
    started_at: datetime
    components: list[str]
    links: list[Link]
    public_incidents: list[tuple[str, str]]  # (public id, name)
    expected_resolution_at: datetime | None
    wording: list[Wording]
    customers_affected: int


@dataclass(frozen=True)
class NowView:
    """Everything the Now page shows, and a version that changes when any of it does."""

    public: list[PublicIncidentCard]
    internal: list[InternalIncidentCard]
    version: str


@dataclass(frozen=True)
class CustomerRow:
    """A customer in a list or search result."""

    public_id: str
    name: str
    external_id: str
    plan: str
    language: str
    domains: list[str]
    components: list[str]


@dataclass(frozen=True)
class SubscriptionRow:
    """One subscription of a customer's address."""

    target: str
    channel: Channel
    state: SubscriberState
    follows: str
    language: str


@dataclass(frozen=True)
class DeliveryRow:
    """One message we sent (or tried to send) to a customer's address."""

    at: datetime
    sent_at: datetime | None
    target: str
    channel: Channel
    state: DeliveryState
    attempts: int
    error: str
    about: str


@dataclass(frozen=True)
class CustomerDetail:
    """A customer with their subscriptions, what hits them now and what we sent them."""

    customer: CustomerRow
    notes: str
    email: str
    subscriptions: list[SubscriptionRow]
    public: list[PublicIncidentCard]
    internal: list[InternalIncidentCard]
    deliveries: list[DeliveryRow]


@dataclass(frozen=True)
class BlastRadius:
    """Who an incident reaches: customers using its components, subscribers per channel."""

    kind: str  # "public" or "internal"
    public_id: str
    name: str
    components: list[str]
    customers: list[CustomerRow]
    subscribers_by_channel: dict[Channel, int] = field(default_factory=dict)

    @property
    def subscribers_total(self) -> int:
        """Return the number of subscribers who hear of it, all channels together."""
        return sum(self.subscribers_by_channel.values())


def due_table() -> dict[str, int]:
    """Return the configured minutes between public updates, per impact."""
    return parse_update_due(str(current_app.config.get("UPDATE_DUE_MINUTES") or ""))


def _wording(note: SupportNote | None, default_locale: str) -> list[Wording]:
    if note is None:
        return []
    items = [
        Wording(w.locale, w.body, w.locale == default_locale, w.updated_by, w.updated_at)
        for w in note.wordings
    ]
    # The page's own language first, then the translations by code.
    return sorted(items, key=lambda w: (not w.is_default, w.locale))


def _notes(column: Any, ids: Sequence[int]) -> dict[int, SupportNote]:
    if not ids:
        return {}
    notes = db.session.scalars(
        sa.select(SupportNote).where(column.in_(ids)).options(selectinload(SupportNote.wordings))
    )
    return {getattr(n, column.key): n for n in notes}


def customer_row(customer: Customer) -> CustomerRow:
    """Return a customer as lists show it."""
    return CustomerRow(
        public_id=customer.public_id,
        name=customer.name,
        external_id=customer.external_id or "",
        plan=customer.plan,
        language=customer.language or "",
        domains=[d.domain for d in customer.domains],
        components=[c.name for c in customer.components],
    )


def _public_cards(
    incidents: Iterable[Incident], default_locale: str, now: datetime
) -> list[PublicIncidentCard]:
    incidents = list(incidents)
    notes = _notes(SupportNote.incident_id, [i.id for i in incidents])
    table = due_table()
    cards = []
    for incident in incidents:
        shown = [u for u in incident.updates if u.display_at <= now] or list(incident.updates)
        last = max(shown, key=lambda u: (u.display_at, u.id)) if shown else None
        last_at = last.display_at if last else None
        due = update_due_at(incident.impact.value, last_at or incident.started_at, table)
        note = notes.get(incident.id)
        cards.append(
            PublicIncidentCard(
                public_id=incident.public_id,
                name=incident.name,
                status=incident.status,
                impact=incident.impact,
                hidden=incident.hidden,
                started_at=incident.started_at,
                components=[c.name for c in incident.components],
                last_update_body=last.body if last else "",
                last_update_at=last_at,
                next_update_due_at=due,
                overdue=due <= now,
                expected_resolution_at=note.expected_resolution_at if note else None,
                wording=_wording(note, default_locale),
                customers_affected=customer_queries.count_affected_customers(
                    [c.id for c in incident.components]
                ),
                internal_ids=[],
            )
        )
    return cards


def _safe_links(links: Iterable[Any]) -> list[Link]:
    result = []
    for link in links or []:
        if not isinstance(link, dict):
            continue
        url = str(link.get("url") or link.get("href") or "")
        # Alert sources are outside our control: never render javascript: or data: URLs.
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        result.append(Link(str(link.get("title") or link.get("text") or url)[:200], url))
    return result


def _internal_components(incident: InternalIncident) -> list[Component]:
    found: dict[int, Component] = {c.id: c for c in incident.components}
    for public in incident.public_incidents:
        for component in public.components:
            found.setdefault(component.id, component)
    return list(found.values())


def _internal_cards(
    incidents: Iterable[InternalIncident], default_locale: str
) -> list[InternalIncidentCard]:
    incidents = list(incidents)
    notes = _notes(SupportNote.internal_incident_id, [i.id for i in incidents])
    public_notes = _notes(
        SupportNote.incident_id, [p.id for i in incidents for p in i.public_incidents]
    )
    cards = []
    for incident in incidents:
        note = notes.get(incident.id)
        wording = _wording(note, default_locale)
        eta = note.expected_resolution_at if note else None
        # Without its own, an alert tells support what its public incident says.
        for public in incident.public_incidents:
            linked = public_notes.get(public.id)
            if not wording:
                wording = _wording(linked, default_locale)
            if eta is None and linked is not None:
                eta = linked.expected_resolution_at
        cards.append(
            InternalIncidentCard(
                public_id=incident.public_id,
                title=incident.title,
                severity=incident.severity,
                status=incident.status,
                started_at=incident.started_at,
                components=[c.name for c in incident.components],
                links=_safe_links(incident.links),
                public_incidents=[(p.public_id, p.name) for p in incident.public_incidents],
                expected_resolution_at=eta,
                wording=wording,
                customers_affected=customer_queries.count_affected_customers(
                    [c.id for c in _internal_components(incident)]
                ),
            )
        )
    return cards


def _open_public(component_ids: Sequence[int] | None = None) -> list[Incident]:
    query = (
        sa.select(Incident)
        .where(Incident.status.in_(OPEN_STATUSES))
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .options(selectinload(Incident.updates), selectinload(Incident.components))
    )
    if component_ids is not None:
        query = query.where(Incident.components.any(Component.id.in_(list(component_ids))))
    return list(db.session.scalars(query))


def _open_internal(component_ids: Sequence[int] | None = None) -> list[InternalIncident]:
    query = (
        sa.select(InternalIncident)
        .where(InternalIncident.status != InternalStatus.RESOLVED)
        .order_by(InternalIncident.started_at.desc(), InternalIncident.id.desc())
        .options(
            selectinload(InternalIncident.components),
            selectinload(InternalIncident.public_incidents).selectinload(Incident.components),
        )
    )
    if component_ids is not None:
        ids = list(component_ids)
        query = query.where(
            sa.or_(
                InternalIncident.components.any(Component.id.in_(ids)),
                InternalIncident.public_incidents.any(
                    Incident.components.any(Component.id.in_(ids))
                ),
            )
        )
    incidents = list(db.session.scalars(query))
    # Worst severity first, newest first within one severity.
    return sorted(incidents, key=lambda i: _SEVERITY_ORDER[i.severity])


def now_view(default_locale: str) -> NowView:
    """Return the active public and internal incidents with wording, ETA and reach."""
    now = utcnow()
    public = _public_cards(_open_public(), default_locale, now)
    internal = _internal_cards(_open_internal(), default_locale)
    # The minute is part of it so ages and "overdue" shown on a page left open stay true.
    version = repr((public, internal, now.replace(second=0, microsecond=0)))
    return NowView(public, internal, hashlib.sha256(version.encode()).hexdigest()[:16])


def search_customers(text: str) -> list[CustomerRow]:
    """Find customers by email, domain, name or external id."""
    return [customer_row(c) for c in customer_queries.search(text)]


def _follows(subscriber: Subscriber) -> str:
    from flask_babel import gettext as _

    if subscriber.scope is Scope.ALL:
        return _("Everything")
    if subscriber.scope is Scope.INCIDENT:
        return _(
            "One incident: %(name)s", name=subscriber.incident.name if subscriber.incident else ""
        )
    return ", ".join([c.name for c in subscriber.components] + [g.name for g in subscriber.groups])


def _about(event: OutboxEvent | None) -> str:
    if event is None:
        return ""
    context = (event.payload or {}).get("context") or {}
    subject = (context.get("incident") or {}).get("name") or (context.get("component") or {}).get(
        "name"
    )
    return f"{event.kind}: {subject}" if subject else event.kind


def customer_detail(public_id: str, email: str, default_locale: str) -> CustomerDetail | None:
    """Return a customer with subscriptions, incidents hitting them now and deliveries."""
    customer = db.session.scalar(
        sa.select(Customer)
        .where(Customer.public_id == public_id)
        .options(selectinload(Customer.domains), selectinload(Customer.components))
    )
    if customer is None:
        return None
    # Only an address that belongs to this customer widens the search.
    owned = (
        email
        if email
        and customer.public_id
        in {c.public_id for c in customer_queries.by_domain(customer_queries.domain_of(email))}
        else ""
    )
    subscribers = customer_queries.subscribers_of(customer, owned or None)
    component_ids = [c.id for c in customer.components]
    now = utcnow()
    public = (
        _public_cards(_open_public(component_ids), default_locale, now) if component_ids else []
    )
    internal = (
        _internal_cards(_open_internal(component_ids), default_locale) if component_ids else []
    )
    by_id = {s.id: s for s in subscribers}
    deliveries: list[DeliveryRow] = []
    if by_id:
        rows = db.session.execute(
            sa.select(Delivery, OutboxEvent)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
            .where(Delivery.subscriber_id.in_(list(by_id)))
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
            .limit(DELIVERY_LOG_SIZE)
        ).all()
        for delivery, event in rows:
            subscriber = by_id[delivery.subscriber_id] if delivery.subscriber_id else None
            deliveries.append(
                DeliveryRow(
                    at=delivery.created_at,
                    sent_at=delivery.sent_at,
                    target=subscriber.target if subscriber else "",
                    channel=delivery.channel,
                    state=delivery.state,
                    attempts=delivery.attempts,
                    error=delivery.last_error or "",
                    about=_about(event),
                )
            )
    return CustomerDetail(
        customer=customer_row(customer),
        notes=customer.notes,
        email=owned,
        subscriptions=[
            SubscriptionRow(s.target, s.channel, s.state, _follows(s), s.language or "")
            for s in subscribers
        ],
        public=public,
        internal=internal,
        deliveries=deliveries,
    )


def _subscribers_by_channel(
    component_ids: Sequence[int], incident_ids: Sequence[int]
) -> dict[Channel, int]:
    condition = recipient_condition(EventKind.INCIDENTS, component_ids, incident_ids)
    counts = db.session.execute(
        sa.select(Subscriber.channel, sa.func.count(Subscriber.id))
        .where(condition)
        .group_by(Subscriber.channel)
    )
    found = {Channel(channel): int(n) for channel, n in counts}
    return {c: found[c] for c in Channel if found.get(c)}


def public_blast_radius(public_id: str) -> BlastRadius | None:
    """Return who a public incident reaches."""
    incident = db.session.scalar(
        sa.select(Incident)
        .where(Incident.public_id == public_id)
        .options(selectinload(Incident.components))
    )
    if incident is None:
        return None
    ids = [c.id for c in incident.components]
    return BlastRadius(
        kind="public",
        public_id=incident.public_id,
        name=incident.name,
        components=[c.name for c in incident.components],
        customers=[customer_row(c) for c in customer_queries.affected_customers(ids)],
        subscribers_by_channel=_subscribers_by_channel(ids, [incident.id]),
    )


def internal_blast_radius(public_id: str) -> BlastRadius | None:
    """Return who an internal incident reaches (its components and its public incidents')."""
    incident = db.session.scalar(
        sa.select(InternalIncident)
        .where(InternalIncident.public_id == public_id)
        .options(
            selectinload(InternalIncident.components),
            selectinload(InternalIncident.public_incidents).selectinload(Incident.components),
        )
    )
    if incident is None:
        return None
    components = _internal_components(incident)
    ids = [c.id for c in components]
    return BlastRadius(
        kind="internal",
        public_id=incident.public_id,
        name=incident.title,
        components=[c.name for c in components],
        customers=[customer_row(c) for c in customer_queries.affected_customers(ids)],
        subscribers_by_channel=_subscribers_by_channel(
            ids, [p.id for p in incident.public_incidents]
        ),
    )


def public_card(public_id: str, default_locale: str) -> PublicIncidentCard | None:
    """Return one public incident's card (open or not) for its support page."""
    incident = db.session.scalar(
        sa.select(Incident)
        .where(Incident.public_id == public_id)
        .options(selectinload(Incident.updates), selectinload(Incident.components))
    )
    if incident is None:
        return None
    return _public_cards([incident], default_locale, utcnow())[0]


def internal_card(public_id: str, default_locale: str) -> InternalIncidentCard | None:
    """Return one internal incident's card for its support page."""
    incident = db.session.scalar(
        sa.select(InternalIncident)
        .where(InternalIncident.public_id == public_id)
        .options(
            selectinload(InternalIncident.components),
            selectinload(InternalIncident.public_incidents).selectinload(Incident.components),
        )
    )
    if incident is None:
        return None
    return _internal_cards([incident], default_locale)[0]
