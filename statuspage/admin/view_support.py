"""Small pieces the maintenance, components and templates consoles share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_login import current_user

from ..accounts.models import Role
from ..clock import utcnow
from ..public.formatting import datetime_text
from ..themes.render import current_page
from .access import role_allows


def actor() -> dict[str, Any]:
    """Return the actor keyword arguments for a service call by the signed-in user."""
    return {"actor": current_user.email, "actor_id": current_user.id}


def page_zone() -> ZoneInfo:
    """Return the page's time zone (and let Babel format times in it for this request)."""
    return current_page().zone


def page_name() -> str:
    """Return the status page's name."""
    return current_page().name


def time_text(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    """Return a function that writes an instant as local date and time in zone."""

    def text(at: datetime | None) -> str:
        return datetime_text(at, zone) if at is not None else ""

    return text


def can_write() -> bool:
    """Say whether the signed-in user may change things (communicator or admin)."""
    return role_allows(current_user.role, Role.COMMUNICATOR)


def default_window(zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return tomorrow at the next full hour (in zone) and an hour later, as UTC."""
    local = utcnow().astimezone(zone).replace(minute=0, second=0, microsecond=0)
    start = (local + timedelta(days=1, hours=1)).astimezone(UTC)
    return start, start + timedelta(hours=1)
