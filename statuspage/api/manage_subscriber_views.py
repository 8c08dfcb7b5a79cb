"""Statuspage Manage API v1 (P1): subscribers of the page and of one incident.

Choices the reference leaves open:
- The subscriber `type` is inferred when not sent: `email` -> email, `phone_number` -> sms,
  `endpoint` -> slack/teams/discord/googlechat when the URL is one of theirs, else webhook.
  `apprise` URLs may be added by admins' keys only.
- POSTing an address that is already subscribed on that channel gives the existing
  subscriber the choices sent and answers 200 (201 only when a subscriber was created).
- `webhook_secret` (the HMAC key deliveries are signed with) is only in the 201 answer
  that creates a webhook subscriber; no other answer ever shows it.
- Lists and counts default to `state=active`, as Statuspage does; `state=all` lists every state.
- DELETE unsubscribes (the row stays until `purge_at`) and answers the object, as Statuspage does.
- The bulk actions (unsubscribe, reactivate, resend_confirmation) take
  `{"subscribers": [ids]}` or `{"subscribers": "all", "type": ..., "state": ...}`, act in one
  transaction and answer 202 with the ids they changed.
- `components` lists the ids of every component the subscriber hears about (all of them for
  a page-wide subscriber; a chosen group's current members included).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from werkzeug.exceptions import NotFound

from ..accounts.models import Role, User
from ..components import services as components
from ..components.models import Component, ComponentGroup
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..incidents import services as incidents
from ..incidents.models import Incident
from ..maintenance import services as maintenance_services
from ..subscribers import queries, services
from ..subscribers.models import Channel, Scope, Subscriber, SubscriberState
from ..subscribers.targets import detect_chat_channel, field_for
from . import manage_parse as parse
from .idempotency import idempotent
from .manage_parse import BodyError
from .manage_views import _actor, _body, _json, _paging, _user, route
from .v2_format import Json, timestamp

# -- serialisation -----------------------------------------------------------------------


def _endpoint(subscriber: Subscriber) -> str | None:
    if subscriber.channel in (Channel.EMAIL, Channel.SMS):
        return None
    if subscriber.channel is Channel.APPRISE:
        # Apprise URLs often carry passwords: show the service, never the credentials.
        scheme, _sep, _rest = subscriber.target.partition("://")
        return f"{scheme}://***"
    return subscriber.target


def manage_subscriber_object(subscriber: Subscriber, all_ids: Sequence[str]) -> Json:
    """Return a subscriber as the Statuspage Manage API does, plus our own choices."""
    if subscriber.scope is Scope.ALL:
        followed = list(all_ids)
    else:
        followed = [c.public_id for c in queries.followed_components(subscriber)]
    sms = subscriber.channel is Channel.SMS
    return {
        "id": subscriber.public_id,
        "mode": subscriber.channel.value,
        "type": subscriber.channel.value,
        "email": subscriber.target if subscriber.channel is Channel.EMAIL else None,
        "endpoint": _endpoint(subscriber),
        "phone_number": subscriber.target if sms else None,
        "phone_country": subscriber.phone_country if sms else None,
        "display_phone_number": subscriber.target if sms else None,
        "components": followed,
        "component_groups": [g.public_id for g in subscriber.groups],
        "scope": subscriber.scope.value,
        "incident_id": subscriber.incident.public_id if subscriber.incident else None,
        "events": sorted(k.value for k in subscriber.kinds),
        "state": subscriber.state.value,
        "language": subscriber.language,
        "skip_confirmation_notification": subscriber.skip_confirmation,
        "confirmed_at": timestamp(subscriber.confirmed_at),
        "quarantined_at": timestamp(subscriber.quarantined_at),
        "unsubscribed_at": timestamp(subscriber.unsubscribed_at),
        "purge_at": timestamp(subscriber.purge_at),
        "created_at": timestamp(subscriber.created_at),
        "updated_at": timestamp(subscriber.updated_at),
    }


def _all_component_ids() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Component.public_id).order_by(Component.position, Component.id)
        )
    )


def _one(subscriber: Subscriber, status: int = 200, **extra: Any) -> Response:
    db.session.refresh(subscriber)
    return _json({**manage_subscriber_object(subscriber, _all_component_ids()), **extra}, status)


def _many(found: Sequence[Subscriber]) -> Response:
    all_ids = _all_component_ids()
    return _json([manage_subscriber_object(s, all_ids) for s in found])


# -- request parsing ---------------------------------------------------------------------


def _subscriber(subscriber_id: str) -> Subscriber:
    found = queries.find_subscriber(subscriber_id)
    if found is None:
        raise NotFound(f"No subscriber with id {subscriber_id!r}.")
    return found


def _incident(incident_id: str) -> Incident:
    found = incidents.find_incident(incident_id)
    if found is not None:
        return found
    if maintenance_services.find_maintenance(incident_id) is not None:
        message = (
            "Subscribers follow incidents; a scheduled maintenance cannot be followed on its "
            "own: subscribe to its components instead."
        )
        raise ValidationError({"incident_id": message})
    raise NotFound(f"No incident with id {incident_id!r}.")


def _channel(fields: dict[str, Any]) -> tuple[Channel, str | None]:
    """Return the channel (sent as type/mode or inferred from the address field) and address."""
    named = parse.as_str(fields, "type") or parse.as_str(fields, "mode")
    if named:
        channel = services.parse_channel(named.strip().lower())
        return channel, parse.as_str(fields, field_for(channel))
    given = {
        name: value
        for name in ("email", "phone_number", "endpoint")
        if (value := parse.as_str(fields, name))
    }
    if len(given) != 1:
        message = "Give exactly one of email, phone_number or endpoint (or say which with type)."
        raise ValidationError({"email" if not given else "type": message})
    name, value = next(iter(given.items()))
    if name == "email":
        return Channel.EMAIL, value
    if name == "phone_number":
        return Channel.SMS, value
    return detect_chat_channel(value.strip()), value


def _choices(
    fields: dict[str, Any],
) -> tuple[list[Component] | None, list[ComponentGroup] | None]:
    ids = parse.as_str_list(fields, "component_ids")
    if ids is None:
        ids = parse.as_str_list(fields, "components")
    group_ids = parse.as_str_list(fields, "component_group_ids")
    chosen = None if ids is None else components.find_components(ids, field="component_ids")
    groups = None
    if group_ids is not None:
        groups = []
        for group_id in dict.fromkeys(group_ids):
            group = components.find_group(group_id)
            if group is None:
                raise ValidationError(
                    {"component_group_ids": f"No component group with id {group_id!r}."}
                )
            groups.append(group)
    return chosen, groups


def _kinds(fields: dict[str, Any]) -> Any:
    names = parse.as_str_list(fields, "events")
    return None if names is None else services.parse_kinds(names)


def _list_filters(default_state: str = "active") -> dict[str, Any]:
    args = request.args
    state_name = (args.get("state") or default_state).strip().lower()
    states = None if state_name == "all" else [services.parse_state(state_name)]
    type_name = (args.get("type") or "").strip().lower()
    channel = services.parse_channel(type_name) if type_name else None
    search = (args.get("q") or "").strip() or None
    return {"states": states, "channel": channel, "search": search}


def _list(incident: Incident | None = None) -> list[Subscriber]:
    page, per_page = _paging()
    limit = parse.as_int(request.args, "limit")
    if limit is not None:
        if limit < 1:
            raise ValidationError({"limit": "Give a number of at least 1."})
        per_page = min(per_page, limit)
    return queries.list_subscribers(
        **_list_filters(), incident=incident, offset=(page - 1) * per_page, limit=per_page
    )


def _create(page_id: str, incident: Incident | None) -> Response:
    user = _user()
    fields = _body("subscriber")
    channel, target = _channel(fields)
    chosen, groups = _choices(fields)
    result = services.subscribe(
        channel,
        target,
        components=chosen,
        groups=groups,
        incident=incident,
        kinds=_kinds(fields),
        language=parse.as_str(fields, "language"),
        phone_country=parse.as_str(fields, "phone_country"),
        skip_confirmation=parse.as_bool(fields, "skip_confirmation_notification", False),
        staff=True,
        allow_apprise=user.role is Role.ADMIN,
        **_actor(user),
    )
    extra = {"webhook_secret": result.webhook_secret} if result.webhook_secret else {}
    return _one(result.subscriber, 201 if result.created else 200, **extra)


# -- routes ------------------------------------------------------------------------------


@route("/pages/<page_id>/subscribers", ["GET"])
def list_subscribers(page_id: str) -> Response:
    """List subscribers, newest first (page, per_page, limit, q, type, state)."""
    return _many(_list())


@route("/pages/<page_id>/subscribers", ["POST"])
@idempotent(_user)
def create_subscriber(page_id: str) -> Response:
    """Subscribe an email, phone number or endpoint to the page (or chosen components)."""
    return _create(page_id, None)


@route("/pages/<page_id>/subscribers/count", ["GET"])
def count_subscribers(page_id: str) -> Response:
    """Count subscribers (type, state, q filters; state defaults to active)."""
    return _json({"count": queries.count_subscribers(**_list_filters())})


@route("/pages/<page_id>/subscribers/<subscriber_id>", ["GET"])
def get_subscriber(page_id: str, subscriber_id: str) -> Response:
    """Return a subscriber."""
    return _one(_subscriber(subscriber_id))


@route("/pages/<page_id>/subscribers/<subscriber_id>", ["PATCH"])
def update_subscriber(page_id: str, subscriber_id: str) -> Response:
    """Change a subscriber's components, groups, events or language."""
    user = _user()
    subscriber = _subscriber(subscriber_id)
    fields = _body("subscriber")
    chosen, groups = _choices(fields)
    language: Any = services.KEEP
    if "language" in fields:
        language = parse.as_str(fields, "language")
    services.update_subscriber(
        subscriber,
        components=chosen,
        groups=groups,
        kinds=_kinds(fields),
        language=language,
        **_actor(user),
    )
    return _one(subscriber)


@route("/pages/<page_id>/subscribers/<subscriber_id>", ["DELETE"])
def delete_subscriber(page_id: str, subscriber_id: str) -> Response:
    """Unsubscribe a subscriber (kept until purge_at); answer the object."""
    user = _user()
    subscriber = _subscriber(subscriber_id)
    services.unsubscribe(subscriber, **_actor(user))
    return _one(subscriber)


# -- bulk actions ------------------------------------------------------------------------


def _bulk_fields() -> dict[str, Any]:
    """Return the bulk body's top-level fields (JSON or form-encoded)."""
    mimetype = request.mimetype or ""
    if mimetype == "application/json" or mimetype.endswith("+json"):
        raw = request.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BodyError(400, f"The body is not valid JSON: {exc}.") from None
        if not isinstance(document, dict):
            raise BodyError(400, 'The body must be a JSON object like {"subscribers": [...]}.')
        return document
    form = request.form
    listed = form.getlist("subscribers[]")
    fields: dict[str, Any] = {k: v for k, v in form.items() if k != "subscribers[]"}
    if listed:
        fields["subscribers"] = listed
    return fields


def _bulk_targets(default_state: SubscriberState) -> list[Subscriber]:
    fields = _bulk_fields()
    wanted = fields.get("subscribers")
    if wanted == "all":
        type_name = parse.as_str(fields, "type")
        state_name = (parse.as_str(fields, "state") or default_state.value).strip().lower()
        return queries.list_subscribers(
            states=None if state_name == "all" else [services.parse_state(state_name)],
            channel=services.parse_channel(type_name.strip().lower()) if type_name else None,
            limit=1_000_000,
        )
    ids = parse.as_str_list(fields, "subscribers")
    if not ids:
        raise ValidationError(
            {"subscribers": 'Give a list of subscriber ids, or "all" with type and state.'}
        )
    found = {s.public_id: s for s in map(queries.find_subscriber, dict.fromkeys(ids)) if s}
    unknown = [i for i in dict.fromkeys(ids) if i not in found]
    if unknown:
        raise ValidationError(
            {"subscribers": "No subscribers with these ids: " + ", ".join(unknown) + "."}
        )
    return list(found.values())


def _bulk(default_state: SubscriberState, act: Callable[[Subscriber, User], bool]) -> Response:
    user = _user()
    targets = _bulk_targets(default_state)
    changed: list[str] = []
    with unit_of_work():
        for subscriber in targets:
            if act(subscriber, user):
                changed.append(subscriber.public_id)
    return _json({"count": len(changed), "subscribers": changed}, 202)


def _unsubscribe(subscriber: Subscriber, user: User) -> bool:
    was = subscriber.state
    services.unsubscribe(subscriber, **_actor(user))
    return was is not SubscriberState.UNSUBSCRIBED


def _reactivate(subscriber: Subscriber, user: User) -> bool:
    was = subscriber.state
    services.reactivate(subscriber, **_actor(user))
    return subscriber.state is not was


def _resend(subscriber: Subscriber, user: User) -> bool:
    return services.resend_confirmation(subscriber, **_actor(user))


@route("/pages/<page_id>/subscribers/unsubscribe", ["POST"])
@idempotent(_user)
def unsubscribe_subscribers(page_id: str) -> Response:
    """Unsubscribe the listed subscribers (or all of a type and state)."""
    return _bulk(SubscriberState.ACTIVE, _unsubscribe)


@route("/pages/<page_id>/subscribers/reactivate", ["POST"])
@idempotent(_user)
def reactivate_subscribers(page_id: str) -> Response:
    """Make quarantined (or unsubscribed) subscribers active again."""
    return _bulk(SubscriberState.QUARANTINED, _reactivate)


@route("/pages/<page_id>/subscribers/resend_confirmation", ["POST"])
@idempotent(_user)
def resend_confirmations(page_id: str) -> Response:
    """Ask unconfirmed subscribers to confirm again."""
    return _bulk(SubscriberState.UNCONFIRMED, _resend)


# -- one incident's subscribers ----------------------------------------------------------


@route("/pages/<page_id>/incidents/<incident_id>/subscribers", ["GET"])
def list_incident_subscribers(page_id: str, incident_id: str) -> Response:
    """List the subscribers following one incident."""
    return _many(_list(_incident(incident_id)))


@route("/pages/<page_id>/incidents/<incident_id>/subscribers", ["POST"])
@idempotent(_user)
def create_incident_subscriber(page_id: str, incident_id: str) -> Response:
    """Subscribe an address to one incident's updates only."""
    return _create(page_id, _incident(incident_id))
