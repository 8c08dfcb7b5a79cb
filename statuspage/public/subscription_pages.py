"""View-models and input helpers for the public subscription pages (no request, no flash)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..components import services as components
from ..components.models import Component, ComponentGroup
from ..components.queries import visible_component_tree
from ..errors import ValidationError
from ..i18n import available_locales
from ..subscribers.models import Channel, EventKind, Scope, Subscriber
from ..subscribers.services import Outcome, SubscribeResult
from ..subscribers.targets import normalise_target

_WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)


@dataclass(frozen=True)
class ChoiceView:
    """A component (or group) a subscriber may follow."""

    public_id: str
    name: str


@dataclass(frozen=True)
class GroupChoiceView:
    """A group: choosing it follows its components, including ones added later."""

    public_id: str
    name: str
    components: tuple[ChoiceView, ...]


@dataclass(frozen=True)
class ComponentTreeView:
    """The visible components to choose from, grouped as on the status page."""

    groups: tuple[GroupChoiceView, ...]
    ungrouped: tuple[ChoiceView, ...]

    @property
    def empty(self) -> bool:
        """Say whether there is nothing to choose."""
        return not self.groups and not self.ungrouped


@dataclass(frozen=True)
class SubscribedView:
    """What the answer page may say after a subscribe request (never whether it existed)."""

    channel: str
    outcome: str
    # SMS: where to type the code (a confirmation-purpose link, useless without the code).
    code_url: str | None = None
    # Webhooks: a signing secret, shown once (see subscriptions.py for why always).
    webhook_secret: str | None = None


@dataclass(frozen=True)
class ManageView:
    """A subscriber's own page: where updates go and what they follow."""

    channel: str
    target: str
    state: str
    incident_name: str | None
    unsubscribe_url: str


def component_tree() -> ComponentTreeView:
    """Return the visible components and groups a subscriber may choose from."""
    tree = visible_component_tree()
    return ComponentTreeView(
        groups=tuple(
            GroupChoiceView(
                g.public_id,
                g.name,
                tuple(ChoiceView(c.public_id, c.name) for c in g.components),
            )
            for g in tree.groups
        ),
        ungrouped=tuple(ChoiceView(c.public_id, c.name) for c in tree.ungrouped),
    )


def component_choices(tree: ComponentTreeView) -> list[SelectChoice]:
    """Return (id, name) of every choosable component, for the form's validation."""
    items = [c for g in tree.groups for c in g.components] + list(tree.ungrouped)
    return [SelectChoice(c.public_id, c.name) for c in items]


def group_choices(tree: ComponentTreeView) -> list[SelectChoice]:
    """Return (id, name) of every choosable group."""
    return [SelectChoice(g.public_id, g.name) for g in tree.groups]


def language_choices() -> list[SelectChoice]:
    """Return (code, name in its own language) of every language the page speaks."""
    choices = []
    for code in available_locales():
        try:
            name = Locale.parse(code).get_display_name() or code
        except (UnknownLocaleError, ValueError):
            name = code
        choices.append(SelectChoice(code, name[:1].upper() + name[1:]))
    return choices


def chosen(
    scope: str, component_ids: Sequence[str], group_ids: Sequence[str]
) -> tuple[list[Component], list[ComponentGroup]]:
    """Return the ORM components and groups a form chose ([] and [] for everything)."""
    if scope != Scope.COMPONENTS.value:
        return [], []
    picked = components.find_components(component_ids)
    groups = []
    for group_id in dict.fromkeys(group_ids):
        group = components.find_group(group_id)
        if group is None:
            raise ValidationError({"groups": _("Choose groups from the list; one is unknown.")})
        groups.append(group)
    if not picked and not groups:
        raise ValidationError(
            {"components": _("Choose at least one component or group, or follow everything.")}
        )
    return picked, groups


def kinds(values: Sequence[str]) -> list[EventKind]:
    """Return the event kinds named (the form already checked them)."""
    return [EventKind(v) for v in values if v in EventKind.__members__.values()]


def target_key(channel: str, raw: str) -> str:
    """Return a rate-limit key for an address: a hash of its normalised form."""
    value = (raw or "").strip()[:2000]
    try:
        value = normalise_target(Channel(channel), value, allow_private=True)
    except (ValueError, ValidationError):
        value = value.lower()
    digest = hashlib.sha256(f"{channel}:{value}".encode()).hexdigest()
    return "subscribe-target:" + digest


def decoy_webhook_secret() -> str:
    """Return a secret shaped like a real one, for endpoints that were already subscribed."""
    return _WEBHOOK_SECRET_PREFIX + secrets.token_hex(32)


def webhook_secret_for(result: SubscribeResult | None) -> str:
    """Return the secret to show after a webhook subscribe: the real one or a decoy."""
    if result is not None and result.webhook_secret:
        return result.webhook_secret
    return decoy_webhook_secret()


def outcome_for(channel: Channel) -> str:
    """Return the outcome shown for a channel (what subscribe() would say), e.g. for honeypots."""
    return Outcome.CONFIRMATION_SENT if channel.needs_confirmation else Outcome.ACTIVE


def manage_view(subscriber: Subscriber, unsubscribe_url: str) -> ManageView:
    """Return what a subscriber's own page shows."""
    return ManageView(
        channel=subscriber.channel.value,
        target=subscriber.target,
        state=subscriber.state.value,
        incident_name=subscriber.incident.name if subscriber.incident else None,
        unsubscribe_url=unsubscribe_url,
    )


def rate(name: str) -> str:
    """Return a configured rate limit."""
    return str(current_app.config[name])
