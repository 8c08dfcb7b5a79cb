"""API keys on write APIs: find the key a request presents, check it, rate-limit per key."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, g, request

from ..accounts.models import ApiKey, Role, User
from ..accounts.services import user_for_api_key
from ..admin.access import role_allows
from ..clock import utcnow
from ..db import unit_of_work

# Record last use at most this often, so reads do not write on every request.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiAuthError(Exception):
    """A request without a usable API key (401) or with too little right (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def presented_key() -> str | None:
    """Return the API key in `Authorization: OAuth|Bearer`, `X-Cachet-Token` or `?api_key`."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in {"oauth", "bearer"} and value.strip():
        return value.strip()
    for candidate in (request.headers.get("X-Cachet-Token"), request.args.get("api_key")):
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def rate_limit_bucket() -> str:
    """Key requests by API key (hashed) when one is presented, else by client address."""
    key = presented_key()
    if key:
        return "api-key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return "api-ip:" + (request.remote_addr or "unknown")


def rate_limit() -> str:
    """Return the per-key API rate limit from the config."""
    return str(current_app.config["API_RATE_LIMIT"])


def require_api_user(needed: Role = Role.COMMUNICATOR) -> User:
    """Return the user behind the request's API key, or raise ApiAuthError (401/403)."""
    key = presented_key()
    if key is None:
        raise ApiAuthError(401, "Send an API key: `Authorization: OAuth <key>`.")
    found = user_for_api_key(key)
    if found is None:
        raise ApiAuthError(401, "This API key is unknown or has been revoked.")
    user, api_key = found
    if not role_allows(user.role, needed):
        message = f"This key belongs to a {user.role.value}; this needs {needed.value}."
        raise ApiAuthError(403, message)
    _touch(api_key)
    g.api_user = user
    g.api_key_prefix = api_key.prefix
    return user


def actor_label(user: User) -> str:
    """Return how the audit log names a write made through an API key."""
    return f"{user.email} (api:{getattr(g, 'api_key_prefix', '?')})"


def _touch(api_key: ApiKey) -> None:
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_GRANULARITY:
        with unit_of_work():
            api_key.last_used_at = now
