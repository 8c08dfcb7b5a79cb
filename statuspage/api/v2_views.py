"""Statuspage public API v2: read the domain, serialise, answer JSON with CORS and ETag."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..clock import utcnow
from ..components.queries import ComponentTree, visible_component_tree
from ..components.rollup import indicator_description, page_indicator
from ..errors import NotFoundError
from ..i18n import api_reader_languages
from ..incidents.queries import IncidentRead, get_incident, open_incidents, recent_incidents
from ..incidents.translations import localize_incidents
from ..maintenance.queries import MaintenanceRead, current_and_upcoming, recent_maintenance
from ..public.cache import CACHE_CONTROL
from ..site.queries import get_page_settings
from . import bp
from .v2_format import (
    Json,
    PageRef,
    component_objects,
    components_by_id,
    incident_object,
    maintenance_object,
    page_object,
    status_object,
)

RECENT_LIMIT = 50
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
POST_METHODS = "POST, OPTIONS"
POST_PATHS = frozenset({"/api/v2/subscribers.json"})
# No settings row yet: a fixed instant keeps the body (and its ETag) stable.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- responses ---------------------------------------------------------------------------


def _json(payload: Json, status: int = 200) -> Response:
    """Return a JSON response; public.cache adds the ETag, 304 and Cache-Control to a 200."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, status=status, mimetype="application/json")
    if status != 200:
        # Errors are not cached here; a short public lifetime spares us repeated bad URLs.
        response.headers["Cache-Control"] = CACHE_CONTROL if status < 500 else "no-store"
    return response


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


@bp.before_request
def _preflight() -> ResponseReturnValue | None:
    # Answer CORS preflights (and plain OPTIONS) before any view runs.
    if request.method == "OPTIONS":
        # Subscribing is the one write: browsers preflight its JSON POST.
        methods = POST_METHODS if request.path in POST_PATHS else ALLOWED_METHODS
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = methods
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = methods
        return response
    return None


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


@bp.errorhandler(NotFoundError)
def _not_found(error: NotFoundError) -> Response:
    return _error(404, "Not found: no such incident or scheduled maintenance.")


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        # Never leak internals; the log has the traceback.
        return _error(code, "Something went wrong on our side. Please try again in a moment.")
    response = _error(code, error.description or error.name)
    if isinstance(error, MethodNotAllowed):
        response.headers["Allow"] = ALLOWED_METHODS
    return response


# The app's own 404/405/500 handlers (errors.py) match by code before any class
# handler here, so register by code too: this blueprint always answers JSON.
bp.register_error_handler(HTTPException, _http_error)
for _code in (400, 404, 405, 500):
    bp.register_error_handler(_code, _http_error)


# -- reads -------------------------------------------------------------------------------


def _page() -> PageRef:
    settings = get_page_settings()
    return PageRef(
        id=settings.public_id or "",
        name=settings.name,
        url=settings.url or current_app.config["BASE_URL"],
        time_zone=settings.time_zone,
        updated_at=settings.updated_at or _EPOCH,
    )


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def _status(
    tree: ComponentTree, incidents: Sequence[IncidentRead], maintenance_in_progress: bool
) -> Json:
    indicator = page_indicator(tree.components, incidents, maintenance_in_progress)
    # Clients compare the headline as text: always the English one.
    with force_locale("en"):
        return status_object(indicator, indicator_description(indicator))


def _localized(reads: Sequence[IncidentRead]) -> list[IncidentRead]:
    """Return the incidents in the ?lang= language; without ?lang=, exactly as written."""
    if "lang" not in request.args:
        return list(reads)
    return localize_incidents(reads, *api_reader_languages())


# -- endpoints ---------------------------------------------------------------------------


@bp.get("/summary.json")
def summary() -> Response:
    """Return the page, its status, components, unresolved incidents and live/upcoming windows."""
    page = _page()
    tree = visible_component_tree()
    incidents = _localized(open_incidents(with_changes=True))
    in_progress, upcoming = current_and_upcoming(utcnow())
    components = component_objects(tree, page.id)
    known = components_by_id(components)
    base = _base_url()
    return _json(
        {
            "page": page_object(page),
            "status": _status(tree, incidents, bool(in_progress)),
            "components": components,
            "incidents": [incident_object(i, page.id, known, base) for i in incidents],
            "scheduled_maintenances": [
                maintenance_object(m, page.id, known, base) for m in [*in_progress, *upcoming]
            ],
        }
    )


@bp.get("/status.json")
def status() -> Response:
    """Return the page and its status indicator."""
    page = _page()
    in_progress, _upcoming = current_and_upcoming(utcnow())
    status = _status(visible_component_tree(), open_incidents(), bool(in_progress))
    return _json({"page": page_object(page), "status": status})


@bp.get("/components.json")
def components() -> Response:
    """Return every visible component and group."""
    page = _page()
    return _json(
        {
            "page": page_object(page),
            "components": component_objects(visible_component_tree(), page.id),
        }
    )


def _incidents(reads: Sequence[IncidentRead]) -> Response:
    page = _page()
    known = components_by_id(component_objects(visible_component_tree(), page.id))
    base = _base_url()
    return _json(
        {
            "page": page_object(page),
            "incidents": [incident_object(i, page.id, known, base) for i in _localized(reads)],
        }
    )


@bp.get("/incidents.json")
def incidents() -> Response:
    """Return the 50 most recent incidents, any status, newest first."""
    return _incidents(recent_incidents(RECENT_LIMIT, with_changes=True))


@bp.get("/incidents/unresolved.json")
def incidents_unresolved() -> Response:
    """Return the unresolved incidents, newest first."""
    return _incidents(open_incidents(with_changes=True))


@bp.get("/incidents/<public_id>.json")
def incident(public_id: str) -> Response:
    """Return one incident with its whole timeline."""
    read = _localized([get_incident(public_id)])[0]
    page = _page()
    known = components_by_id(component_objects(visible_component_tree(), page.id))
    return _json(
        {
            "page": page_object(page),
            "incident": incident_object(read, page.id, known, _base_url()),
        }
    )


def _maintenances(reads: Sequence[MaintenanceRead]) -> Response:
    page = _page()
    known = components_by_id(component_objects(visible_component_tree(), page.id))
    base = _base_url()
    return _json(
        {
            "page": page_object(page),
            "scheduled_maintenances": [maintenance_object(m, page.id, known, base) for m in reads],
        }
    )


@bp.get("/scheduled-maintenances.json")
def maintenances() -> Response:
    """Return the 50 most recent scheduled maintenances, latest scheduled first."""
    return _maintenances(recent_maintenance(RECENT_LIMIT))


@bp.get("/scheduled-maintenances/upcoming.json")
def maintenances_upcoming() -> Response:
    """Return the maintenances still scheduled, soonest first."""
    return _maintenances(current_and_upcoming(utcnow())[1])


@bp.get("/scheduled-maintenances/active.json")
def maintenances_active() -> Response:
    """Return the maintenances in progress or verifying."""
    return _maintenances(current_and_upcoming(utcnow())[0])


@bp.route("/<path:path>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def unknown(path: str) -> Response:
    """Answer JSON for any other path: 405 for a known path used the wrong way, else 404."""
    if request.method not in ("GET", "HEAD"):
        adapter = current_app.url_map.bind("")
        try:
            endpoint, _args = adapter.match(request.path, method="GET")
        except HTTPException:
            endpoint = None
        if endpoint not in (None, request.endpoint):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD", "OPTIONS"])
    raise NotFound("No such API endpoint. See /api/v2/summary.json.")
