"""Write API v1 blueprint (Statuspage Manage API and Cachet-compatible routes): JSON errors."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..errors import NotFoundError, ValidationError
from ..extensions import csrf
from .auth import ApiAuthError
from .cachet_format import error_body

log = logging.getLogger(__name__)

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
# Key-authenticated, no cookies: CSRF tokens do not apply.
csrf.exempt(api_v1)

_MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API key.",
    403: "This API key may not do that.",
    404: "Not found.",
    405: "This method is not allowed on this URL.",
    409: "This request conflicts with an earlier one.",
    413: "The request body is too large (the limit is 1 MiB).",
    415: "Send the body as application/json or application/x-www-form-urlencoded.",
    422: "The request could not be processed.",
    429: "Too many requests for this API key; retry after the time in Retry-After.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def error_response(status: int, message: str) -> Response:
    """Return the JSON error body `{"error": message}` with the given status."""
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        return error_response(code, _MESSAGES[500])
    description = error.description or ""
    # Werkzeug's stock descriptions are for browsers; keep ours or a custom one.
    stock = type(error).description
    message = (
        description if description and description != stock else _MESSAGES.get(code, error.name)
    )
    response = error_response(code, message)
    for name, value in error.get_headers():
        if name.lower() in {"allow", "retry-after"}:
            response.headers[name] = value
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected(error: Exception) -> Response:
    log.exception("api v1 request failed", exc_info=error)
    return error_response(500, _MESSAGES[500])


@api_v1.errorhandler(ApiAuthError)
def _auth_error(error: ApiAuthError) -> Response:
    return error_response(error.status, error.message)


@api_v1.errorhandler(NotFoundError)
def _not_found(error: NotFoundError) -> Response:
    return error_response(404, str(error) or _MESSAGES[404])


@api_v1.errorhandler(ValidationError)
def _invalid(error: ValidationError) -> Response:
    response = jsonify({"error": str(error), "errors": error.errors})
    response.status_code = 422
    return response


# Paths the Statuspage Manage API owns: unmatched URLs and wrong methods there answer JSON too.
MANAGE_PREFIX = "/api/v1/pages"
# /api/v2 answers its own wrong URLs (a catch-all route there).
_V2_PREFIX = "/api/v2/"


def _cachet_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    message = error.description if isinstance(error, NotFound) else _MESSAGES.get(code)
    response = jsonify(error_body(code, message or error.name))
    response.status_code = code
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@api_v1.before_app_request
def _routing_error_as_json() -> Response | None:
    # A URL no route matches never reaches a blueprint's handlers: answer it here, as JSON
    # in the shape of the API the path belongs to, for everything under /api/.
    error = request.routing_exception
    if not isinstance(error, HTTPException) or (error.code or 0) < 400:
        return None
    if isinstance(error, NotFound):
        error = NotFound("No such API endpoint; /api/openapi.json lists them all.")
    path = request.path
    if path == MANAGE_PREFIX or path.startswith((MANAGE_PREFIX + "/", MANAGE_PREFIX + ".")):
        return _http_error(error)
    if path.startswith("/api/v1/"):
        return _cachet_http_error(error)
    if path.startswith("/api/") and not path.startswith(_V2_PREFIX):
        return _http_error(error)
    return None


# The app's own handlers match by code before class handlers: register by code too.
api_v1.register_error_handler(HTTPException, _http_error)
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
    api_v1.register_error_handler(_code, _http_error)
api_v1.register_error_handler(Exception, _unexpected)

from . import (  # noqa: E402,F401
    cachet_views,
    manage_postmortem_views,
    manage_subscriber_views,
    manage_template_views,
    manage_uptime_views,
    manage_views,
)
