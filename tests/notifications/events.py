"""Event snapshots (Outgoing.context) as the engine hands them to senders, for tests."""

from __future__ import annotations

from typing import Any

from statuspage.notifications.dispatch import EVENT_KINDS, Outgoing
from statuspage.subscribers.models import Channel

PAGE = {
    "id": "pg1",
    "name": "Acme Status",
    "url": "https://status.acme.example",
    "status_indicator": "major",
    "status_description": "Partial System Outage",
    "time_zone": "Europe/Berlin",
}
API = {"id": "c-api", "name": "API", "status": "major_outage"}
WEB = {"id": "c-web", "name": "Dashboard", "status": "degraded_performance"}
EVIL = "Fixing it now. <script>alert('x')</script> **bold** [docs](https://docs.acme.example)"


def incident(**extra: Any) -> dict[str, Any]:
    """Return an incident object with two updates, newest first."""
    return {
        "id": "inc1",
        "name": "API errors",
        "status": "identified",
        "impact": "major",
        "shortlink": "https://status.acme.example/incidents/inc1",
        "scheduled_for": None,
        "scheduled_until": None,
        "incident_updates": [
            {
                "id": "up2",
                "status": "identified",
                "body": EVIL,
                "created_at": "2026-11-25T11:30:00.000Z",
                "display_at": "2026-11-25T11:30:00.000Z",
            },
            {
                "id": "up1",
                "status": "investigating",
                "body": "We are looking into **elevated errors**.",
                "created_at": "2026-11-25T11:00:00.000Z",
                "display_at": "2026-11-25T11:00:00.000Z",
            },
        ],
        "components": [API, WEB],
        **extra,
    }


def maintenance(status: str = "scheduled") -> dict[str, Any]:
    """Return a maintenance object: 14:00-16:00 UTC on 2026-11-26."""
    return incident(
        id="mnt1",
        name="Database upgrade",
        status=status,
        impact="maintenance",
        shortlink="https://status.acme.example/maintenance/mnt1",
        scheduled_for="2026-11-26T14:00:00.000Z",
        scheduled_until="2026-11-26T16:00:00.000Z",
        incident_updates=[
            {
                "id": "mu1",
                "status": status,
                "body": "Brief connection resets expected.",
                "created_at": "2026-11-25T09:00:00.000Z",
                "display_at": "2026-11-25T09:00:00.000Z",
            }
        ],
    )


def context(kind: str) -> dict[str, Any]:
    """Return the snapshot of one event kind."""
    assert kind in EVENT_KINDS
    base: dict[str, Any] = {"kind": kind, "page": PAGE}
    if kind.startswith("incident."):
        return base | {"incident": incident(), "update_id": "up2"}
    if kind.startswith("maintenance."):
        status = "completed" if kind == "maintenance.cancelled" else "scheduled"
        return base | {"incident": maintenance(status), "update_id": "mu1"}
    if kind == "component.status_changed":
        return base | {
            "component": API,
            "component_update": {
                "id": "cu1",
                "component_id": "c-api",
                "old_status": "operational",
                "new_status": "major_outage",
                "created_at": "2026-11-25T11:00:00.000Z",
            },
        }
    if kind == "postmortem.published":
        return base | {
            "incident": incident(status="postmortem"),
            "postmortem_body": "## What happened\n\nA bad deploy. <script>x()</script>",
        }
    if kind == "subscriber.confirmation_requested":
        return base | {
            "subscriber_id": "sub1",
            "channel": "email",
            "confirm_url": "https://status.acme.example/subscriptions/confirm/tok-c",
            "code": "123456",
        }
    if kind == "subscriber.webhook_created":
        return base | {"subscriber_id": "sub1"}
    if kind == "reminder.due":
        return base | {
            "reminder": {
                "type": "update_due",
                "name": "API errors",
                "status": "identified",
                "since": "2026-11-25T11:00:00+00:00",
                "due_at": "2026-11-25T11:30:00+00:00",
                "url": "https://status.acme.example/admin/incidents/inc1",
            }
        }
    return base | {"broadcast_channel_id": "bc1"}


def outgoing(
    kind: str,
    target: str,
    *,
    channel: Channel = Channel.EMAIL,
    n: int = 1,
    language: str = "en",
    ctx: dict[str, Any] | None = None,
) -> Outgoing:
    """Return one Outgoing for a recipient, with its manage and unsubscribe links."""
    confirmation = kind == "subscriber.confirmation_requested"
    return Outgoing(
        delivery_id=n,
        key=f"ev7:sub{n}:{channel.value}",
        channel=channel,
        target=target,
        language=language,
        context=ctx if ctx is not None else context(kind),
        manage_url=None if confirmation else f"https://status.acme.example/subscriptions/m{n}",
        unsubscribe_url=None if confirmation else f"https://status.acme.example/unsubscribe/u{n}",
    )
