"""The audit log, for admins: who changed what, when and from where."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..accounts.models import Role
from ..audit.queries import AuditFilters, audit_page
from ..site.queries import get_page_settings
from . import bp
from .access import requires
from .forms import ConsoleForm
from .nav import register_nav

register_nav("admin.audit", _l("Audit log"), Role.ADMIN, order=88)

# Console pages that show an audited object, by object type: the first one that exists
# (other console pages may not be installed) is linked, with the object id as argument.
OBJECT_PAGES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "incident": (
        ("admin.incident_detail", "incident_id"),
        ("admin.incident", "incident_id"),
        ("admin.incident_edit", "incident_id"),
    ),
    "maintenance": (
        ("admin.maintenance_detail", "maintenance_id"),
        ("admin.maintenance", "maintenance_id"),
        ("admin.maintenance_edit", "maintenance_id"),
    ),
    "component": (("admin.component_edit", "component_id"), ("admin.component", "component_id")),
    "component_group": (
        ("admin.component_group_edit", "group_id"),
        ("admin.group_edit", "group_id"),
    ),
    "message_template": (
        ("admin.template_edit", "template_id"),
        ("admin.template", "template_id"),
    ),
    "user": (("admin.user_edit", "user_id"),),
    "page_settings": (("admin.settings", None),),
}


class AuditFilterForm(ConsoleForm):
    """The log's filters (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who"))
    action = StringField(_l("Action starts with"))
    object_type = SelectField(_l("Object type"), validate_choice=False)
    object_id = StringField(_l("Object id"))
    date_from = DateField(_l("From (day)"), validators=[Optional()])
    date_to = DateField(_l("To (day)"), validators=[Optional()])


def object_url(object_type: str, object_id: str | None) -> str | None:
    """Return the console page of an audited object, when such a page is installed."""
    for endpoint, argument in OBJECT_PAGES.get(object_type, ()):
        if endpoint not in current_app.view_functions:
            continue
        if argument is not None and not object_id:
            continue
        values: dict[str, Any] = {argument: object_id} if argument else {}
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


@bp.get("/audit")
@requires(Role.ADMIN)
def audit() -> ResponseReturnValue:
    """List audit entries, newest first, filtered and paginated."""
    form = AuditFilterForm(request.args)
    valid = form.validate()
    filters = AuditFilters(
        actor=(form.actor.data or "").strip()[:320],
        action=(form.action.data or "").strip()[:64],
        object_type=(form.object_type.data or "").strip()[:64],
        object_id=(form.object_id.data or "").strip()[:64],
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
    )
    view = audit_page(
        filters,
        request.args.get("page", default=1, type=int) or 1,
        time_zone=get_page_settings().time_zone,
        link_for=object_url,
    )
    types = list(view.object_types)
    if filters.object_type and filters.object_type not in types:
        types.append(filters.object_type)  # keep the reader's choice visible
    form.object_type.choices = [SelectChoice("", _l("Any")), *(SelectChoice(t, t) for t in types)]
    return render_template("admin/audit/list.html", form=form, log=view), 200 if valid else 400
