"""CSV imports of customers: a dry run first (row errors, what would change), then the import.

The uploaded file waits in the instance folder under a random id until it is imported.
A row with the id of one of our customers (as the export writes) or a known external id
updates that customer; any other row adds one. The import is one transaction: valid rows
are written, rows with errors are skipped and reported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import utcnow
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..importjobs import JobFolder
from . import csvio
from .csvio import CustomerRow
from .models import Customer
from .services import (
    CustomerInput,
    apply_values,
    component_table,
    components_by_reference,
    normalise_domain,
    snapshot,
    validate_input,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000
FOLDER = "customer-imports"


@dataclass
class CustomerImport:
    """An uploaded file, its dry-run report and, once imported, what happened."""

    id: str
    filename: str
    uploaded_by: str
    uploaded_at: str
    total: int
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    created: int = 0
    changed: int = 0
    skipped: int = 0


_JOBS: JobFolder[CustomerImport] = JobFolder("CUSTOMER_IMPORT_DIR", FOLDER, CustomerImport)


def find_import(job_id: str) -> CustomerImport | None:
    """Return an import by id, or None (also for ids that could not be ours)."""
    return _JOBS.find(job_id)


@dataclass
class _Plan:
    """Each valid row with the customer it updates (None: a new one) and its values."""

    rows: list[tuple[CustomerRow, Customer | None, dict[str, Any]]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    invalid: int = 0


def _target(row: CustomerRow) -> tuple[Customer | None, str | None]:
    """Return the customer a row updates, or why the row's id is wrong."""
    if row.id:
        found = db.session.scalar(sa.select(Customer).where(Customer.public_id == row.id))
        if found is None:
            return None, _("No customer has the id %(id)s; leave id empty to add one.", id=row.id)
        return found, None
    if row.external_id:
        return db.session.scalar(
            sa.select(Customer).where(Customer.external_id == row.external_id)
        ), None
    return None, None


def _plan(rows: list[CustomerRow]) -> _Plan:
    """Validate every row against the database and the rows above it (nothing is written)."""
    plan = _Plan()
    seen_external: dict[str, int] = {}
    seen_domain: dict[str, int] = {}
    seen_customer: dict[int, int] = {}
    components_table = component_table()

    def fail(row: CustomerRow, errors: dict[str, str]) -> None:
        plan.invalid += 1
        for name, message in errors.items():
            if len(plan.errors) < MAX_REPORTED_ERRORS:
                plan.errors.append({"row": row.number, "field": name, "message": message})

    for row in rows:
        errors: dict[str, str] = {}
        customer, why = _target(row)
        if why:
            errors["id"] = why
        components, missing = components_by_reference(row.components, components_table)
        if missing:
            errors["components"] = _("No component %(name)s.", name=missing[0])
        values: dict[str, Any] = {}
        try:
            values = validate_input(
                CustomerInput(
                    name=row.name,
                    external_id=row.external_id,
                    domains=row.domains,
                    plan=row.plan,
                    language=row.language,
                    notes=row.notes,
                    components=components,
                ),
                customer,
            )
        except ValidationError as exc:
            errors = {**exc.errors, **errors}
        if customer is not None and customer.id in seen_customer:
            errors["id"] = _("This customer is already on row %(n)d.", n=seen_customer[customer.id])
        if row.external_id and row.external_id in seen_external:
            errors["external_id"] = _(
                "This external id is already on row %(n)d.", n=seen_external[row.external_id]
            )
        for raw in row.domains:
            with contextlib.suppress(ValidationError):
                domain = normalise_domain(raw)
                if domain in seen_domain:
                    errors["domains"] = _(
                        "%(domain)s is already on row %(n)d.", domain=domain, n=seen_domain[domain]
                    )
        if errors:
            fail(row, errors)
            continue
        if customer is not None:
            seen_customer[customer.id] = row.number
        if row.external_id:
            seen_external[row.external_id] = row.number
        for domain in values["domains"]:
            seen_domain[domain] = row.number
        plan.rows.append((row, customer, values))
    return plan


def _changes(customer: Customer, values: dict[str, Any]) -> bool:
    now = snapshot(customer)
    wanted = {
        **{k: values[k] for k in ("name", "external_id", "plan", "language", "notes", "domains")},
        "components": [c.public_id for c in values["components"]],
    }
    return now != wanted


def check_file(data: bytes, filename: str, *, actor: str) -> CustomerImport:
    """Dry-run an uploaded file (nothing is written to the database) and keep it for the import."""
    _JOBS.forget_abandoned()
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB; split it.", mb=MAX_IMPORT_BYTES >> 20)}
        )
    text = csvio.decode(data)
    rows = csvio.parse(text)
    if not rows:
        raise ValidationError({"file": _("The file has a header row but no customers.")})
    plan = _plan(rows)
    job = CustomerImport(
        id=_JOBS.new_id(),
        filename=Path(filename or "customers.csv").name[:200],
        uploaded_by=actor,
        uploaded_at=utcnow().isoformat(),
        total=len(rows),
        invalid=plan.invalid,
        errors=plan.errors,
    )
    for _row, customer, values in plan.rows:
        if customer is None:
            job.new += 1
        elif _changes(customer, values):
            job.updated += 1
        else:
            job.unchanged += 1
    _JOBS.upload(job.id).write_text(text, encoding="utf-8")
    _JOBS.save(job)
    return job


def run_import(job: CustomerImport, *, actor: str, actor_id: int | None = None) -> CustomerImport:
    """Import a checked file in one transaction: valid rows are written, the others skipped."""
    if job.done:
        return job
    path = _JOBS.upload(job.id)
    rows = csvio.parse(path.read_text(encoding="utf-8"))
    with unit_of_work() as session:
        # Checked again: the database may have changed since the dry run.
        plan = _plan(rows)
        created = changed = 0
        for _row, customer, values in plan.rows:
            if customer is None:
                customer = Customer()
                session.add(customer)
                apply_values(customer, values)
                created += 1
            elif _changes(customer, values):
                apply_values(customer, values)
                changed += 1
        record(
            actor,
            "customer.import",
            "customer_import",
            job.id,
            None,
            {"file": job.filename, "rows": job.total, "created": created, "updated": changed},
            actor_id=actor_id,
        )
    job.done = True
    job.created, job.changed, job.skipped = created, changed, plan.invalid
    job.errors = plan.errors
    _JOBS.save(job)
    path.unlink(missing_ok=True)
    return job
