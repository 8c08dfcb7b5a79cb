"""Cachet API v1 subset on the /api/v1 blueprint: thin views over the domain services."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request
from flask_babel import force_locale
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from ..accounts.models import Role, User
from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentGroup, StatusCause
from ..components.queries import visible_component_tree
from ..components.rollup import indicator_description, page_indicator
from ..components.services import (
    create_component,
    delete_component,
    find_component,
    find_components,
    find_group,
    move_component,
    set_component_status,
    update_component,
)
from ..db import unit_of_work
from ..errors import NotFoundError, ValidationError
from ..extensions import db, limiter
from ..incidents.models import Incident, IncidentStatus, IncidentUpdate
from ..incidents.queries import open_incidents
from ..incidents.services import (
    create_incident,
    find_incident,
    post_update,
    resolve_incident,
    set_incident_hidden,
)
from ..maintenance.models import Maintenance
from ..maintenance.queries import current_and_upcoming
from ..maintenance.services import (
    cancel_maintenance,
    complete_maintenance,
    find_maintenance,
    schedule_maintenance,
    start_maintenance,
)
from ..subscribers.models import Channel, Scope, Subscriber
from ..subscribers.queries import find_subscriber
from ..subscribers.services import delete_subscriber, subscribe
from .auth import ApiAuthError, actor_label, rate_limit, rate_limit_bucket, require_api_user
from .cachet_format import INCIDENT_STATUS_NAMES as _INCIDENT_NAMES
from .cachet_format import SCHEDULE_STATUS_NAMES as _SCHEDULE_NAMES
from .cachet_format import (
    CachetError,
    Json,
    component_status_code,
    component_status_from_code,
    component_status_name,
    error_body,
    incident_status_code,
    incident_status_from_code,
    merge_params,
    page_request,
    pagination_meta,
    parse_bool,
    parse_int,
    parse_time,
    schedule_status_code,
    schedule_status_from_code,
    timestamp,
)
from .idempotency import IdempotencyConflict, idempotent
from .v1 import api_v1

log = logging.getLogger(__name__)

View = Callable[..., Response]


# -- plumbing ----------------------------------------------------------------------------


def _error(status: int, detail: str, title: str | None = None) -> Response:
    response = jsonify(error_body(status, detail, title))
    response.status_code = status
    return response


def cachet(view: View) -> View:
    """Answer every failure of a Cachet view in Cachet's error shape (never a bare 500)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except CachetError as exc:
            return _error(exc.status, exc.detail, exc.title)
        except ApiAuthError as exc:
            return _error(exc.status, exc.message)
        except IdempotencyConflict as exc:
            return _error(409, str(exc))
        except NotFoundError as exc:
            return _error(404, str(exc) or "Not found.")
        except ValidationError as exc:
            detail = " ".join(f"`{field}`: {message}" for field, message in exc.errors.items())
            return _error(400, detail or str(exc))
        except HTTPException as exc:
            response = _error(exc.code or 500, exc.description or exc.name)
            retry = dict(exc.get_headers()).get("Retry-After")
            if retry:
                response.headers["Retry-After"] = retry
            return response
        except Exception:
            db.session.rollback()
            log.exception("cachet api request failed")
            return _error(500, "Something went wrong on our side. Please try again in a moment.")

    return wrapper


def route(rule: str, methods: list[str]) -> Callable[[View], View]:
    """Register a Cachet view on the v1 blueprint with per-key rate limiting and Cachet errors."""

    def decorate(view: View) -> View:
        # A retried POST with the same Idempotency-Key answers the first result again.
        once = idempotent(writer)(view) if "POST" in methods else view
        limited = limiter.limit(rate_limit, key_func=rate_limit_bucket)(once)
        wrapped = cachet(limited)
        api_v1.add_url_rule(
            rule, endpoint="cachet_" + view.__name__, view_func=wrapped, methods=methods
        )
        return wrapped

    return decorate


def params() -> Json:
    """Return the request's parameters: query string, form body and JSON body merged."""
    body = request.get_json(silent=True) if request.is_json else None
    if request.is_json and request.content_length and body is None:
        raise CachetError(400, "The body is not valid JSON.")
    if body is not None and not isinstance(body, dict):
        raise CachetError(400, "Send the JSON body as an object of parameters.")
    return merge_params(request.args.to_dict(), request.form.to_dict(), body)


def writer() -> User:
    """Return the communicator (or higher) behind X-Cachet-Token, or raise a 401/403."""
    return require_api_user(Role.COMMUNICATOR)


def _sees_hidden() -> bool:
    """Say whether the request presents a valid key that may see hidden items."""
    try:
        require_api_user(Role.SUPPORT)
    except ApiAuthError:
        return False
    return True


def _who(user: User) -> dict[str, Any]:
    return {"actor": actor_label(user), "actor_id": user.id}


def _given(data: Mapping[str, Any], name: str) -> bool:
    return name in data and data[name] is not None


def data(payload: Any, status: int = 200) -> Response:
    """Return `{"data": payload}`."""
    response = jsonify({"data": payload})
    response.status_code = status
    return response


def listing(
    stmt: sa.Select[Any],
    sortable: Mapping[str, Any],
    serialise: Callable[[Any], Json],
) -> Response:
    """Page a query as Cachet does (`per_page`, `page`, `sort`, `order`) and answer the list."""
    args = request.args.to_dict()
    page, per_page, sort, descending = page_request(params(), sortable)
    column = sortable[sort]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    entity = stmt.column_descriptions[0]["entity"]
    ordered = stmt.order_by(
        column.desc() if descending else column.asc(),
        entity.id.desc() if descending else entity.id.asc(),
    )
    rows = db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)).all()
    items = [serialise(row) for row in rows]
    meta = pagination_meta(total, len(items), page, per_page, request.base_url, args)
    return jsonify({"meta": meta, "data": items})


def _permalink(path: str) -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


# -- serialisation -----------------------------------------------------------------------


def component_json(component: Component) -> Json:
    """Return a component as Cachet does."""
    return {
        "id": component.public_id,
        "name": component.name,
        "description": component.description or "",
        # We keep no per-component link; Cachet's optional field is always null here.
        "link": None,
        "status": component_status_code(component.status),
        "status_name": component_status_name(component.status),
        "order": component.position,
        "group_id": component.group.public_id if component.group else None,
        "enabled": component.visible,
        "created_at": timestamp(component.created_at),
        "updated_at": timestamp(component.updated_at),
    }


def group_json(group: ComponentGroup, hidden_too: bool) -> Json:
    """Return a component group with its enabled components, as Cachet does."""
    return {
        "id": group.public_id,
        "name": group.name,
        "order": group.position,
        "collapsed": 1 if group.collapsed else 0,
        "visible": 1 if group.visible else 0,
        "created_at": timestamp(group.created_at),
        "updated_at": timestamp(group.updated_at),
        "enabled_components": [
            component_json(c) for c in group.components if c.visible or hidden_too
        ],
    }


def update_json(update: IncidentUpdate) -> Json:
    """Return one incident update as Cachet does (no user id: authors stay private)."""
    code = incident_status_code(update.status)
    return {
        "id": update.public_id,
        "incident_id": update.incident.public_id,
        "status": code,
        "human_status": _INCIDENT_NAMES[code],
        "message": update.body,
        "user_id": None,
        "created_at": timestamp(update.display_at),
        "updated_at": timestamp(update.updated_at),
        "permalink": _permalink(f"/incidents/{update.incident.public_id}#{update.public_id}"),
    }


def incident_json(incident: Incident) -> Json:
    """Return an incident as Cachet does, with its updates oldest first."""
    code = incident_status_code(incident.status)
    timeline = sorted(incident.updates, key=lambda u: (u.display_at, u.id))
    return {
        "id": incident.public_id,
        "component_id": incident.components[0].public_id if incident.components else None,
        "name": incident.name,
        "status": code,
        "human_status": _INCIDENT_NAMES[code],
        "message": timeline[0].body if timeline else "",
        "visible": 0 if incident.hidden else 1,
        "occurred_at": timestamp(incident.started_at),
        "created_at": timestamp(incident.created_at),
        "updated_at": timestamp(incident.updated_at),
        "is_resolved": not IncidentStatus(incident.status).is_open,
        "updates": [update_json(u) for u in timeline[1:]],
        "permalink": _permalink(f"/incidents/{incident.public_id}"),
    }


def schedule_json(maintenance: Maintenance) -> Json:
    """Return a maintenance window as a Cachet schedule."""
    code = schedule_status_code(maintenance.status)
    first = min(maintenance.updates, key=lambda u: (u.display_at, u.id), default=None)
    return {
        "id": maintenance.public_id,
        "name": maintenance.name,
        "message": first.body if first else "",
        "status": code,
        "human_status": _SCHEDULE_NAMES[code],
        "scheduled_at": timestamp(maintenance.scheduled_for),
        # The actual end once completed; until then the planned end of the window.
        "completed_at": timestamp(maintenance.completed_at or maintenance.scheduled_until),
        "created_at": timestamp(maintenance.created_at),
        "updated_at": timestamp(maintenance.updated_at),
        "components": [component_json(c) for c in maintenance.components],
    }


# -- general -----------------------------------------------------------------------------


@route("/ping", ["GET"])
def ping() -> Response:
    """Answer Cachet's liveness probe."""
    return data("Pong!")


@route("/version", ["GET"])
def cachet_version() -> Response:
    """Return this product's version (there is no upstream release to compare with)."""
    try:
        ours = version("statuspage")
    except PackageNotFoundError:
        ours = "unknown"
    response = jsonify({"meta": {"on_latest": True, "latest": None}, "data": ours})
    return response


@route("/status", ["GET"])
def system_status() -> Response:
    """Return Cachet's system status: success when everything is operational."""
    tree = visible_component_tree()
    live, _upcoming = current_and_upcoming(utcnow())
    indicator = page_indicator(tree.components, open_incidents(), bool(live))
    with force_locale("en"):
        message = indicator_description(indicator)
    return data({"status": "success" if indicator == "none" else "info", "message": message})


# -- components --------------------------------------------------------------------------

_COMPONENT_SORT: dict[str, Any] = {
    "id": Component.id,
    "name": Component.name,
    "status": Component.status,
    "order": Component.position,
    "created_at": Component.created_at,
    "updated_at": Component.updated_at,
}


def _component(public_id: str, hidden_too: bool = True) -> Component:
    component = find_component(public_id)
    if component is None or not (hidden_too or _public(component)):
        raise NotFoundError(f"No component with id {public_id!r}.")
    return component


def _public(component: Component) -> bool:
    return component.visible and (component.group is None or component.group.visible)


def _group_param(value: Any) -> ComponentGroup | None:
    if value in (None, "", 0, "0"):
        return None
    group = find_group(str(value))
    if group is None:
        raise CachetError(400, f"`group_id`: no component group with id {value!r}.")
    return group


@route("/components", ["GET"])
def components() -> Response:
    """List components (disabled ones only for a valid key)."""
    stmt = sa.select(Component).options(selectinload(Component.group))
    if not _sees_hidden():
        stmt = stmt.outerjoin(ComponentGroup, Component.group_id == ComponentGroup.id).where(
            Component.visible.is_(True),
            sa.or_(Component.group_id.is_(None), ComponentGroup.visible.is_(True)),
        )
    query = params()
    if _given(query, "status"):
        stmt = stmt.where(Component.status == component_status_from_code(query["status"]))
    if _given(query, "name"):
        stmt = stmt.where(Component.name == str(query["name"]))
    return listing(stmt, _COMPONENT_SORT, component_json)


@route("/components/<public_id>", ["GET"])
def component(public_id: str) -> Response:
    """Return one component."""
    return data(component_json(_component(public_id, hidden_too=_sees_hidden())))


@route("/components", ["POST"])
def component_create() -> Response:
    """Create a component (status 1..4, default operational)."""
    user = writer()
    given = params()
    status = component_status_from_code(given.get("status", 1))
    group = _group_param(given.get("group_id"))
    order = parse_int(given["order"], "order", minimum=0) if _given(given, "order") else None
    visible = parse_bool(given["enabled"], "enabled") if _given(given, "enabled") else True
    with unit_of_work():
        created = create_component(
            str(given.get("name") or ""),
            group=group,
            description=_text(given.get("description")),
            position=order,
            visible=visible,
            **_who(user),
        )
        set_component_status(created, status, cause=StatusCause.API, **_who(user))
    return data(component_json(created))


def _last_place(component: Component) -> int:
    """Return the highest position in the sequence the component is ordered in."""
    if component.group is not None:
        return len(component.group.components) - 1
    count = sa.select(sa.func.count())
    groups = db.session.scalar(count.select_from(ComponentGroup)) or 0
    loose = db.session.scalar(count.select_from(Component).where(Component.group_id.is_(None)))
    return groups + (loose or 0) - 1


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@route("/components/<public_id>", ["PUT"])
def component_update(public_id: str) -> Response:
    """Change a component: any of status, name, description, order, group_id, enabled."""
    user = writer()
    target = _component(public_id)
    given = params()
    status = component_status_from_code(given["status"]) if _given(given, "status") else None
    order = parse_int(given["order"], "order", minimum=0) if _given(given, "order") else None
    details = {"name", "description", "group_id", "enabled"} & {
        k for k in given if _given(given, k)
    }
    group = _group_param(given["group_id"]) if "group_id" in details else target.group
    visible = parse_bool(given["enabled"], "enabled") if "enabled" in details else target.visible
    with unit_of_work():
        if details:
            update_component(
                target,
                str(given["name"]) if "name" in details else target.name,
                group=group,
                description=_text(given["description"])
                if "description" in details
                else target.description,
                showcase=target.showcase,
                start_date=target.start_date,
                visible=visible,
                only_show_if_degraded=target.only_show_if_degraded,
                **_who(user),
            )
        if order is not None:
            # Positions are dense 0..n-1 in the component's sequence: clamp to its last place.
            move_component(target, min(order, _last_place(target)) - target.position, **_who(user))
        if status is not None:
            set_component_status(target, status, cause=StatusCause.API, **_who(user))
    return data(component_json(target))


@route("/components/<public_id>", ["DELETE"])
def component_delete(public_id: str) -> Response:
    """Delete a component; answer 204."""
    user = writer()
    delete_component(_component(public_id), **_who(user))
    return Response(status=204)


# -- component groups ----------------------------------------------------------------------

_GROUP_SORT: dict[str, Any] = {
    "id": ComponentGroup.id,
    "name": ComponentGroup.name,
    "order": ComponentGroup.position,
    "created_at": ComponentGroup.created_at,
    "updated_at": ComponentGroup.updated_at,
}


@route("/components/groups", ["GET"])
def groups() -> Response:
    """List component groups with their enabled components."""
    hidden_too = _sees_hidden()
    stmt = sa.select(ComponentGroup).options(selectinload(ComponentGroup.components))
    if not hidden_too:
        stmt = stmt.where(ComponentGroup.visible.is_(True))
    return listing(stmt, _GROUP_SORT, lambda g: group_json(g, hidden_too))


@route("/components/groups/<public_id>", ["GET"])
def group(public_id: str) -> Response:
    """Return one component group."""
    hidden_too = _sees_hidden()
    found = find_group(public_id)
    if found is None or not (found.visible or hidden_too):
        raise NotFoundError(f"No component group with id {public_id!r}.")
    return data(group_json(found, hidden_too))


# -- incidents ---------------------------------------------------------------------------

_INCIDENT_SORT: dict[str, Any] = {
    "id": Incident.id,
    "name": Incident.name,
    "status": Incident.status,
    "occurred_at": Incident.started_at,
    "created_at": Incident.created_at,
    "updated_at": Incident.updated_at,
}


def _incident(public_id: str, hidden_too: bool = True) -> Incident:
    found = find_incident(public_id)
    if found is None or (found.hidden and not hidden_too):
        raise NotFoundError(f"No incident with id {public_id!r}.")
    return found


def _component_statuses(given: Mapping[str, Any]) -> dict[Component, Any]:
    """Return {component: new status} from `component_id` + `component_status`."""
    if not _given(given, "component_id") or given["component_id"] in ("", 0, "0"):
        if _given(given, "component_status"):
            raise CachetError(400, "`component_status` needs a `component_id`.")
        return {}
    found = find_component(str(given["component_id"]))
    if found is None:
        raise CachetError(400, f"`component_id`: no component with id {given['component_id']!r}.")
    if not _given(given, "component_status"):
        # Linked to the incident without changing its status.
        return {found: found.status}
    return {found: component_status_from_code(given["component_status"], "component_status")}


@route("/incidents", ["GET"])
def incidents() -> Response:
    """List incidents with their updates (hidden ones only for a valid key)."""
    stmt = sa.select(Incident).options(
        selectinload(Incident.updates), selectinload(Incident.components)
    )
    if not _sees_hidden():
        stmt = stmt.where(Incident.hidden.is_(False))
    return listing(stmt, _INCIDENT_SORT, incident_json)


@route("/incidents/<public_id>", ["GET"])
def incident(public_id: str) -> Response:
    """Return one incident."""
    return data(incident_json(_incident(public_id, hidden_too=_sees_hidden())))


@route("/incidents", ["POST"])
def incident_create() -> Response:
    """Open an incident (status 1..4; `visible=0` creates it hidden, without notifying)."""
    user = writer()
    given = params()
    if not _given(given, "status"):
        raise CachetError(400, "`status` is required: 1 investigating .. 4 fixed.")
    status = incident_status_from_code(given["status"])
    statuses = _component_statuses(given)
    visible = parse_bool(given["visible"], "visible") if _given(given, "visible") else True
    # Cachet only notifies subscribers when asked to.
    notify = parse_bool(given["notify"], "notify") if _given(given, "notify") else False
    occurred = parse_time(given.get("occurred_at"), "occurred_at")
    with unit_of_work():
        created = create_incident(
            str(given.get("name") or ""),
            status,
            str(given.get("message") or ""),
            statuses,
            started_at=occurred,
            notify=notify and visible,
            **_who(user),
        )
        if not visible:
            set_incident_hidden(created, True, **_who(user))
    return data(incident_json(created))


@route("/incidents/<public_id>", ["PUT"])
def incident_update(public_id: str) -> Response:
    """Change an incident: rename, show/hide, or post a new status/message/component status."""
    user = writer()
    target = _incident(public_id)
    given = params()
    status = incident_status_from_code(given["status"]) if _given(given, "status") else None
    statuses = _component_statuses(given)
    visible = parse_bool(given["visible"], "visible") if _given(given, "visible") else None
    notify = parse_bool(given["notify"], "notify") if _given(given, "notify") else False
    name = str(given["name"]).strip() if _given(given, "name") else None
    if name is not None and not name:
        raise CachetError(400, "`name` cannot be empty.")
    with unit_of_work():
        if name is not None and name != target.name:
            _rename(target, name, user)
        if status is not None or _given(given, "message") or statuses:
            _post(target, status or IncidentStatus(target.status), given, statuses, notify, user)
        if visible is not None:
            set_incident_hidden(target, not visible, **_who(user))
    return data(incident_json(target))


def _rename(target: Incident, name: str, user: User) -> None:
    """Rename an incident (no service does this yet: audited here)."""
    if len(name) > 255:
        raise CachetError(400, "`name`: use at most 255 characters.")
    before = {"name": target.name}
    target.name = name
    record(
        actor_label(user),
        "incident.rename",
        "incident",
        target.public_id,
        before,
        {"name": name},
        actor_id=user.id,
    )


def _post(
    target: Incident,
    status: IncidentStatus,
    given: Mapping[str, Any],
    statuses: dict[Component, Any],
    notify: bool,
    user: User,
) -> IncidentUpdate:
    """Post an update; fixed on an open incident resolves it (components back up)."""
    message = str(given.get("message") or "")
    if status is IncidentStatus.RESOLVED and IncidentStatus(target.status).is_open and not statuses:
        return resolve_incident(target, message, notify=notify, **_who(user))
    return post_update(target, status, message, statuses, notify=notify, **_who(user))


_UPDATE_SORT: dict[str, Any] = {
    "id": IncidentUpdate.id,
    "status": IncidentUpdate.status,
    "created_at": IncidentUpdate.display_at,
    "updated_at": IncidentUpdate.updated_at,
}


@route("/incidents/<public_id>/updates", ["GET"])
def incident_updates(public_id: str) -> Response:
    """List an incident's updates after its opening message (that is the incident's message)."""
    target = _incident(public_id, hidden_too=_sees_hidden())
    opening = min(target.updates, key=lambda u: (u.display_at, u.id), default=None)
    stmt = (
        sa.select(IncidentUpdate)
        .where(IncidentUpdate.incident_id == target.id)
        .options(selectinload(IncidentUpdate.incident))
    )
    if opening is not None:
        stmt = stmt.where(IncidentUpdate.id != opening.id)
    return listing(stmt, _UPDATE_SORT, update_json)


@route("/incidents/<public_id>/updates", ["POST"])
def incident_update_create(public_id: str) -> Response:
    """Add an update (`status`, `message`) to an incident."""
    user = writer()
    target = _incident(public_id)
    given = params()
    if not _given(given, "status"):
        raise CachetError(400, "`status` is required: 1 investigating .. 4 fixed.")
    if not str(given.get("message") or "").strip():
        raise CachetError(400, "`message` is required.")
    status = incident_status_from_code(given["status"])
    notify = parse_bool(given["notify"], "notify") if _given(given, "notify") else False
    with unit_of_work():
        created = _post(target, status, given, _component_statuses(given), notify, user)
    return data(update_json(created))


# -- schedules ---------------------------------------------------------------------------

_SCHEDULE_SORT: dict[str, Any] = {
    "id": Maintenance.id,
    "name": Maintenance.name,
    "status": Maintenance.status,
    "scheduled_at": Maintenance.scheduled_for,
    "created_at": Maintenance.created_at,
    "updated_at": Maintenance.updated_at,
}


@route("/schedules", ["GET"])
def schedules() -> Response:
    """List maintenance windows as Cachet schedules (hidden ones only for a valid key)."""
    stmt = sa.select(Maintenance).options(
        selectinload(Maintenance.updates), selectinload(Maintenance.components)
    )
    if not _sees_hidden():
        stmt = stmt.where(Maintenance.hidden.is_(False))
    return listing(stmt, _SCHEDULE_SORT, schedule_json)


def _schedule_components(value: Any) -> list[Component]:
    """Return the components of Cachet's `components` map ({id: status}) or a list of ids."""
    if value in (None, ""):
        return []
    if isinstance(value, Mapping):
        ids = [str(k) for k in value]
    elif isinstance(value, list):
        ids = [str(v) for v in value]
    else:
        ids = [part.strip() for part in str(value).split(",") if part.strip()]
    found = []
    for public_id in ids:
        item = find_component(public_id)
        if item is None:
            raise CachetError(400, f"`components`: no component with id {public_id!r}.")
        found.append(item)
    return found


@route("/schedules", ["POST"])
def schedule_create() -> Response:
    """Schedule maintenance: status 0 upcoming, 1 in progress (started now), 2 complete."""
    user = writer()
    given = params()
    status = schedule_status_from_code(given.get("status", 0))
    starts = parse_time(given.get("scheduled_at"), "scheduled_at")
    ends = parse_time(given.get("completed_at"), "completed_at")
    if starts is None:
        raise CachetError(400, "`scheduled_at` is required (`YYYY-MM-DD HH:MM:SS`, UTC).")
    if ends is None:
        raise CachetError(
            400, "`completed_at` is required: a maintenance window here has a planned end."
        )
    items = _schedule_components(given.get("components"))
    with unit_of_work():
        created = schedule_maintenance(
            str(given.get("name") or ""),
            str(given.get("message") or ""),
            items,
            starts,
            ends,
            notify=False,
            **_who(user),
        )
        if status >= 1:
            start_maintenance(created, at=min(starts, utcnow()), **_who(user))
        if status == 2:
            complete_maintenance(created, at=min(ends, utcnow()), **_who(user))
    return data(schedule_json(created))


@route("/schedules/<public_id>", ["DELETE"])
def schedule_delete(public_id: str) -> Response:
    """Cancel a scheduled or started maintenance window (it is kept, marked cancelled); 204.

    Optional `message` words the final update; `notify` (default false, as Cachet's
    other writes) tells subscribers. A completed or cancelled window answers 400.
    """
    user = writer()
    given = params()
    target = find_maintenance(public_id)
    if target is None:
        raise NotFoundError(f"No schedule with id {public_id!r}.")
    notify = parse_bool(given["notify"], "notify") if _given(given, "notify") else False
    message = str(given.get("message") or "").strip() or None
    cancel_maintenance(target, message, notify=notify, **_who(user))
    return Response(status=204)


# -- subscribers -------------------------------------------------------------------------


def subscriber_json(subscriber: Subscriber) -> Json:
    """Return a subscriber as Cachet does; its secret code is never returned."""
    return {
        "id": subscriber.public_id,
        "email": subscriber.target,
        # Cachet leaked this code, which unlocked the subscriber's manage link: always null.
        "verify_code": None,
        "verified_at": timestamp(subscriber.confirmed_at),
        "global": subscriber.scope is Scope.ALL,
        "created_at": timestamp(subscriber.created_at),
        "updated_at": timestamp(subscriber.updated_at),
        "subscriptions": [c.public_id for c in subscriber.components],
    }


def _subscriber_components(value: Any) -> list[Component] | None:
    """Return the components named by a list or a comma-separated string of ids."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        ids = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        ids = [str(v) for v in value]
    else:
        raise CachetError(400, "`components` must be a list of component ids.")
    return find_components(ids, field="components")


@route("/subscribers", ["POST"])
def subscriber_create() -> Response:
    """Subscribe an email address (verify=1 skips the confirmation email)."""
    user = writer()
    given = params()
    if not _given(given, "email"):
        raise CachetError(400, "`email` is required.")
    verify = parse_bool(given["verify"], "verify") if _given(given, "verify") else False
    result = subscribe(
        Channel.EMAIL,
        str(given["email"]),
        components=_subscriber_components(given.get("components")),
        skip_confirmation=verify,
        staff=True,
        **_who(user),
    )
    db.session.refresh(result.subscriber)
    return data(subscriber_json(result.subscriber))


@route("/subscribers/<public_id>", ["DELETE"])
def subscriber_delete(public_id: str) -> Response:
    """Delete a subscriber for good."""
    user = writer()
    found = find_subscriber(public_id)
    if found is None:
        raise NotFoundError(f"No subscriber with id {public_id!r}.")
    delete_subscriber(found, **_who(user))
    return Response(status=204)
