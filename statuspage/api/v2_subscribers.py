"""POST /api/v2/subscribers.json: the public subscribe form as JSON (CORS open, no key).

The answer is 202 with a body that depends only on the channel (no enumeration), like the
/subscribe page; webhooks always get a signing secret, the real one only when the endpoint was
new (see public/subscriptions.py). It shares the page's rate limits (per client address and
per address asked for).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from ..components import services as components
from ..errors import NotFoundError, ValidationError
from ..incidents import services as incidents
from ..incidents.queries import get_incident
from ..public import subscription_pages as pages
from ..public.subscriptions import ip_limit, target_limit
from ..subscribers import services
from ..subscribers.models import Channel
from . import bp
from . import manage_parse as parse
from .manage_parse import BodyError

# A subscribe request is a few hundred bytes; refuse anything much larger before parsing.
MAX_BODY = 16 * 1024


def _answer(payload: dict[str, Any], status: int) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str, errors: dict[str, str] | None = None) -> Response:
    payload: dict[str, Any] = {"error": message}
    if errors:
        payload["errors"] = errors
    return _answer(payload, status)


def _fields() -> dict[str, Any]:
    if (request.content_length or 0) > MAX_BODY:
        raise BodyError(413, _("The body is too large: send at most 16 KiB."))
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise BodyError(415, _("Send the body as JSON (Content-Type: application/json)."))
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise BodyError(413, _("The body is too large: send at most 16 KiB."))
    fields = parse.parse_json(raw, "subscriber")
    if not fields:
        raise ValidationError(
            {"subscriber": _('Send {"subscriber": {"email": ...}} (or phone_number or endpoint).')}
        )
    return fields


def _message(channel: Channel) -> str:
    if channel is Channel.EMAIL:
        return _(
            "If this address is not subscribed yet, we sent it a link to confirm. "
            "If it was, nothing changes."
        )
    if channel is Channel.SMS:
        return _(
            "If this number is not subscribed yet, we texted it a code to confirm. "
            "If it was, nothing changes."
        )
    return _("Updates will be posted to this address; if it was subscribed, it keeps its choices.")


def _subscribe(fields: dict[str, Any]) -> Response:
    # The Manage API reads subscriber fields the same way; imported here because its package
    # (api.v1) imports this blueprint's package first.
    from .manage_subscriber_views import _channel, _choices, _kinds

    channel, target = _channel(fields)
    chosen, groups = _choices(fields)
    single = parse.as_str(fields, "component_id")
    if single:
        chosen = [*(chosen or []), *components.find_components([single], "component_id")]
    incident = None
    incident_id = parse.as_str(fields, "incident_id")
    if incident_id:
        try:
            get_incident(incident_id)  # only incidents shown on the page can be followed
        except NotFoundError:
            raise ValidationError(
                {"incident_id": _("No incident with this id is shown on this page.")}
            ) from None
        incident = incidents.find_incident(incident_id)
    result = services.subscribe(
        channel,
        target,
        components=chosen or None,
        groups=groups or None,
        incident=incident,
        kinds=_kinds(fields),
        language=parse.as_str(fields, "language"),
        phone_country=parse.as_str(fields, "phone_country"),
    )
    payload: dict[str, Any] = {
        "status": str(pages.outcome_for(channel)),
        "message": _message(channel),
    }
    if channel is Channel.WEBHOOK:
        payload["webhook_secret"] = pages.webhook_secret_for(result)
    return _answer(payload, 202)


@bp.post("/subscribers.json")
@ip_limit
@target_limit
def subscribe() -> Response:
    """Subscribe an email address, phone number or endpoint; answer the same for known ones."""
    try:
        return _subscribe(_fields())
    except BodyError as error:
        return _error(error.status, error.message)
    except ValidationError as error:
        first = next(iter(error.errors.values()), _("Check the fields and try again."))
        return _error(422, first, error.errors)


def too_many(error: TooManyRequests) -> Response:
    """Explain a rate limit in words (Flask-Limiter adds Retry-After)."""
    return _error(
        429,
        _(
            "Too many subscribe requests from here or for this address. Nothing was changed; "
            "wait a while (up to an hour), then try again."
        ),
    )


bp.register_error_handler(429, too_many)
