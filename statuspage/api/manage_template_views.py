"""Statuspage Manage API v1 (P1): incident templates over the console's message templates.

Choices the reference leaves open:
- One list holds incident and maintenance templates; `update_status` decides the kind
  (investigating/identified/monitoring/resolved/postmortem: incident; scheduled/in_progress/
  verifying/completed: maintenance) and defaults to investigating (PUT: the kind's first status).
- Template groups do not exist here: `group_id` answers null and a non-empty one is refused.
  `should_tweet` is accepted and ignored (answers false).
- Our templates also set the status of their components (the console applies it):
  `component_status` (an extra field) defaults to major_outage, or operational for a
  template that resolves.
- GET/PATCH/PUT/DELETE on one template follow the other resources (DELETE answers the object).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..components import services as components
from ..components.models import ComponentStatus
from ..errors import ValidationError
from ..extensions import db
from ..incidents import template_services as templates
from ..incidents.models import IncidentStatus, MessageTemplate, TemplateKind
from ..maintenance.models import MaintenanceStatus
from . import manage_parse as parse
from .idempotency import idempotent
from .manage_format import manage_component_object
from .manage_views import _actor, _body, _json, _paged, _user, route
from .v2_format import Json

# Our service's field names -> the Manage API's.
_FIELD_NAMES = {"status": "update_status", "components": "component_ids"}
_RESOLVING = {IncidentStatus.RESOLVED.value, IncidentStatus.POSTMORTEM.value}


def manage_template_object(template: MessageTemplate, page_id: str) -> Json:
    """Return a template in Statuspage's incident template shape, plus its component status."""
    return {
        "id": template.public_id,
        "components": [manage_component_object(c, page_id) for c in template.components],
        "name": template.name,
        "title": template.title,
        "body": template.body,
        "group_id": None,
        "update_status": template.status,
        "should_tweet": False,
        "should_send_notifications": template.notify,
        "component_status": (
            ComponentStatus(template.component_status).value if template.component_status else None
        ),
    }


def _kind_of(status: str) -> TemplateKind:
    if status in {s.value for s in MaintenanceStatus}:
        return TemplateKind.MAINTENANCE
    if status in {s.value for s in IncidentStatus}:
        return TemplateKind.INCIDENT
    allowed = ", ".join([s.value for s in IncidentStatus] + [s.value for s in MaintenanceStatus])
    raise ValidationError(
        {
            "update_status": _(
                "%(value)r is not allowed; use one of: %(allowed)s.", value=status, allowed=allowed
            )
        }
    )


def _template(template_id: str) -> MessageTemplate:
    found = templates.find_template(template_id)
    if found is None:
        raise NotFound(_("No incident template with id %(id)r.", id=template_id))
    return found


def _in_api_terms(call: Callable[[], MessageTemplate]) -> MessageTemplate:
    """Run a template service, naming fields in errors as the Manage API names them."""
    try:
        return call()
    except ValidationError as error:
        raise ValidationError(
            {_FIELD_NAMES.get(k, k): v for k, v in error.errors.items()}
        ) from None


def _fields(fields: dict[str, Any], current: MessageTemplate | None) -> dict[str, Any]:
    """Read a template body; a PATCH keeps what it does not send, PUT and POST use defaults."""
    keep = current is not None and request.method == "PATCH"

    def pick(name: str, current_value: Any, default: Any) -> Any:
        value = parse.as_str(fields, name)
        if value is None:
            return current_value if keep else default
        return value

    group_id = parse.as_str(fields, "group_id")
    if group_id:
        raise ValidationError(
            {"group_id": _("Template groups are not supported here; leave group_id empty.")}
        )
    parse.as_bool(fields, "should_tweet", False)
    status = pick("update_status", current.status if current else None, "")
    if not status:
        # A PUT without update_status keeps the template's kind: its first status.
        maintenance = current is not None and current.kind == TemplateKind.MAINTENANCE
        status = (
            MaintenanceStatus.SCHEDULED if maintenance else IncidentStatus.INVESTIGATING
        ).value
    ids = parse.as_str_list(fields, "component_ids")
    chosen = (
        components.find_components(ids, field="component_ids")
        if ids is not None
        else (list(current.components) if keep and current is not None else [])
    )
    component_status = parse.as_enum(fields, "component_status", ComponentStatus)
    if component_status is None and keep and current is not None:
        component_status = current.component_status
    if component_status is None and chosen:
        component_status = (
            ComponentStatus.OPERATIONAL if status in _RESOLVING else ComponentStatus.MAJOR_OUTAGE
        )
    notify_default = current.notify if keep and current is not None else True
    return {
        "name": pick("name", current.name if current else None, ""),
        "title": pick("title", current.title if current else None, ""),
        "body": pick("body", current.body if current else None, ""),
        "status": status,
        "components": chosen,
        "component_status": component_status,
        "notify": parse.as_bool(fields, "should_send_notifications", notify_default),
    }


def _all_templates() -> list[MessageTemplate]:
    return list(
        db.session.scalars(
            sa.select(MessageTemplate)
            .options(selectinload(MessageTemplate.components))
            .order_by(
                MessageTemplate.kind,
                MessageTemplate.position,
                MessageTemplate.name,
                MessageTemplate.id,
            )
        )
    )


@route("/pages/<page_id>/incident_templates", ["GET"])
def list_templates(page_id: str) -> Response:
    """List incident templates, then maintenance templates, each in console order."""
    return _json(_paged([manage_template_object(t, page_id) for t in _all_templates()]))


@route("/pages/<page_id>/incident_templates", ["POST"])
@idempotent(_user)
def create_template(page_id: str) -> Response:
    """Create a template; update_status decides whether it is for incidents or maintenance."""
    user = _user()
    values = _fields(_body("template"), None)
    kind = _kind_of(values["status"])
    template = _in_api_terms(
        lambda: templates.create_template(
            kind,
            values["name"],
            values["title"],
            values["body"],
            values["status"],
            values["components"],
            component_status=values["component_status"],
            notify=values["notify"],
            **_actor(user),
        )
    )
    return _json(manage_template_object(template, page_id), 201)


@route("/pages/<page_id>/incident_templates/<template_id>", ["GET"])
def get_template(page_id: str, template_id: str) -> Response:
    """Return a template."""
    return _json(manage_template_object(_template(template_id), page_id))


@route("/pages/<page_id>/incident_templates/<template_id>", ["PATCH", "PUT"])
def update_template(page_id: str, template_id: str) -> Response:
    """Change a template (PATCH: the fields sent; PUT: all, unsent ones back to defaults)."""
    user = _user()
    template = _template(template_id)
    values = _fields(_body("template"), template)
    if _kind_of(values["status"]) != template.kind:
        raise ValidationError(
            {
                "update_status": _(
                    "A template cannot switch between incident and maintenance statuses; "
                    "create a new template instead."
                )
            }
        )
    _in_api_terms(
        lambda: templates.update_template(
            template,
            values["name"],
            values["title"],
            values["body"],
            values["status"],
            values["components"],
            component_status=values["component_status"],
            notify=values["notify"],
            **_actor(user),
        )
    )
    return _json(manage_template_object(template, page_id))


@route("/pages/<page_id>/incident_templates/<template_id>", ["DELETE"])
def delete_template(page_id: str, template_id: str) -> Response:
    """Delete a template; answer the object as it was."""
    user = _user()
    template = _template(template_id)
    gone = manage_template_object(template, page_id)
    templates.delete_template(template, **_actor(user))
    return _json(gone)
