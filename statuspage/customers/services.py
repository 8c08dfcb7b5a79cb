"""Customer use cases: create, update and delete accounts, each one transaction, audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..components.models import Component
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..subscribers.services import parse_language
from .models import Customer, CustomerDomain

MAX_NAME = 200
MAX_EXTERNAL_ID = 200
MAX_PLAN = 100
MAX_NOTES = 5000
MAX_DOMAINS = 100
# A host name: labels of letters, digits and hyphens, at least one dot, no leading hyphen.
_DOMAIN = re.compile(r"^(?=.{3,255}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_DOMAIN_SEPARATORS = re.compile(r"[\s,;|]+")


@dataclass(frozen=True)
class CustomerInput:
    """What a person gives for a customer (console form, CSV row or CLI)."""

    name: str
    external_id: str = ""
    domains: Sequence[str] = ()
    plan: str = ""
    language: str = ""
    notes: str = ""
    components: Sequence[Component] = ()


def split_domains(value: str) -> list[str]:
    """Split "a.com, b.com; c.com" (any of , ; | or spaces) into its parts."""
    return [part for part in _DOMAIN_SEPARATORS.split(value.strip()) if part]


def normalise_domain(value: str) -> str:
    """Return an email domain lower case without "@" or trailing dot, or raise ValidationError."""
    domain = value.strip().lower().lstrip("@").rstrip(".")
    if "@" in domain:
        # Someone pasted an address: keep its domain.
        domain = domain.rpartition("@")[2]
    try:
        # Internationalised domains are stored as the ASCII form addresses use on the wire.
        domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        domain = ""
    if not _DOMAIN.match(domain):
        raise ValidationError(
            {"domains": _("%(value)s is not an email domain like example.com.", value=value)}
        )
    return domain


def validate_input(data: CustomerInput, customer: Customer | None) -> dict[str, Any]:
    """Validate input with every field's problem at once; return the values to store."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Give the customer's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is longer than %(n)d characters.", n=MAX_NAME)
    external_id = data.external_id.strip() or None
    if external_id and len(external_id) > MAX_EXTERNAL_ID:
        errors["external_id"] = _(
            "The external id is longer than %(n)d characters.", n=MAX_EXTERNAL_ID
        )
    elif external_id:
        taken = db.session.scalar(
            sa.select(Customer).where(
                Customer.external_id == external_id,
                Customer.id != (customer.id if customer is not None else -1),
            )
        )
        if taken is not None:
            errors["external_id"] = _(
                "The external id %(id)s already belongs to %(name)s.",
                id=external_id,
                name=taken.name,
            )
    plan = data.plan.strip()
    if len(plan) > MAX_PLAN:
        errors["plan"] = _("The plan is longer than %(n)d characters.", n=MAX_PLAN)
    notes = data.notes.strip()
    if len(notes) > MAX_NOTES:
        errors["notes"] = _("The notes are longer than %(n)d characters.", n=MAX_NOTES)
    language = None
    try:
        language = parse_language(data.language)
    except ValidationError as exc:
        errors.update(exc.errors)
    domains: list[str] = []
    try:
        for raw in data.domains:
            domain = normalise_domain(raw)
            if domain not in domains:
                domains.append(domain)
    except ValidationError as exc:
        errors.update(exc.errors)
    if len(domains) > MAX_DOMAINS:
        errors["domains"] = _("A customer may have at most %(n)d domains.", n=MAX_DOMAINS)
    if domains and "domains" not in errors:
        owners = db.session.execute(
            sa.select(CustomerDomain.domain, Customer.name)
            .join(Customer, CustomerDomain.customer_id == Customer.id)
            .where(
                CustomerDomain.domain.in_(domains),
                Customer.id != (customer.id if customer is not None else -1),
            )
            .order_by(CustomerDomain.domain)
        ).first()
        if owners is not None:
            errors["domains"] = _(
                "%(domain)s already belongs to %(name)s.", domain=owners[0], name=owners[1]
            )
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "external_id": external_id,
        "plan": plan,
        "language": language,
        "notes": notes,
        "domains": domains,
        "components": list(dict.fromkeys(data.components)),
    }


def snapshot(customer: Customer) -> dict[str, Any]:
    """Return a customer as the audit log keeps it."""
    return {
        "name": customer.name,
        "external_id": customer.external_id,
        "plan": customer.plan,
        "language": customer.language,
        "notes": customer.notes,
        "domains": [d.domain for d in customer.domains],
        "components": [c.public_id for c in customer.components],
    }


def apply_values(customer: Customer, values: dict[str, Any]) -> None:
    customer.name = values["name"]
    customer.external_id = values["external_id"]
    customer.plan = values["plan"]
    customer.language = values["language"]
    customer.notes = values["notes"]
    customer.components = values["components"]
    wanted = values["domains"]
    kept = [d for d in customer.domains if d.domain in wanted]
    customer.domains = kept
    have = {d.domain for d in kept}
    if len(kept) != len(wanted):
        # Removed domains must be gone before a new row may take the same unique value.
        db.session.flush()
    customer.domains.extend(CustomerDomain(domain=d) for d in wanted if d not in have)


def create_customer(
    data: CustomerInput, *, actor: str = "cli", actor_id: int | None = None
) -> Customer:
    """Add a customer account; raise ValidationError with field errors."""
    with unit_of_work() as session:
        values = validate_input(data, None)
        customer = Customer()
        session.add(customer)
        apply_values(customer, values)
        session.flush()
        record(
            actor,
            "customer.create",
            "customer",
            customer.public_id,
            None,
            snapshot(customer),
            actor_id=actor_id,
        )
    return customer


def update_customer(
    customer: Customer, data: CustomerInput, *, actor: str = "cli", actor_id: int | None = None
) -> Customer:
    """Change a customer account; raise ValidationError with field errors."""
    with unit_of_work():
        values = validate_input(data, customer)
        before = snapshot(customer)
        apply_values(customer, values)
        after = snapshot(customer)
        if after != before:
            record(
                actor,
                "customer.update",
                "customer",
                customer.public_id,
                before,
                after,
                actor_id=actor_id,
            )
    return customer


def delete_customer(customer: Customer, *, actor: str = "cli", actor_id: int | None = None) -> None:
    """Delete a customer account with its domains (subscribers are not touched)."""
    with unit_of_work() as session:
        record(
            actor,
            "customer.delete",
            "customer",
            customer.public_id,
            snapshot(customer),
            None,
            actor_id=actor_id,
        )
        session.delete(customer)


def find_customer(public_id: str) -> Customer | None:
    """Return a customer by public id, or None."""
    return db.session.scalar(sa.select(Customer).where(Customer.public_id == public_id))


def component_table() -> dict[str, Component]:
    """Return every component by public id and by case-folded name (first one wins)."""
    table: dict[str, Component] = {}
    for component in db.session.scalars(
        sa.select(Component).order_by(Component.position, Component.id)
    ):
        table[component.public_id] = component
        table.setdefault(component.name.casefold(), component)
    return table


def components_by_reference(
    references: Iterable[str], table: dict[str, Component] | None = None
) -> tuple[list[Component], list[str]]:
    """Find components by public id or name (case-insensitive); return them and what is unknown."""
    if table is None:
        table = component_table()
    found, missing = [], []
    for reference in references:
        item = table.get(reference) or table.get(reference.casefold())
        if item is None:
            missing.append(reference)
        else:
            found.append(item)
    return found, missing
