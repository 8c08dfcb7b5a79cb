"""Statuspage Manage API v1 (P0): pages, components, groups, incidents, incident updates.

Choices the reference leaves open:
- DELETE answers 200 with the object as it was just before deletion (not 204).
- PATCH changes only the fields sent; PUT on components and groups resets unsent optional
  fields to their defaults; PUT on incidents and incident updates behaves as PATCH.
- Lists are bare arrays; per_page defaults to (and is capped at) 100, pages count from 1.
- GET /incidents lists incidents only; scheduled maintenance (created by POSTing an
  incident with scheduled_for) is listed by incidents/upcoming, /scheduled and
  /active_maintenance, and GET/PATCH /incidents/{id} accept a maintenance id too.
- A maintenance moves forward only (scheduled -> in_progress -> verifying -> completed).
  DELETE on a scheduled or started maintenance cancels it (it is kept, not deleted):
  200 with the window as it now is: status "completed", cancelled_at set (our field),
  and a final update saying it was cancelled; optional `incident[body]` gives its words
  and `incident[deliver_notifications]` (default true) whether subscribers are told.
  Components it put under maintenance get their status back. A completed or already
  cancelled maintenance answers 422.
- component_ids without a status in `components` link the component with its current status.
- On an update edit, deliver_notifications=true notifies subscribers again; default false.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, current_app, g, request
from werkzeug.exceptions import NotFound

from ..accounts.models import Role, User
from ..clock import utcnow
from ..components import services as components
from ..components.models import Component, ComponentGroup, ComponentStatus, StatusCause
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db, limiter
from ..incidents import services as incidents
from ..incidents.models import Impact, Incident, IncidentStatus
from ..maintenance import services as maintenance_services
from ..maintenance.models import Maintenance, MaintenanceStatus
from ..site.queries import get_page_settings
from . import manage_parse as parse
from .auth import actor_label, rate_limit, rate_limit_bucket, require_api_user
from .idempotency import IdempotencyConflict, idempotent
from .manage_format import (
    components_known,
    manage_component_object,
    manage_group_object,
    manage_incident_object,
    manage_maintenance_object,
    manage_page_object,
)
from .manage_parse import BodyError
from .v1 import api_v1, error_response

V = TypeVar("V", bound=Callable[..., Response])
MAX_PER_PAGE = 100
_OUT_OF_RANGE = "No such position: positions count from 0 within the list the item is in."
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}

# One bucket per API key across every Manage API route.
_limited = limiter.shared_limit(rate_limit, scope="api-v1-manage", key_func=rate_limit_bucket)


# -- plumbing ----------------------------------------------------------------------------


def _user() -> User:
    # The route wrapper checked the key already; the views reuse its answer.
    user: User | None = g.get("api_user")
    return user if user is not None else require_api_user(Role.COMMUNICATOR)


def _actor(user: User) -> dict[str, Any]:
    return {"actor": actor_label(user), "actor_id": user.id}


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def route(rule: str, methods: Sequence[str]) -> Callable[[V], V]:
    """Register a Manage API view at rule and rule + `.json`, rate-limited and key-checked."""

    def decorate(view: V) -> V:
        def authorised(*args: Any, **kwargs: Any) -> Response:
            # Always check the key sent now: `g` outlives a request when the caller keeps
            # an app context pushed (tests, scripts), and must not carry a key over.
            require_api_user(Role.COMMUNICATOR)
            if "page_id" in kwargs:
                kwargs["page_id"] = _check_page(kwargs["page_id"])
            kwargs = {
                k: (v.removesuffix(".json") if isinstance(v, str) else v) for k, v in kwargs.items()
            }
            return view(*args, **kwargs)

        authorised.__name__ = "manage_" + view.__name__
        wrapped = _limited(authorised)
        api_v1.add_url_rule(rule, view_func=wrapped, methods=list(methods))
        api_v1.add_url_rule(rule + ".json", view_func=wrapped, methods=list(methods))
        return view

    return decorate


def _check_page(page_id: str) -> str:
    page_id = page_id.removesuffix(".json")
    if not page_id or page_id != get_page_settings().public_id:
        raise NotFound(
            f"No page with id {page_id!r}; GET /api/v1/pages lists this deployment's page."
        )
    return page_id


def _body(resource: str) -> dict[str, Any]:
    """Return the request's fields under the resource key (JSON or form-encoded)."""
    mimetype = request.mimetype or ""
    if mimetype == "application/json" or mimetype.endswith("+json"):
        return parse.parse_json(request.get_data(cache=True), resource)
    if mimetype in _FORM_TYPES:
        return parse.parse_form(request.form.items(multi=True), resource)
    if not request.get_data(cache=True):
        return {}
    raise BodyError(
        415,
        f"Unsupported content type {mimetype or '(none)'!r}: send application/json "
        "or application/x-www-form-urlencoded.",
    )


def _paged(items: Sequence[Any]) -> list[Any]:
    page, per_page = _paging()
    start = (page - 1) * per_page
    return list(items[start : start + per_page])


def _paging() -> tuple[int, int]:
    args = request.args
    page = parse.as_int(args, "page") or 1
    per_page = parse.as_int(args, "per_page") or MAX_PER_PAGE
    if page < 1:
        raise ValidationError({"page": "Pages are numbered from 1."})
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError({"per_page": f"Give a number from 1 to {MAX_PER_PAGE}."})
    return page, per_page


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


@api_v1.errorhandler(BodyError)
def _body_error(error: BodyError) -> Response:
    return error_response(error.status, error.message)


@api_v1.errorhandler(IdempotencyConflict)
def _conflict(error: IdempotencyConflict) -> Response:
    return error_response(409, str(error))


# -- pages -------------------------------------------------------------------------------


@route("/pages", ["GET"])
def list_pages() -> Response:
    """List the one page this deployment serves."""
    settings = get_page_settings()
    pages = [manage_page_object(settings, _base_url())] if settings.public_id else []
    return _json(pages)


@route("/pages/<page_id>", ["GET"])
def get_page(page_id: str) -> Response:
    """Return the page."""
    return _json(manage_page_object(get_page_settings(), _base_url()))


# -- components --------------------------------------------------------------------------


def _component(component_id: str) -> Component:
    found = components.find_component(component_id)
    if found is None:
        raise NotFound(f"No component with id {component_id!r}.")
    return found


def _group(group_id: str) -> ComponentGroup:
    found = components.find_group(group_id)
    if found is None:
        raise NotFound(f"No component group with id {group_id!r}.")
    return found


def _group_field(fields: dict[str, Any]) -> ComponentGroup | None:
    group_id = parse.as_str(fields, "group_id")
    if not group_id:
        return None
    found = components.find_group(group_id)
    if found is None:
        raise ValidationError({"group_id": f"No component group with id {group_id!r}."})
    return found


def _all_components() -> list[Component]:
    return list(db.session.scalars(sa.select(Component).order_by(Component.position, Component.id)))


def _set_status(component: Component, status: ComponentStatus | None, user: User) -> None:
    if status is not None and status != component.status:
        components.set_component_status(component, status, cause=StatusCause.API, **_actor(user))


@route("/pages/<page_id>/components", ["GET"])
def list_components(page_id: str) -> Response:
    """List every component (visible or not) in page order."""
    items = [manage_component_object(c, page_id) for c in _all_components()]
    return _json(_paged(items))


@route("/pages/<page_id>/components", ["POST"])
@idempotent(_user)
def create_component(page_id: str) -> Response:
    """Create a component, optionally in a group and with a status."""
    user = _user()
    fields = _body("component")
    status = parse.as_enum(fields, "status", ComponentStatus)
    with unit_of_work():
        component = components.create_component(
            parse.as_str(fields, "name") or "",
            group=_group_field(fields),
            description=parse.as_str(fields, "description"),
            position=parse.as_int(fields, "position"),
            showcase=parse.as_bool(fields, "showcase", True),
            start_date=parse.as_date(fields, "start_date"),
            only_show_if_degraded=parse.as_bool(fields, "only_show_if_degraded", False),
            **_actor(user),
        )
        _set_status(component, status, user)
    return _json(manage_component_object(component, page_id), 201)


@route("/pages/<page_id>/components/<component_id>", ["GET"])
def get_component(page_id: str, component_id: str) -> Response:
    """Return a component."""
    return _json(manage_component_object(_component(component_id), page_id))


@route("/pages/<page_id>/components/<component_id>", ["PATCH", "PUT"])
def update_component(page_id: str, component_id: str) -> Response:
    """Change a component (PATCH: the fields sent; PUT: all, unsent ones back to defaults)."""
    user = _user()
    component = _component(component_id)
    fields = _body("component")
    partial = request.method == "PATCH"
    status = parse.as_enum(fields, "status", ComponentStatus)

    def keep(name: str, current: Any) -> bool:
        return partial and name not in fields and current is not None

    group = component.group if keep("group_id", component.group) else _group_field(fields)
    description = parse.as_str(fields, "description")
    start_date = parse.as_date(fields, "start_date")
    with unit_of_work():
        components.update_component(
            component,
            parse.as_str(fields, "name") or (component.name if partial else ""),
            group=group,
            description=component.description
            if keep("description", component.description)
            else description,
            showcase=parse.as_bool(fields, "showcase", component.showcase if partial else True),
            start_date=component.start_date
            if keep("start_date", component.start_date)
            else start_date,
            visible=component.visible,
            only_show_if_degraded=parse.as_bool(
                fields,
                "only_show_if_degraded",
                component.only_show_if_degraded if partial else False,
            ),
            **_actor(user),
        )
        _set_status(component, status, user)
        position = parse.as_int(fields, "position")
        if position is not None and position != component.position:
            moved = components.move_component(
                component, position - component.position, **_actor(user)
            )
            if not moved:
                raise ValidationError({"position": _OUT_OF_RANGE})
    return _json(manage_component_object(component, page_id))


@route("/pages/<page_id>/components/<component_id>", ["DELETE"])
def delete_component(page_id: str, component_id: str) -> Response:
    """Delete a component; answer the object as it was."""
    user = _user()
    component = _component(component_id)
    gone = manage_component_object(component, page_id)
    components.delete_component(component, **_actor(user))
    return _json(gone)


# -- component groups --------------------------------------------------------------------


def _all_groups() -> list[ComponentGroup]:
    return list(
        db.session.scalars(
            sa.select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)
        )
    )


def _move_into(group: ComponentGroup, ids: list[str], user: User) -> None:
    """Make exactly the components with these ids the group's members."""
    wanted = components.find_components(ids, field="components")
    for member in list(group.components):
        if member not in wanted:
            _regroup(member, None, user)
    for component in wanted:
        if component.group is not group:
            _regroup(component, group, user)


def _regroup(component: Component, group: ComponentGroup | None, user: User) -> None:
    components.update_component(
        component,
        component.name,
        group=group,
        description=component.description,
        showcase=component.showcase,
        start_date=component.start_date,
        visible=component.visible,
        only_show_if_degraded=component.only_show_if_degraded,
        **_actor(user),
    )


@route("/pages/<page_id>/component-groups", ["GET"])
def list_groups(page_id: str) -> Response:
    """List every component group in page order."""
    return _json(_paged([manage_group_object(g, page_id) for g in _all_groups()]))


@route("/pages/<page_id>/component-groups", ["POST"])
@idempotent(_user)
def create_group(page_id: str) -> Response:
    """Create a group holding the given components."""
    user = _user()
    fields = _body("component_group")
    ids = parse.as_str_list(fields, "components")
    with unit_of_work():
        group = components.create_group(
            parse.as_str(fields, "name") or "",
            description=parse.as_str(fields, "description"),
            position=parse.as_int(fields, "position"),
            **_actor(user),
        )
        if ids is not None:
            _move_into(group, ids, user)
    db.session.refresh(group)
    return _json(manage_group_object(group, page_id), 201)


@route("/pages/<page_id>/component-groups/<group_id>", ["GET"])
def get_group(page_id: str, group_id: str) -> Response:
    """Return a group."""
    return _json(manage_group_object(_group(group_id), page_id))


@route("/pages/<page_id>/component-groups/<group_id>", ["PATCH", "PUT"])
def update_group(page_id: str, group_id: str) -> Response:
    """Rename, describe or re-member a group (PUT: unsent description cleared)."""
    user = _user()
    group = _group(group_id)
    fields = _body("component_group")
    partial = request.method == "PATCH"
    ids = parse.as_str_list(fields, "components")
    description = parse.as_str(fields, "description")
    if partial and "description" not in fields:
        description = group.description
    with unit_of_work():
        components.update_group(
            group,
            parse.as_str(fields, "name") or (group.name if partial else ""),
            description=description,
            visible=group.visible,
            collapsed=group.collapsed,
            **_actor(user),
        )
        position = parse.as_int(fields, "position")
        offset = 0 if position is None else position - group.position
        if offset and not components.move_group(group, offset, **_actor(user)):
            raise ValidationError({"position": _OUT_OF_RANGE})
        if ids is not None:
            _move_into(group, ids, user)
    db.session.refresh(group)
    return _json(manage_group_object(group, page_id))


@route("/pages/<page_id>/component-groups/<group_id>", ["DELETE"])
def delete_group(page_id: str, group_id: str) -> Response:
    """Delete a group (its components stay, ungrouped); answer the object as it was."""
    user = _user()
    group = _group(group_id)
    gone = manage_group_object(group, page_id)
    components.delete_group(group, **_actor(user))
    return _json(gone)


# -- incidents ---------------------------------------------------------------------------


def _incident(incident_id: str) -> Incident:
    found = incidents.find_incident(incident_id)
    if found is None:
        raise NotFound(f"No incident with id {incident_id!r}.")
    return found


def _incident_json(incident: Incident, page_id: str, status: int = 200) -> Response:
    db.session.refresh(incident)
    known = components_known(_all_components(), page_id)
    return _json(manage_incident_object(incident, page_id, known, _base_url()), status)


def _statuses(fields: dict[str, Any]) -> dict[Component, ComponentStatus] | None:
    """Return the component statuses a body sets: `components` map plus `component_ids`."""
    mapping = parse.as_str_map(fields, "components")
    ids = parse.as_str_list(fields, "component_ids")
    if mapping is None and ids is None:
        return None
    mapping = mapping or {}
    statuses: dict[Component, ComponentStatus] = {}
    for component in components.find_components(list(mapping), field="components"):
        status = parse.as_enum(
            {"components": mapping[component.public_id]}, "components", ComponentStatus
        )
        assert status is not None  # noqa: S101  (as_enum answers None only for empty input)
        statuses[component] = status
    # Affected without a new status: linked, keeping their current status.
    for component in components.find_components(ids or [], field="component_ids"):
        statuses.setdefault(component, component.status)
    return statuses


def _apply_details(incident: Incident, fields: dict[str, Any]) -> None:
    """Set the incident's own fields that no update carries: name, metadata, impact override."""
    name = parse.as_str(fields, "name")
    metadata = parse.as_object(fields, "metadata")
    impact = parse.as_enum(fields, "impact_override", Impact)
    if name is not None and not name.strip():
        raise ValidationError({"name": "Give the incident a name."})
    with unit_of_work():
        if name is not None:
            incident.name = name.strip()[:255]
        if metadata is not None:
            incident.meta = metadata
        if impact is not None:
            incident.impact_override = impact


def _query_incidents(*conditions: Any) -> list[Incident]:
    page, per_page = _paging()
    limit = parse.as_int(request.args, "limit")
    if limit is not None:
        if limit < 1:
            raise ValidationError({"limit": "Give a number of at least 1."})
        per_page = min(per_page, limit)
    query = sa.select(Incident).where(*conditions)
    q = (request.args.get("q") or "").strip()
    if q:
        query = query.where(Incident.name.ilike(f"%{q}%"))
    query = query.order_by(Incident.started_at.desc(), Incident.id.desc())
    return list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))


def _incident_list(page_id: str, found: list[Incident]) -> Response:
    known = components_known(_all_components(), page_id)
    base = _base_url()
    return _json([manage_incident_object(i, page_id, known, base) for i in found])


@route("/pages/<page_id>/incidents", ["GET"])
def list_incidents(page_id: str) -> Response:
    """List incidents, newest first (page, per_page, limit, q)."""
    return _incident_list(page_id, _query_incidents())


@route("/pages/<page_id>/incidents/unresolved", ["GET"])
def list_unresolved(page_id: str) -> Response:
    """List incidents not yet resolved, newest first."""
    return _incident_list(page_id, _query_incidents(Incident.status != IncidentStatus.RESOLVED))


@route("/pages/<page_id>/incidents", ["POST"])
@idempotent(_user)
def create_incident(page_id: str) -> Response:
    """Open an incident (or record a backfilled one) with its first update."""
    user = _user()
    fields = _body("incident")
    if any(fields.get(f) not in (None, "") for f in ("scheduled_for", "scheduled_until")):
        return _create_maintenance(page_id, fields, user)
    status = parse.as_enum(fields, "status", IncidentStatus) or IncidentStatus.INVESTIGATING
    body = parse.as_str(fields, "body") or ""
    statuses = _statuses(fields)
    impact = parse.as_enum(fields, "impact_override", Impact)
    metadata = parse.as_object(fields, "metadata")
    name = parse.as_str(fields, "name") or ""
    with unit_of_work():
        if parse.as_bool(fields, "backfilled", False):
            started = parse.as_datetime(fields, "backfill_date")
            if started is None:
                raise ValidationError({"backfill_date": "Give the date of a backfilled incident."})
            incident = incidents.backfill_incident(
                name,
                body,
                statuses,
                started_at=started,
                resolved_at=started + timedelta(seconds=1),
                impact_override=impact,
                **_actor(user),
            )
        else:
            incident = incidents.create_incident(
                name,
                status,
                body,
                statuses,
                impact_override=impact,
                notify=parse.as_bool(fields, "deliver_notifications", True),
                **_actor(user),
            )
            if status == IncidentStatus.RESOLVED and incident.status != IncidentStatus.RESOLVED:
                incidents.resolve_incident(incident, body, notify=False, **_actor(user))
        if metadata is not None:
            incident.meta = metadata
    return _incident_json(incident, page_id, 201)


@route("/pages/<page_id>/incidents/<incident_id>", ["GET"])
def get_incident(page_id: str, incident_id: str) -> Response:
    """Return an incident (or a maintenance) with its updates, newest first."""
    maintenance = maintenance_services.find_maintenance(incident_id)
    if maintenance is not None:
        return _maintenance_json(maintenance, page_id)
    return _incident_json(_incident(incident_id), page_id)


@route("/pages/<page_id>/incidents/<incident_id>", ["PATCH", "PUT"])
def update_incident(page_id: str, incident_id: str) -> Response:
    """Change an incident; a new status and/or body posts an update (resolved resolves)."""
    user = _user()
    maintenance = maintenance_services.find_maintenance(incident_id)
    if maintenance is not None:
        return _update_maintenance(page_id, maintenance, _body("incident"), user)
    incident = _incident(incident_id)
    fields = _body("incident")
    status = parse.as_enum(fields, "status", IncidentStatus)
    body = parse.as_str(fields, "body")
    statuses = _statuses(fields)
    notify = parse.as_bool(fields, "deliver_notifications", True)
    with unit_of_work():
        _apply_details(incident, fields)
        posting = body is not None or (status is not None and status != incident.status)
        if status == IncidentStatus.RESOLVED and incident.status != IncidentStatus.RESOLVED:
            incidents.resolve_incident(incident, body or "", notify=notify, **_actor(user))
        elif posting or statuses:
            incidents.post_update(
                incident,
                status or incident.status,
                body or "",
                statuses,
                notify=notify,
                **_actor(user),
            )
    return _incident_json(incident, page_id)


@route("/pages/<page_id>/incidents/<incident_id>", ["DELETE"])
def delete_incident(page_id: str, incident_id: str) -> Response:
    """Delete an incident and its updates (answer the object as it was), or cancel a maintenance."""
    user = _user()
    maintenance = maintenance_services.find_maintenance(incident_id)
    if maintenance is not None:
        return _cancel_maintenance(page_id, maintenance, _body("incident"), user)
    incident = _incident(incident_id)
    known = components_known(_all_components(), page_id)
    gone = manage_incident_object(incident, page_id, known, _base_url())
    incidents.delete_incident(incident, **_actor(user))
    return _json(gone)


@route("/pages/<page_id>/incidents/<incident_id>/incident_updates/<update_id>", ["PATCH", "PUT"])
def update_incident_update(page_id: str, incident_id: str, update_id: str) -> Response:
    """Correct a posted update's body or display time; deliver_notifications=true notifies again."""
    user = _user()
    incident = _incident(incident_id)
    update = incidents.find_update(incident, update_id)
    if update is None:
        raise NotFound(f"No update with id {update_id!r} on incident {incident_id!r}.")
    fields = _body("incident_update")
    body = parse.as_str(fields, "body")
    incidents.edit_update(
        update,
        update.body if body is None else body,
        display_at=parse.as_datetime(fields, "display_at"),
        notify_again=parse.as_bool(fields, "deliver_notifications", False),
        **_actor(user),
    )
    return _incident_json(incident, page_id)


# -- scheduled maintenance (an incident with scheduled_for) -------------------------------

_MAINTENANCE_OPTIONS = (
    # (our option, Statuspage's field names for it)
    ("auto_start", ("scheduled_auto_in_progress", "auto_transition_to_maintenance_state")),
    ("auto_complete", ("scheduled_auto_completed", "auto_transition_to_operational_state")),
    ("notify_on_start", ("auto_transition_deliver_notifications_at_start",)),
    ("notify_on_complete", ("auto_transition_deliver_notifications_at_end",)),
)
REMIND_PRIOR_MINUTES = 60


def _maintenance_json(maintenance: Maintenance, page_id: str, status: int = 200) -> Response:
    db.session.refresh(maintenance)
    known = components_known(_all_components(), page_id)
    return _json(manage_maintenance_object(maintenance, page_id, known, _base_url()), status)


def _maintenance_components(fields: dict[str, Any], current: list[Component]) -> list[Component]:
    """Return the window's components: the `components` map's keys plus `component_ids`."""
    mapping = parse.as_str_map(fields, "components")
    ids = parse.as_str_list(fields, "component_ids")
    if mapping is None and ids is None:
        return current
    found = components.find_components(list(mapping or {}), field="components")
    found += components.find_components(ids or [], field="component_ids")
    return list(dict.fromkeys(found))


def _maintenance_options(fields: dict[str, Any], maintenance: Maintenance | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for ours, theirs in _MAINTENANCE_OPTIONS:
        current = getattr(maintenance, ours) if maintenance is not None else True
        for name in theirs:
            if fields.get(name) is not None:
                current = parse.as_bool(fields, name, current)
        options[ours] = current
    remind = maintenance.remind_before_minutes if maintenance is not None else None
    if fields.get("scheduled_remind_prior") is not None:
        wanted = parse.as_bool(fields, "scheduled_remind_prior", False)
        remind = (remind or REMIND_PRIOR_MINUTES) if wanted else None
    options["remind_before_minutes"] = remind
    return options


def _create_maintenance(page_id: str, fields: dict[str, Any], user: User) -> Response:
    status = parse.as_enum(fields, "status", MaintenanceStatus) or MaintenanceStatus.SCHEDULED
    scheduled_for = parse.as_datetime(fields, "scheduled_for")
    scheduled_until = parse.as_datetime(fields, "scheduled_until")
    if scheduled_for is None or scheduled_until is None:
        missing = "scheduled_for" if scheduled_for is None else "scheduled_until"
        raise ValidationError({missing: "Give both scheduled_for and scheduled_until."})
    with unit_of_work():
        maintenance = maintenance_services.schedule_maintenance(
            parse.as_str(fields, "name") or "",
            parse.as_str(fields, "body") or "",
            _maintenance_components(fields, []),
            scheduled_for,
            scheduled_until,
            notify=parse.as_bool(fields, "deliver_notifications", True),
            **_maintenance_options(fields, None),
            **_actor(user),
        )
        _transition(maintenance, status, None, user)
    return _maintenance_json(maintenance, page_id, 201)


def _transition(
    maintenance: Maintenance, status: MaintenanceStatus, body: str | None, user: User
) -> bool:
    """Move a window forward to status (start, verify, complete); return whether it moved."""
    order = list(MaintenanceStatus)
    if order.index(status) < order.index(maintenance.status):
        allowed = ", ".join(s.value for s in order[order.index(maintenance.status) :])
        raise ValidationError(
            {
                "status": f"This maintenance is {maintenance.status.value}; "
                f"it can move to: {allowed}."
            }
        )
    moved = False
    if status != MaintenanceStatus.SCHEDULED and maintenance.status == MaintenanceStatus.SCHEDULED:
        maintenance_services.start_maintenance(maintenance, body=body, **_actor(user))
        moved, body = True, None
    if status == MaintenanceStatus.VERIFYING and maintenance.status != status:
        maintenance_services.verify_maintenance(maintenance, body=body, **_actor(user))
        moved = True
    if status == MaintenanceStatus.COMPLETED and maintenance.status != status:
        maintenance_services.complete_maintenance(maintenance, body=body, **_actor(user))
        moved = True
    return moved


def _update_maintenance(
    page_id: str, maintenance: Maintenance, fields: dict[str, Any], user: User
) -> Response:
    """Edit a scheduled window, move it forward, or post a message on its timeline."""
    status = parse.as_enum(fields, "status", MaintenanceStatus)
    body = parse.as_str(fields, "body")
    editing = {"name", "scheduled_for", "scheduled_until", "components", "component_ids"} & {
        k for k, v in fields.items() if v is not None
    }
    editing |= {n for _o, names in _MAINTENANCE_OPTIONS for n in names if n in fields}
    if "scheduled_remind_prior" in fields:
        editing.add("scheduled_remind_prior")
    with unit_of_work():
        if editing:
            announcement = maintenance.updates[-1].body if maintenance.updates else ""
            maintenance_services.update_maintenance(
                maintenance,
                parse.as_str(fields, "name") or maintenance.name,
                announcement,
                _maintenance_components(fields, list(maintenance.components)),
                parse.as_datetime(fields, "scheduled_for") or maintenance.scheduled_for,
                parse.as_datetime(fields, "scheduled_until") or maintenance.scheduled_until,
                **_maintenance_options(fields, maintenance),
                **_actor(user),
            )
        moved = status is not None and _transition(maintenance, status, body, user)
        if body and not moved:
            maintenance_services.post_maintenance_update(
                maintenance,
                body,
                notify=parse.as_bool(fields, "deliver_notifications", True),
                **_actor(user),
            )
    return _maintenance_json(maintenance, page_id)


def _cancel_maintenance(
    page_id: str, maintenance: Maintenance, fields: dict[str, Any], user: User
) -> Response:
    """Cancel a window (DELETE); answer it as it now is."""
    maintenance_services.cancel_maintenance(
        maintenance,
        parse.as_str(fields, "body"),
        notify=parse.as_bool(fields, "deliver_notifications", True),
        **_actor(user),
    )
    return _maintenance_json(maintenance, page_id)


def _maintenance_list(page_id: str, *conditions: Any) -> Response:
    page, per_page = _paging()
    found = db.session.scalars(
        sa.select(Maintenance)
        .where(*conditions)
        .order_by(Maintenance.scheduled_for, Maintenance.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    known = components_known(_all_components(), page_id)
    base = _base_url()
    return _json([manage_maintenance_object(m, page_id, known, base) for m in found])


@route("/pages/<page_id>/incidents/upcoming", ["GET"])
def list_upcoming(page_id: str) -> Response:
    """List scheduled maintenance that has not started and whose window has not begun."""
    return _maintenance_list(
        page_id,
        Maintenance.status == MaintenanceStatus.SCHEDULED,
        Maintenance.scheduled_for > utcnow(),
    )


@route("/pages/<page_id>/incidents/scheduled", ["GET"])
def list_scheduled(page_id: str) -> Response:
    """List every maintenance not yet started."""
    return _maintenance_list(page_id, Maintenance.status == MaintenanceStatus.SCHEDULED)


@route("/pages/<page_id>/incidents/active_maintenance", ["GET"])
def list_active_maintenance(page_id: str) -> Response:
    """List maintenance in progress or being verified."""
    return _maintenance_list(page_id, Maintenance.status.in_(maintenance_services.ACTIVE_STATUSES))
