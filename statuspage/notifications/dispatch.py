"""The contract between the delivery engine and the channel senders.

The engine (planner, claims, retries) turns outbox events into deliveries and, for a
claimed batch of one channel, hands the sender a list of `Outgoing` messages. A sender
renders and sends them and answers one `Result` per message, in order. Senders never
touch the database; the engine records every attempt.

`Outgoing.context` is the event snapshot taken when the event was written (the same
JSON the Statuspage-compatible webhook carries, see
shared/reference/statuspage-webhook-payload.md): keys `page` (id, name, url,
status_indicator, status_description), then one of `incident` (the public API v2
incident or maintenance object, updates newest first, `scheduled_for` etc. for
maintenance) or `component_update` + `component`; plus `kind` (see EVENT_KINDS),
`update_id` (public id of the update that caused it, if any) and `postmortem_body` for
postmortems. Confirmation and ping events carry their own small contexts (see
EVENT_KINDS). Rendering from the snapshot means a retry sends exactly what the first
attempt sent, whatever happened to the incident since.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask

from ..subscribers.models import Channel

# Outbox event kinds and what their context holds (beyond `kind`):
EVENT_KINDS = {
    "incident.created": "page, incident, update_id",
    "incident.updated": "page, incident, update_id",
    "maintenance.scheduled": "page, incident (maintenance object), update_id",
    "maintenance.updated": "page, incident (maintenance object), update_id",
    "maintenance.cancelled": "page, incident (maintenance object), update_id",
    "maintenance.reminder": "page, incident (maintenance object)",
    "component.status_changed": "page, component_update, component",
    "postmortem.published": "page, incident, postmortem_body",
    "subscriber.confirmation_requested": "subscriber_id, confirm_url or code (SMS)",
    "subscriber.webhook_created": "subscriber_id (a ping to the new endpoint)",
    "broadcast.test": "broadcast_channel_id (the console's 'send test' button)",
    "reminder.due": "page, reminder (type, name, status, since, due_at, url); broadcasts only",
}


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient, as the engine hands it to a sender."""

    delivery_id: int
    # Stable across retries: Message-ID, X-Statuspage-Delivery, Apprise dedup.
    key: str
    channel: Channel
    target: str  # email address, E.164 number, URL or Apprise URL
    language: str  # resolved: the subscriber's, else the page default
    context: dict[str, Any]
    manage_url: str | None = None
    unsubscribe_url: str | None = None
    # Webhook subscribers only: the HMAC key for X-Statuspage-Signature.
    secret: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """What happened to one Outgoing; a permanent failure is not retried."""

    ok: bool
    error: str | None = None
    permanent: bool = False


class Sender(Protocol):
    """Sends batches of one channel; may keep connections open between batches."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        """Send each message and answer one Result per message, in order."""
        ...

    def close(self) -> None:
        """Release connections (called when the worker stops or the app is torn down)."""
        ...


SenderFactory = Callable[[Flask], Sender]
_FACTORIES: dict[Channel, SenderFactory] = {}


def register_sender(channels: Sequence[Channel], factory: SenderFactory) -> None:
    """Make factory build the sender for these channels."""
    for channel in channels:
        _FACTORIES[channel] = factory


def sender_factory(channel: Channel) -> SenderFactory:
    """Return the factory registered for channel, or raise LookupError."""
    try:
        return _FACTORIES[channel]
    except KeyError:
        raise LookupError(f"no sender registered for channel {channel}") from None
