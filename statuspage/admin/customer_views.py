"""Customers in the console: list and search, add, edit, delete, CSV import (dry run) and export."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..accounts.models import Role
from ..audit.services import record
from ..components.models import Component
from ..customers import csvio, imports, queries, services
from ..customers.models import Customer
from ..customers.services import CustomerInput, split_domains
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..support.queries import customer_row
from . import bp
from .access import requires
from .customer_forms import CustomerForm, CustomerImportForm
from .forms import ConfirmForm
from .helpers import apply_errors
from .nav import register_nav
from .view_support import actor, can_write

register_nav("admin.customers", _l("Customers"), order=46)

PAGE_SIZE = 50


def _components() -> list[Component]:
    return list(db.session.scalars(db.select(Component).order_by(Component.position, Component.id)))


def _customer(customer_id: str) -> Customer:
    found = services.find_customer(customer_id)
    if found is None:
        abort(404)
    return found


@bp.get("/customers")
def customers() -> ResponseReturnValue:
    """List customers by name, or those a search finds."""
    text = request.args.get("q", "").strip()[:320]
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    found, total = queries.list_customers(text, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "admin/customers/list.html",
        rows=[customer_row(c) for c in found],
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        q=text,
        can_write=can_write(),
    )


def _input(form: CustomerForm) -> CustomerInput:
    chosen = {c.public_id: c for c in _components()}
    return CustomerInput(
        name=form.name.data or "",
        external_id=form.external_id.data or "",
        domains=split_domains(form.domains.data or ""),
        plan=form.plan.data or "",
        language=form.language.data or "",
        notes=form.notes.data or "",
        components=[chosen[i] for i in form.components.data or [] if i in chosen],
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def customer_new() -> ResponseReturnValue:
    """Add a customer account."""
    form = CustomerForm()
    form.offer([(c.public_id, c.name) for c in _components()])
    if form.validate_on_submit():
        try:
            customer = services.create_customer(_input(form), **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Customer %(name)s added.", name=customer.name), "success")
            return redirect(url_for("admin.customers"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/customers/form.html", form=form, customer=None), status


@bp.route("/customers/<customer_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def customer_edit(customer_id: str) -> ResponseReturnValue:
    """Change a customer account."""
    customer = _customer(customer_id)
    form = CustomerForm(
        data={
            "name": customer.name,
            "external_id": customer.external_id or "",
            "domains": ", ".join(d.domain for d in customer.domains),
            "plan": customer.plan,
            "language": customer.language or "",
            "notes": customer.notes,
            "components": [c.public_id for c in customer.components],
        }
    )
    form.offer([(c.public_id, c.name) for c in _components()])
    if form.validate_on_submit():
        try:
            services.update_customer(customer, _input(form), **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Customer %(name)s saved.", name=customer.name), "success")
            return redirect(url_for("admin.customers"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/customers/form.html", form=form, customer=customer_row(customer)
    ), status


@bp.route("/customers/<customer_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def customer_delete(customer_id: str) -> ResponseReturnValue:
    """Confirm, then delete a customer account (their subscriptions stay)."""
    customer = _customer(customer_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = customer.name
        services.delete_customer(customer, **actor())
        flash(_("Customer %(name)s deleted.", name=name), "success")
        return redirect(url_for("admin.customers"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/customers/delete.html", form=form, customer=customer_row(customer)
    ), status


@bp.get("/customers/export.csv")
@requires(Role.COMMUNICATOR)
def customers_export() -> ResponseReturnValue:
    """Download every customer as CSV (the import reads it back)."""
    with unit_of_work():
        record(
            current_user.email,
            "customer.export",
            "customer",
            None,
            None,
            None,
            actor_id=current_user.id,
        )

    def rows() -> Any:
        for c in queries.all_customers():
            yield [
                c.public_id,
                c.name,
                c.external_id or "",
                csvio.join_list(d.domain for d in c.domains),
                c.plan,
                c.language or "",
                csvio.join_list(x.name for x in c.components),
                c.notes,
            ]

    response = Response("".join(csvio.export_lines(rows())), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response


@bp.route("/customers/import", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def customers_import() -> ResponseReturnValue:
    """Upload a CSV file and see the dry run's report (nothing is imported yet)."""
    limit = imports.MAX_IMPORT_BYTES + 64 * 1024
    request.max_content_length = limit
    try:
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        form = CustomerImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = CustomerImportForm(formdata=None)
        form.file.errors = [
            _("The file is larger than %(mb)d MB; split it.", mb=imports.MAX_IMPORT_BYTES >> 20)
        ]
        return render_template("admin/customers/import.html", form=form), 413
    if submitted:
        upload = form.file.data
        try:
            job = imports.check_file(
                upload.read(imports.MAX_IMPORT_BYTES + 1),
                upload.filename or "",
                actor=current_user.email,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("admin.customers_import_job", customer_import_id=job.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/customers/import.html", form=form), status


@bp.route("/customers/import/<customer_import_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def customers_import_job(customer_import_id: str) -> ResponseReturnValue:
    """Show a file's dry-run report; import it on confirmation; then show what happened."""
    job = imports.find_import(customer_import_id)
    if job is None:
        abort(404)
    form = ConfirmForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("admin/customers/import_job.html", job=job, form=form), 400
        if not job.done:
            job = imports.run_import(job, **actor())
            flash(
                _(
                    "Imported: %(created)d added, %(changed)d changed, %(skipped)d rows skipped.",
                    created=job.created,
                    changed=job.changed,
                    skipped=job.skipped,
                ),
                "success",
            )
        return redirect(url_for("admin.customers_import_job", customer_import_id=job.id))
    return render_template("admin/customers/import_job.html", job=job, form=form)
