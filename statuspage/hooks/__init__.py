"""Inbound alert webhooks (/hooks/<kind>?i=<integration id>): JSON in, JSON out, never themed.

An integration is identified by its public id in the ``i`` query parameter (every source
lets you configure a full URL, while not all of them can add headers); the request is then
verified with that integration's secret, as its source defines (statuspage.internal.verify).
Answers: 202 accepted (also for a replay, which changes nothing), 400 malformed, 401 no
credentials, 403 wrong credentials or disabled, 404 unknown integration, 413 too large,
429 over the rate limit.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..clock import utcnow
from ..extensions import csrf, db, limiter
from ..internal import services
from ..internal.models import Integration, IntegrationKind
from ..internal.parsers import PayloadError, parse
from ..internal.verify import Outcome, verify

log = logging.getLogger(__name__)

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
# Sources cannot hold a CSRF token; they prove themselves with a secret or signature.
csrf.exempt(bp)


def _json(status: int, **body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> Response:
    return _json(status, error=message)


def _rate_limit() -> str:
    return str(current_app.config.get("HOOKS_RATE_LIMIT") or "120 per minute")


def _integration_key() -> str:
    # Per integration, so one noisy source cannot starve the others.
    return "hooks:" + (request.args.get("i") or request.remote_addr or "")


def _read_body() -> bytes | None:
    """Return the raw body, or None when it is larger than HOOKS_MAX_BODY."""
    limit = int(current_app.config.get("HOOKS_MAX_BODY") or 1024 * 1024)
    if request.content_length is not None and request.content_length > limit:
        return None
    body = request.stream.read(limit + 1)
    return None if len(body) > limit else body


@bp.post("/<kind>")
@limiter.limit(_rate_limit, key_func=_integration_key)
def receive(kind: str) -> Response:
    """Verify, parse and record one webhook call from an alerting tool."""
    try:
        parsed_kind = IntegrationKind(kind)
    except ValueError:
        return _error(404, f"unknown source {kind!r}")
    public_id = request.args.get("i", "")
    integration = db.session.scalar(
        sa.select(Integration).where(
            Integration.public_id == public_id, Integration.kind == parsed_kind
        )
    )
    if integration is None:
        return _error(404, f"no {kind} integration with this id: check the ?i= in the URL")
    body = _read_body()
    if body is None:
        return _error(413, "the body is too large")
    verdict = verify(
        parsed_kind,
        dict(request.headers.items()),
        body,
        services.valid_secrets(integration, utcnow()),
        utcnow(),
        grafana_signature_header=current_app.config.get("GRAFANA_SIGNATURE_HEADER"),
        grafana_timestamp_header=current_app.config.get("GRAFANA_TIMESTAMP_HEADER"),
    )
    if not verdict.ok:
        services.record_rejection(integration, verdict.reason)
        status = 401 if verdict.outcome is Outcome.MISSING else 403
        response = _error(status, verdict.reason)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="statuspage hooks"'
        return response
    if not integration.enabled:
        log.warning("alert webhook for disabled integration %s", integration.public_id)
        return _error(403, "this integration is disabled")
    try:
        alerts = parse(parsed_kind, body)
    except PayloadError as exc:
        log.info("malformed %s payload for %s: %s", kind, integration.public_id, exc)
        return _error(400, f"malformed payload: {exc}")
    try:
        result = services.ingest(integration, alerts)
    except sa.exc.IntegrityError:
        # The same event arrived twice at once: the other request stored it; this one is a replay.
        db.session.rollback()
        again = db.session.get(Integration, integration.id)
        if again is None:
            return _error(404, "the integration was deleted")
        result = services.ingest(again, alerts)
    return _json(202, result="accepted", **result.as_dict())


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Answer errors (429, 405 ...) as JSON, never as a themed page."""
    response = _error(error.code or 500, error.description or error.name)
    if error.code == 429:
        retry = error.get_headers()
        for name, value in retry:
            if name.lower() == "retry-after":
                response.headers["Retry-After"] = value
    return response
