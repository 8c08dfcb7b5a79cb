"""Notifications domain: the transactional outbox and the delivery engine that drains it."""

from __future__ import annotations

from flask import Flask


def init_notifications(app: Flask) -> None:
    """Write outbox events in their cause's transaction and register the built-in senders."""
    from . import events, webhooks

    events.connect()
    webhooks.register()
    app.extensions["statuspage.notifications"] = True
