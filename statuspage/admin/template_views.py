"""Message templates in the console: incident and maintenance wording, ready to fill."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..accounts.models import Role
from ..components.console_queries import component_choices
from ..components.models import ComponentStatus
from ..components.services import find_components
from ..errors import ValidationError
from ..incidents import template_services
from ..incidents.models import IncidentStatus, MessageTemplate, TemplateKind
from ..incidents.template_queries import TemplateRead, filled, get_template, list_templates
from ..incidents.wording import VARIABLES
from ..maintenance.models import MaintenanceStatus
from ..markup import render_markdown
from ..public.labels import (
    component_status_label,
    incident_status_label,
    maintenance_status_label,
)
from . import bp
from .access import requires
from .component_forms import MoveForm
from .forms import ConfirmForm
from .helpers import apply_errors
from .nav import register_nav
from .template_forms import TemplateForm
from .view_support import actor, can_write, default_window, page_name, page_zone

register_nav("admin.templates", _l("Templates"), order=40)

VARIABLE_HELP = {
    "component": _l("the component's name (several: separated by commas)"),
    "components": _l("every component's name, separated by commas"),
    "start": _l("when the maintenance starts"),
    "end": _l("when the maintenance ends"),
    "page": _l("the status page's name"),
}


@dataclass(frozen=True)
class TemplateRow:
    """A template in the list, with its wording filled with example values."""

    template: TemplateRead
    status_label: str
    component_status_label: str | None
    filled_title: str
    filled_body_html: Markup
    first: bool
    last: bool


def _rows(kind: TemplateKind) -> list[TemplateRow]:
    zone = page_zone()
    start, end = default_window(zone)
    templates = list_templates(kind)
    rows = []
    for index, t in enumerate(templates):
        example = filled(
            t, page_name=page_name(), start=start.astimezone(zone), end=end.astimezone(zone)
        )
        if kind is TemplateKind.INCIDENT:
            label = incident_status_label(IncidentStatus(t.status))
        else:
            label = maintenance_status_label(MaintenanceStatus(t.status))
        rows.append(
            TemplateRow(
                template=t,
                status_label=label,
                component_status_label=(
                    component_status_label(ComponentStatus(t.component_status))
                    if t.component_status
                    else None
                ),
                filled_title=example.title,
                filled_body_html=render_markdown(example.body),
                first=index == 0,
                last=index == len(templates) - 1,
            )
        )
    return rows


def _found(template_id: str) -> MessageTemplate:
    template = template_services.find_template(template_id)
    if template is None:
        abort(404)
    return template


def _kind_from_args() -> TemplateKind:
    try:
        return TemplateKind(request.args.get("kind", TemplateKind.INCIDENT.value))
    except ValueError:
        abort(404)


@bp.get("/templates")
def templates() -> ResponseReturnValue:
    """List incident and maintenance templates with the variables they can use."""
    return render_template(
        "admin/templates/list.html",
        incident_rows=_rows(TemplateKind.INCIDENT),
        maintenance_rows=_rows(TemplateKind.MAINTENANCE),
        variables=[(name, VARIABLE_HELP[name]) for name in VARIABLES],
        can_write=can_write(),
    )


def _render_form(
    form: TemplateForm, template: TemplateRead | None, status: int
) -> ResponseReturnValue:
    return render_template(
        "admin/templates/form.html",
        form=form,
        template=template,
        variables=[(name, VARIABLE_HELP[name]) for name in VARIABLES],
    ), status


@bp.route("/templates/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def template_new() -> ResponseReturnValue:
    """Create a template of the kind in ?kind= (incident or maintenance)."""
    kind = _kind_from_args()
    form = TemplateForm(kind=kind, components=component_choices())
    if form.validate_on_submit():
        try:
            template = template_services.create_template(
                kind,
                components=find_components(form.components.data or []),
                **form.values(),
                **actor(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The template “%(name)s” was created.", name=template.name), "success")
            return redirect(url_for("admin.templates"))
    return _render_form(form, None, 400 if form.is_submitted() else 200)


@bp.route("/templates/<template_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def template_edit(template_id: str) -> ResponseReturnValue:
    """Edit a template."""
    template = _found(template_id)
    shown = get_template(template_id)
    assert shown is not None  # noqa: S101  (found just above)
    kind = TemplateKind(template.kind)
    form = TemplateForm(
        kind=kind,
        components=component_choices(),
        data={
            "name": shown.name,
            "title": shown.title,
            "body": shown.body,
            "status": shown.status,
            "components": list(shown.component_ids),
            "component_status": shown.component_status or "",
            "notify": shown.notify,
        },
    )
    if form.validate_on_submit():
        try:
            template_services.update_template(
                template,
                components=find_components(form.components.data or []),
                **form.values(),
                **actor(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The template “%(name)s” was saved.", name=template.name), "success")
            return redirect(url_for("admin.templates"))
    return _render_form(form, shown, 400 if form.is_submitted() else 200)


@bp.post("/templates/<template_id>/move")
@requires(Role.COMMUNICATOR)
def template_move(template_id: str) -> ResponseReturnValue:
    """Move a template one place up or down among those of its kind."""
    template = _found(template_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    template_services.move_template(template, form.offset, **actor())
    return redirect(url_for("admin.templates"))


@bp.route("/templates/<template_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def template_delete(template_id: str) -> ResponseReturnValue:
    """Confirm, then delete a template."""
    template = _found(template_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = template.name
        template_services.delete_template(template, **actor())
        flash(_("The template “%(name)s” was deleted.", name=name), "success")
        return redirect(url_for("admin.templates"))
    shown = get_template(template_id)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/templates/delete.html", form=form, template=shown), status
