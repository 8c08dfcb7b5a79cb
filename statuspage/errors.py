"""Domain errors and error pages."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

log = logging.getLogger(__name__)

# Audiences with their own error format (JSON, console pages); the themed page is for the rest.
_NOT_THEMED_PREFIXES = ("/api/", "/admin", "/support", "/hooks/", "/healthz", "/metrics")


class ValidationError(ValueError):
    """Input a person can fix; maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(LookupError):
    """An object asked for by id does not exist (or is not visible)."""


def _is_public_request() -> bool:
    if request.blueprint not in (None, "public"):
        return False
    return not request.path.startswith(_NOT_THEMED_PREFIXES)


def _render_error(code: int, original: HTTPException | None = None) -> ResponseReturnValue:
    from .themes.render import current_page, render_public

    # Unmatched URLs skip the blueprint's before_request: read the page's language now.
    with contextlib.suppress(Exception):  # the page below falls back to plain text
        current_page()

    if code == 404:
        title, message = (
            _("Page not found"),
            _("We could not find that page. It may have been moved, or it never existed."),
        )
        template = "public/404.html"
    elif code == 405:
        title, message = _("Method not allowed"), _("This page cannot be used that way.")
        template = "public/error.html"
    else:
        title, message = (
            _("Something went wrong"),
            _("We could not show this page right now. Please try again in a moment."),
        )
        template = "public/error.html"
    try:
        response = render_public(template, status=code, code=code, title=title, message=message)
    except Exception:
        # The error page must never fail: fall back to plain text.
        log.exception("themed error page failed")
        response = Response(f"{code} {title}\n", status=code, mimetype="text/plain")
    if original is not None:
        # 405 says which methods are allowed.
        for name, value in original.get_headers():
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """Render themed error pages for the public site (404, 405, 500) and map NotFoundError."""

    @app.errorhandler(NotFoundError)
    def not_found_error(error: NotFoundError) -> ResponseReturnValue:
        if not _is_public_request():
            return NotFound()
        return _render_error(404)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> ResponseReturnValue:
        return _render_error(404, error) if _is_public_request() else error

    @app.errorhandler(405)
    def method_not_allowed(error: HTTPException) -> ResponseReturnValue:
        return _render_error(405, error) if _is_public_request() else error

    @app.errorhandler(500)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        if not _is_public_request():
            return error
        return _render_error(500, error)
