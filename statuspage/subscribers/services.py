"""Subscriber use cases; each is one transaction and writes its side effects to the outbox.

No enumeration: what a public caller may show after `subscribe` (SubscribeResult.outcome)
depends only on the channel, never on whether the address was already subscribed.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentGroup
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Incident
from ..notifications.services import enqueue
from . import queries
from .models import Channel, EventKind, Scope, Subscriber, SubscriberState
from .targets import normalise_country, normalise_target

PURGE_AFTER_UNSUBSCRIBE = timedelta(days=30)
PURGE_AFTER_QUARANTINE = timedelta(days=90)
SMS_CODE_MAX_AGE = timedelta(minutes=30)
SMS_CODE_DIGITS = 6

CONFIRMATION_REQUESTED = "subscriber.confirmation_requested"
WEBHOOK_CREATED = "subscriber.webhook_created"

_LANGUAGE = re.compile(r"^[a-z]{2,3}([_-][a-z0-9]{2,8})*$", re.IGNORECASE)


class Outcome(StrEnum):
    """What a subscribe request may tell the person who made it."""

    CONFIRMATION_SENT = "confirmation_sent"
    ACTIVE = "active"


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP


@dataclass(frozen=True)
class SubscribeResult:
    """The answer to subscribe(): only `outcome` may be shown to a public caller."""

    outcome: Outcome
    # For staff callers (API, console) only: these reveal whether the address existed.
    subscriber: Subscriber
    created: bool
    # The webhook signing secret, present only when a webhook subscriber was just created.
    webhook_secret: str | None = None


# -- helpers -----------------------------------------------------------------------------


def parse_channel(value: Channel | str, field: str = "type") -> Channel:
    """Return value as a Channel or raise ValidationError naming field."""
    try:
        return Channel(value)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise ValidationError(
            {field: _("Type must be one of: %(allowed)s.", allowed=allowed)}
        ) from None


def parse_state(value: SubscriberState | str, field: str = "state") -> SubscriberState:
    """Return value as a SubscriberState or raise ValidationError naming field."""
    try:
        return SubscriberState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in SubscriberState)
        raise ValidationError(
            {field: _("State must be one of: %(allowed)s.", allowed=allowed)}
        ) from None


def parse_kinds(values: Collection[str], field: str = "events") -> frozenset[EventKind]:
    """Return event kinds by name (at least one) or raise ValidationError naming field."""
    kinds: set[EventKind] = set()
    for value in values:
        try:
            kinds.add(EventKind(value))
        except ValueError:
            allowed = ", ".join(k.value for k in EventKind)
            raise ValidationError(
                {field: _("Events must be among: %(allowed)s.", allowed=allowed)}
            ) from None
    if not kinds:
        raise ValidationError({field: _("Choose at least one kind of update.")})
    return frozenset(kinds)


def parse_language(value: str | None) -> str | None:
    """Return a language code normalised (None when blank) or raise ValidationError."""
    return _language(value)


def _language(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().replace("-", "_")
    if len(code) > 16 or not _LANGUAGE.match(code):
        raise ValidationError({"language": _("Give a language code, like en or pt_BR.")})
    head, _sep, tail = code.partition("_")
    return head.lower() + ("_" + tail.upper() if tail else "")


def mask_target(channel: Channel, target: str) -> str:
    """Return an address with most of it hidden, for audit entries that outlive the subscriber."""
    if channel is Channel.EMAIL:
        local, _at, domain = target.partition("@")
        return f"{local[:1]}***@{domain}"
    if channel is Channel.SMS:
        return target[:3] + "*" * max(len(target) - 6, 0) + target[-3:]
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname or ''}/***" if parts.hostname else "***"


def _snapshot(subscriber: Subscriber) -> dict[str, Any]:
    return {
        "channel": subscriber.channel.value,
        "target": mask_target(subscriber.channel, subscriber.target),
        "state": subscriber.state.value,
        "scope": subscriber.scope.value,
        "incident": subscriber.incident.public_id if subscriber.incident else None,
        "components": [c.public_id for c in subscriber.components],
        "groups": [g.public_id for g in subscriber.groups],
        "events": sorted(k.value for k in subscriber.kinds),
        "language": subscriber.language,
    }


def _audit(
    actor: str,
    action: str,
    subscriber: Subscriber,
    before: dict[str, Any] | None,
    actor_id: int | None,
) -> None:
    """Record a change to a subscriber in the audit log, before and after."""
    record(
        actor,
        action,
        "subscriber",
        subscriber.public_id,
        before,
        _snapshot(subscriber),
        actor_id=actor_id,
    )


def _secret_key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def webhook_secret(subscriber: Subscriber) -> str:
    """Return the key a webhook subscriber's deliveries are signed with (HMAC-SHA256)."""
    if subscriber.webhook_secret_salt is None:
        raise ValueError("only webhook subscribers have a signing secret")
    message = b"statuspage.webhook-secret:" + subscriber.webhook_secret_salt.encode()
    return "whsec_" + hmac.new(_secret_key(), message, hashlib.sha256).hexdigest()


def _code_hash(subscriber: Subscriber, code: str) -> str:
    message = f"statuspage.sms-code:{subscriber.public_id}:{code}".encode()
    return hmac.new(_secret_key(), message, hashlib.sha256).hexdigest()


def _request_confirmation(subscriber: Subscriber) -> None:
    """Ask the owner of the address to confirm it (through the outbox)."""
    payload: dict[str, Any] = {
        "subscriber_id": subscriber.public_id,
        "channel": subscriber.channel.value,
    }
    if subscriber.channel is Channel.SMS:
        # The delivery engine texts the code, then blanks it from the payload.
        code = f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"
        subscriber.confirmation_code_hash = _code_hash(subscriber, code)
        payload["code"] = code
    subscriber.confirmation_sent_at = utcnow()
    enqueue(CONFIRMATION_REQUESTED, payload)


def _choose(
    subscriber: Subscriber,
    components: Sequence[Component] | None,
    groups: Sequence[ComponentGroup] | None,
    incident: Incident | None,
) -> None:
    """Set what a subscriber follows: one incident, chosen components/groups, or everything."""
    if incident is not None:
        if components or groups:
            raise ValidationError(
                {"components": _("Follow either one incident or components, not both.")}
            )
        subscriber.scope = Scope.INCIDENT
        subscriber.incident = incident
        subscriber.components = []
        subscriber.groups = []
        return
    if components is None and groups is None:
        return
    if components is not None:
        subscriber.components = list(dict.fromkeys(components))
    if groups is not None:
        subscriber.groups = list(dict.fromkeys(groups))
    subscriber.incident = None
    subscriber.scope = Scope.COMPONENTS if subscriber.components or subscriber.groups else Scope.ALL


def _outcome(channel: Channel, skip_confirmation: bool) -> Outcome:
    if channel.needs_confirmation and not skip_confirmation:
        return Outcome.CONFIRMATION_SENT
    return Outcome.ACTIVE


# -- use cases ---------------------------------------------------------------------------


def subscribe(
    channel: Channel | str,
    target: str | None,
    *,
    components: Sequence[Component] | None = None,
    groups: Sequence[ComponentGroup] | None = None,
    incident: Incident | None = None,
    kinds: Collection[EventKind] | None = None,
    language: str | None = None,
    phone_country: str | None = None,
    skip_confirmation: bool = False,
    staff: bool = False,
    allow_apprise: bool = False,
    actor: str = "public",
    actor_id: int | None = None,
) -> SubscribeResult:
    """Subscribe an address; email and SMS wait for confirmation unless staff skip it.

    An address already subscribed on this channel keeps its subscription: a public
    request changes nothing confirmed (an unconfirmed one takes the new choices and a new
    confirmation), a staff request takes the new choices. The outcome is the same either way.
    """
    if skip_confirmation and not staff:
        raise ValueError("only staff may skip confirmation")
    channel = parse_channel(channel)
    target = normalise_target(
        channel,
        target,
        allow_apprise=allow_apprise and staff,
        allow_private=bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE")),
    )
    country = normalise_country(phone_country) if channel is Channel.SMS else None
    wanted = frozenset(EventKind) if kinds is None else parse_kinds([k.value for k in kinds])
    language = _language(language)
    attempt = functools.partial(
        _subscribe,
        channel,
        target,
        components,
        groups,
        incident,
        wanted,
        language,
        country,
        skip_confirmation,
        staff,
        actor,
        actor_id,
    )
    try:
        return attempt()
    except IntegrityError:
        # Another request created the same live address between our check and insert.
        if db.session.info.get("uow_depth", 0) != 0:
            raise
        return attempt()


def _subscribe(
    channel: Channel,
    target: str,
    components: Sequence[Component] | None,
    groups: Sequence[ComponentGroup] | None,
    incident: Incident | None,
    kinds: frozenset[EventKind],
    language: str | None,
    country: str | None,
    skip_confirmation: bool,
    staff: bool,
    actor: str,
    actor_id: int | None,
) -> SubscribeResult:
    outcome = _outcome(channel, skip_confirmation)
    with unit_of_work() as session:
        existing = queries.find_live_subscriber(channel, target)
        if existing is not None:
            _again(
                existing,
                components,
                groups,
                incident,
                kinds,
                language,
                country,
                skip_confirmation,
                staff,
                actor,
                actor_id,
            )
            return SubscribeResult(outcome, existing, created=False)
        now = utcnow()
        active = outcome is Outcome.ACTIVE
        subscriber = Subscriber(
            channel=channel,
            target=target,
            state=SubscriberState.ACTIVE if active else SubscriberState.UNCONFIRMED,
            language=language,
            phone_country=country,
            skip_confirmation=skip_confirmation and channel.needs_confirmation,
            confirmed_at=now if active else None,
            created_at=now,
            failure_count=0,
            token_version=1,
            scope=Scope.ALL,
        )
        subscriber.set_kinds(kinds)
        _choose(subscriber, components, groups, incident)
        secret = None
        if channel is Channel.WEBHOOK:
            subscriber.webhook_secret_salt = secrets.token_hex(32)
        session.add(subscriber)
        session.flush()
        if channel is Channel.WEBHOOK:
            secret = webhook_secret(subscriber)
            enqueue(WEBHOOK_CREATED, {"subscriber_id": subscriber.public_id})
        if not active:
            _request_confirmation(subscriber)
        record(
            actor,
            "subscriber.create",
            "subscriber",
            subscriber.public_id,
            None,
            _snapshot(subscriber),
            actor_id=actor_id,
        )
    return SubscribeResult(outcome, subscriber, created=True, webhook_secret=secret)


def _again(
    subscriber: Subscriber,
    components: Sequence[Component] | None,
    groups: Sequence[ComponentGroup] | None,
    incident: Incident | None,
    kinds: frozenset[EventKind],
    language: str | None,
    country: str | None,
    skip_confirmation: bool,
    staff: bool,
    actor: str,
    actor_id: int | None,
) -> None:
    """Handle a subscribe request for an address that is already subscribed."""
    pending = subscriber.state is SubscriberState.UNCONFIRMED
    if not (staff or pending):
        # Someone else may be asking: change nothing the owner confirmed, send nothing.
        return
    before = _snapshot(subscriber)
    subscriber.set_kinds(kinds)
    if components is None and groups is None and incident is None:
        subscriber.components, subscriber.groups, subscriber.incident = [], [], None
        subscriber.scope = Scope.ALL
    else:
        _choose(subscriber, components or [], groups or [], incident)
    subscriber.language = language
    if country is not None:
        subscriber.phone_country = country
    if pending and skip_confirmation:
        subscriber.state = SubscriberState.ACTIVE
        subscriber.confirmed_at = utcnow()
        subscriber.skip_confirmation = True
        subscriber.confirmation_code_hash = None
    elif pending:
        _request_confirmation(subscriber)
    _audit(actor, "subscriber.update", subscriber, before, actor_id)


def confirm(
    subscriber: Subscriber, *, actor: str = "public", actor_id: int | None = None
) -> Subscriber:
    """Activate a subscriber whose owner followed the confirmation link; idempotent."""
    if subscriber.state is SubscriberState.UNSUBSCRIBED:
        raise ValidationError(
            {"token": _("This subscription was cancelled. Subscribe again to get updates.")}
        )
    if subscriber.state is not SubscriberState.UNCONFIRMED:
        return subscriber
    with unit_of_work():
        before = _snapshot(subscriber)
        subscriber.state = SubscriberState.ACTIVE
        subscriber.confirmed_at = utcnow()
        subscriber.confirmation_code_hash = None
        _audit(actor, "subscriber.confirm", subscriber, before, actor_id)
    return subscriber


def confirm_code(subscriber: Subscriber, code: str, *, actor: str = "public") -> Subscriber:
    """Activate an SMS subscriber with the code we texted; wrong or stale codes are refused."""
    wrong = ValidationError({"code": _("This code is wrong or has expired; ask for a new one.")})
    if subscriber.state is not SubscriberState.UNCONFIRMED:
        return confirm(subscriber, actor=actor)
    sent = subscriber.confirmation_sent_at
    stored = subscriber.confirmation_code_hash
    if stored is None or sent is None or utcnow() - sent > SMS_CODE_MAX_AGE:
        raise wrong
    if not hmac.compare_digest(stored, _code_hash(subscriber, code.strip())):
        raise wrong
    return confirm(subscriber, actor=actor)


def unsubscribe(
    subscriber: Subscriber, *, actor: str = "public", actor_id: int | None = None
) -> Subscriber:
    """Stop sending to a subscriber (kept until purge_at); doing it again changes nothing."""
    if subscriber.state is SubscriberState.UNSUBSCRIBED:
        return subscriber
    with unit_of_work():
        before = _snapshot(subscriber)
        now = utcnow()
        subscriber.state = SubscriberState.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.purge_at = now + PURGE_AFTER_UNSUBSCRIBE
        subscriber.confirmation_code_hash = None
        _audit(actor, "subscriber.unsubscribe", subscriber, before, actor_id)
    return subscriber


def reactivate(
    subscriber: Subscriber, *, actor: str = "cli", actor_id: int | None = None
) -> Subscriber:
    """Make a quarantined or unsubscribed subscriber active again (staff only)."""
    if subscriber.state not in (SubscriberState.QUARANTINED, SubscriberState.UNSUBSCRIBED):
        return subscriber
    if subscriber.state is SubscriberState.UNSUBSCRIBED:
        other = queries.find_live_subscriber(subscriber.channel, subscriber.target)
        if other is not None:
            raise ValidationError(
                {"subscribers": _("This address has subscribed again since; use that one.")}
            )
    with unit_of_work():
        before = _snapshot(subscriber)
        subscriber.state = SubscriberState.ACTIVE
        subscriber.confirmed_at = subscriber.confirmed_at or utcnow()
        subscriber.quarantined_at = None
        subscriber.unsubscribed_at = None
        subscriber.purge_at = None
        subscriber.failure_count = 0
        _audit(actor, "subscriber.reactivate", subscriber, before, actor_id)
    return subscriber


def quarantine(
    subscriber: Subscriber, *, actor: str = "worker", actor_id: int | None = None
) -> Subscriber:
    """Stop sending to an address that keeps failing, until staff reactivate it."""
    if subscriber.state in (SubscriberState.QUARANTINED, SubscriberState.UNSUBSCRIBED):
        return subscriber
    with unit_of_work():
        before = _snapshot(subscriber)
        now = utcnow()
        subscriber.state = SubscriberState.QUARANTINED
        subscriber.quarantined_at = now
        subscriber.purge_at = now + PURGE_AFTER_QUARANTINE
        _audit(actor, "subscriber.quarantine", subscriber, before, actor_id)
    return subscriber


def resend_confirmation(
    subscriber: Subscriber, *, actor: str = "cli", actor_id: int | None = None
) -> bool:
    """Ask an unconfirmed subscriber to confirm again; say whether anything was sent."""
    if subscriber.state is not SubscriberState.UNCONFIRMED:
        return False
    with unit_of_work():
        _request_confirmation(subscriber)
        record(
            actor,
            "subscriber.resend_confirmation",
            "subscriber",
            subscriber.public_id,
            None,
            None,
            actor_id=actor_id,
        )
    return True


def update_subscriber(
    subscriber: Subscriber,
    *,
    components: Sequence[Component] | None = None,
    groups: Sequence[ComponentGroup] | None = None,
    kinds: Collection[EventKind] | None = None,
    language: str | None | _Keep = KEEP,
    actor: str = "public",
    actor_id: int | None = None,
) -> Subscriber:
    """Change what a subscriber follows, which kinds of news and in which language."""
    if subscriber.state is SubscriberState.UNSUBSCRIBED:
        raise ValidationError({"id": _("This subscriber has unsubscribed.")})
    wanted = None if kinds is None else parse_kinds([k.value for k in kinds])
    chosen_language = KEEP if language is KEEP else _language(language)
    with unit_of_work():
        before = _snapshot(subscriber)
        if components is not None or groups is not None:
            if subscriber.scope is Scope.INCIDENT:
                subscriber.incident = None
            _choose(subscriber, components or [], groups or [], None)
        if wanted is not None:
            subscriber.set_kinds(wanted)
        if not isinstance(chosen_language, _Keep):
            subscriber.language = chosen_language
        _audit(actor, "subscriber.update", subscriber, before, actor_id)
    return subscriber


def rotate_tokens(
    subscriber: Subscriber, *, actor: str = "public", actor_id: int | None = None
) -> Subscriber:
    """Revoke every manage and unsubscribe link sent to a subscriber so far."""
    with unit_of_work():
        subscriber.token_version += 1
        record(
            actor,
            "subscriber.rotate_tokens",
            "subscriber",
            subscriber.public_id,
            None,
            None,
            actor_id=actor_id,
        )
    return subscriber


def delete_subscriber(
    subscriber: Subscriber, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Delete a subscriber and its address for good."""
    with unit_of_work() as session:
        record(
            actor,
            "subscriber.delete",
            "subscriber",
            subscriber.public_id,
            _snapshot(subscriber),
            None,
            actor_id=actor_id,
        )
        session.delete(subscriber)


PURGE_BATCH = 1000


def purge_subscribers(now: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete for good the subscribers whose purge date passed and stale unconfirmed ones.

    An unconfirmed address whose confirmation link expired (and a day more) is deleted
    too: nobody proved they own it, so we do not keep it. Their past deliveries stay in
    the reports, without the address (subscriber_id becomes NULL).
    """
    from ..notifications.models import Delivery
    from .models import subscriber_component, subscriber_component_group
    from .tokens import CONFIRM_MAX_AGE

    stale = now - CONFIRM_MAX_AGE - timedelta(days=1)
    due = sa.or_(
        Subscriber.purge_at <= now,
        sa.and_(
            Subscriber.state == SubscriberState.UNCONFIRMED,
            sa.func.coalesce(Subscriber.confirmation_sent_at, Subscriber.created_at) < stale,
        ),
    )
    with unit_of_work() as session:
        ids = list(session.scalars(sa.select(Subscriber.id).where(due).limit(batch)))
        if not ids:
            return 0
        session.execute(
            sa.update(Delivery).where(Delivery.subscriber_id.in_(ids)).values(subscriber_id=None)
        )
        for table in (subscriber_component, subscriber_component_group):
            session.execute(sa.delete(table).where(table.c.subscriber_id.in_(ids)))
        session.execute(
            sa.delete(Subscriber)
            .where(Subscriber.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        # No address in the log: purging is how we forget it.
        record("worker", "subscriber.purge", "subscriber", None, None, {"count": len(ids)})
    return len(ids)


def count_subscribers(state: SubscriberState | None = None, channel: Channel | None = None) -> int:
    """Count subscribers, optionally in one state and/or on one channel."""
    return queries.count_subscribers(states=None if state is None else [state], channel=channel)
