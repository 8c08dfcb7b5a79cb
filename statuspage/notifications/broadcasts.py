"""Broadcast channels: internal Apprise destinations told of events on chosen components."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..components.models import Component
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Impact
from ..subscribers.targets import normalise_apprise_url
from .models import BroadcastChannel, Delivery, DeliveryState, OutboxEvent
from .planner import BROADCAST_TEST
from .services import enqueue

MAX_NAME_LENGTH = 200
# Anything that looks like a URL inside an error text: its credentials are hidden too.
_URL_IN_TEXT = re.compile(r"\b([a-z][a-z0-9+.\-]*)://\S+", re.IGNORECASE)


def mask_url(url: str) -> str:
    """Return an Apprise URL with everything after the scheme hidden (it holds credentials)."""
    scheme = urlsplit(url).scheme
    return f"{scheme}://***" if scheme else "***"


def mask_text(text: str | None) -> str:
    """Return text with every URL in it masked like mask_url."""
    return _URL_IN_TEXT.sub(lambda m: f"{m.group(1)}://***", text or "")


@dataclass(frozen=True)
class LastResult:
    """The newest delivery to a channel: what the console's list shows."""

    event_id: int
    kind: str
    state: DeliveryState
    at: datetime
    error: str


def list_channels() -> list[BroadcastChannel]:
    """Return every broadcast channel, by name."""
    return list(
        db.session.scalars(
            sa.select(BroadcastChannel).order_by(BroadcastChannel.name, BroadcastChannel.id)
        )
    )


def find_channel(channel_id: int) -> BroadcastChannel | None:
    """Return a broadcast channel by id, or None."""
    return db.session.get(BroadcastChannel, channel_id)


def last_results(channel_ids: Sequence[int]) -> dict[int, LastResult]:
    """Return each channel's newest delivery (channels never sent to are left out)."""
    if not channel_ids:
        return {}
    newest = (
        sa.select(sa.func.max(Delivery.id))
        .where(Delivery.broadcast_channel_id.in_(list(channel_ids)))
        .group_by(Delivery.broadcast_channel_id)
    )
    rows = db.session.execute(
        sa.select(Delivery, OutboxEvent.kind)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(Delivery.id.in_(newest))
    ).all()
    return {
        d.broadcast_channel_id: LastResult(
            event_id=d.event_id,
            kind=kind,
            state=DeliveryState(d.state),
            at=d.sent_at or d.created_at,
            error=mask_text(d.last_error),
        )
        for d, kind in rows
        if d.broadcast_channel_id is not None
    }


def pending_tests(channel_ids: Sequence[int]) -> dict[int, int]:
    """Return, per channel, the id of its newest test event the worker has not planned yet."""
    found: dict[int, int] = {}
    for event in db.session.scalars(
        sa.select(OutboxEvent)
        .where(OutboxEvent.kind == BROADCAST_TEST, OutboxEvent.planned_at.is_(None))
        .order_by(OutboxEvent.id)
    ):
        channel_id = (event.payload or {}).get("broadcast_channel_id")
        if isinstance(channel_id, int) and channel_id in channel_ids:
            found[channel_id] = event.id
    return found


def _clean(
    name: str | None, apprise_url: str | None, component_ids: Sequence[int], minimum_impact: str
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean_name = (name or "").strip()
    if not clean_name:
        errors["name"] = _("Enter a name.")
    elif len(clean_name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
    url = (apprise_url or "").strip()
    try:
        if not url:
            raise ValidationError({"endpoint": _("Enter an Apprise URL.")})
        url = normalise_apprise_url(url)
    except ValidationError as exc:
        errors["apprise_url"] = exc.errors.get("endpoint") or "; ".join(exc.errors.values())
    try:
        impact = Impact(minimum_impact)
    except ValueError:
        errors["minimum_impact"] = _("Choose an impact.")
        impact = Impact.NONE
    ids = sorted(set(component_ids))
    known = set(db.session.scalars(sa.select(Component.id).where(Component.id.in_(ids))))
    if set(ids) - known:
        errors["components"] = _("A chosen component no longer exists; choose again.")
    if errors:
        raise ValidationError(errors)
    return {"name": clean_name, "apprise_url": url, "component_ids": ids, "minimum_impact": impact}


def _snapshot(channel: BroadcastChannel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "apprise_url": mask_url(channel.apprise_url),
        "component_ids": list(channel.component_ids or []),
        "minimum_impact": Impact(channel.minimum_impact).value,
        "enabled": channel.enabled,
    }


def create_channel(
    name: str | None,
    apprise_url: str | None,
    *,
    component_ids: Sequence[int] = (),
    minimum_impact: str = Impact.NONE.value,
    enabled: bool = True,
    actor: str,
    actor_id: int | None = None,
) -> BroadcastChannel:
    """Add a broadcast channel, or raise ValidationError naming the fields to fix."""
    with unit_of_work() as session:
        values = _clean(name, apprise_url, component_ids, minimum_impact)
        channel = BroadcastChannel(enabled=enabled, **values)
        session.add(channel)
        session.flush()
        record(
            actor,
            "broadcast.create",
            "broadcast_channel",
            str(channel.id),
            None,
            _snapshot(channel),
            actor_id=actor_id,
        )
    return channel


def update_channel(
    channel: BroadcastChannel,
    name: str | None,
    apprise_url: str | None,
    *,
    component_ids: Sequence[int] = (),
    minimum_impact: str = Impact.NONE.value,
    enabled: bool = True,
    actor: str,
    actor_id: int | None = None,
) -> BroadcastChannel:
    """Change a broadcast channel, or raise ValidationError naming the fields to fix."""
    with unit_of_work():
        values = _clean(name, apprise_url, component_ids, minimum_impact)
        before = _snapshot(channel)
        for key, value in values.items():
            setattr(channel, key, value)
        channel.enabled = enabled
        record(
            actor,
            "broadcast.update",
            "broadcast_channel",
            str(channel.id),
            before,
            _snapshot(channel),
            actor_id=actor_id,
        )
    return channel


def set_enabled(
    channel: BroadcastChannel, enabled: bool, *, actor: str, actor_id: int | None = None
) -> None:
    """Turn a broadcast channel on or off (off: nothing more is sent to it)."""
    with unit_of_work():
        before = _snapshot(channel)
        channel.enabled = enabled
        record(
            actor,
            "broadcast.enable" if enabled else "broadcast.disable",
            "broadcast_channel",
            str(channel.id),
            before,
            _snapshot(channel),
            actor_id=actor_id,
        )


def delete_channel(channel: BroadcastChannel, *, actor: str, actor_id: int | None = None) -> None:
    """Delete a broadcast channel and its deliveries."""
    with unit_of_work() as session:
        record(
            actor,
            "broadcast.delete",
            "broadcast_channel",
            str(channel.id),
            _snapshot(channel),
            None,
            actor_id=actor_id,
        )
        # Bulk delete: SQLite does not cascade without its foreign-key pragma.
        session.execute(sa.delete(Delivery).where(Delivery.broadcast_channel_id == channel.id))
        session.delete(channel)


def send_test(channel: BroadcastChannel, *, actor: str, actor_id: int | None = None) -> OutboxEvent:
    """Ask the worker to send a test message to one channel; return the outbox event."""
    with unit_of_work() as session:
        event = enqueue(BROADCAST_TEST, {"broadcast_channel_id": channel.id})
        session.flush()
        record(
            actor,
            "broadcast.test",
            "broadcast_channel",
            str(channel.id),
            None,
            {"event_id": event.id},
            actor_id=actor_id,
        )
    return event
