"""Find customers: by email (its domain), by domain, by name or external id; who uses what."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..subscribers.models import Channel, Subscriber
from .models import Customer, CustomerDomain, customer_component

MAX_RESULTS = 50


def _loaded() -> tuple[sa.orm.interfaces.LoaderOption, ...]:
    return (selectinload(Customer.domains), selectinload(Customer.components))


def domain_of(email: str) -> str:
    """Return the domain of an email address, lower case ("" when there is none)."""
    return email.strip().rpartition("@")[2].strip().lower().rstrip(".")


def _with_parents(domain: str) -> list[str]:
    """Return a domain and the domains above it: eu.acme.com, acme.com (not bare com)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def by_domain(domain: str) -> list[Customer]:
    """Return the customers owning a domain or a domain above it (most specific first)."""
    candidates = _with_parents(domain.strip().lower().lstrip("@").rstrip("."))
    if not candidates:
        return []
    found = db.session.scalars(
        sa.select(Customer)
        .join(CustomerDomain, CustomerDomain.customer_id == Customer.id)
        .where(CustomerDomain.domain.in_(candidates))
        .options(*_loaded())
    ).unique()
    rank = {d: i for i, d in enumerate(candidates)}
    return sorted(found, key=lambda c: min(rank.get(d.domain, len(rank)) for d in c.domains))


def search(text: str) -> list[Customer]:
    """Find customers by email address, email domain, name (part of it) or external id."""
    query = text.strip()[:320]
    if not query:
        return []
    if "@" in query:
        return by_domain(domain_of(query))[:MAX_RESULTS]
    results: dict[int, Customer] = {}
    if "." in query and " " not in query:
        results.update((c.id, c) for c in by_domain(query))
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for customer in db.session.scalars(
        sa.select(Customer)
        .where(
            sa.or_(
                Customer.name.ilike(pattern, escape="\\"),
                Customer.external_id == query,
            )
        )
        .order_by(Customer.name, Customer.id)
        .limit(MAX_RESULTS)
        .options(*_loaded())
    ):
        results.setdefault(customer.id, customer)
    return list(results.values())[:MAX_RESULTS]


def list_customers(text: str = "", offset: int = 0, limit: int = 50) -> tuple[list[Customer], int]:
    """Return one page of customers by name (all, or those a search finds) and the total."""
    if text.strip():
        found = search(text)
        return found[offset : offset + limit], len(found)
    total = db.session.scalar(sa.select(sa.func.count(Customer.id))) or 0
    rows = db.session.scalars(
        sa.select(Customer)
        .order_by(Customer.name, Customer.id)
        .offset(offset)
        .limit(limit)
        .options(*_loaded())
    ).all()
    return list(rows), total


def all_customers() -> list[Customer]:
    """Return every customer by name (for the export)."""
    return list(
        db.session.scalars(
            sa.select(Customer).order_by(Customer.name, Customer.id).options(*_loaded())
        )
    )


def affected_customers(component_ids: Collection[int]) -> list[Customer]:
    """Return the customers using any of these components, by name."""
    if not component_ids:
        return []
    uses = sa.exists().where(
        customer_component.c.customer_id == Customer.id,
        customer_component.c.component_id.in_(list(component_ids)),
    )
    return list(
        db.session.scalars(
            sa.select(Customer).where(uses).order_by(Customer.name, Customer.id).options(*_loaded())
        )
    )


def count_affected_customers(component_ids: Collection[int]) -> int:
    """Count the customers using any of these components."""
    if not component_ids:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(customer_component.c.customer_id))).where(
                customer_component.c.component_id.in_(list(component_ids))
            )
        )
        or 0
    )


def subscribers_of(customer: Customer, email: str | None = None) -> list[Subscriber]:
    """Return the email subscribers at the customer's domains (and subdomains), and email's."""
    conditions: list[sa.ColumnElement[bool]] = []
    target = sa.func.lower(Subscriber.target)
    for domain in customer.domains:
        conditions.append(target.like("%@" + domain.domain))
        conditions.append(target.like("%@%." + domain.domain))
    if email:
        conditions.append(target == email.strip().lower())
    if not conditions:
        return []
    return list(
        db.session.scalars(
            sa.select(Subscriber)
            .where(Subscriber.channel == Channel.EMAIL, sa.or_(*conditions))
            .order_by(Subscriber.target, Subscriber.id)
            .options(selectinload(Subscriber.components), selectinload(Subscriber.groups))
            .limit(500)
        )
    )
