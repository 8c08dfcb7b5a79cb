"""Who may open which console page: sign-in required, roles per route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..accounts.models import Role

F = TypeVar("F", bound=Callable[..., Any])

# Each role includes the ones after it.
_RANK = {Role.SUPPORT: 1, Role.COMMUNICATOR: 2, Role.ADMIN: 3}
OPEN_ENDPOINTS = {"admin.login"}


def role_allows(role: Role, needed: Role) -> bool:
    """Say whether a user with role may do what needs the needed role."""
    return _RANK[Role(role)] >= _RANK[needed]


def requires(needed: Role) -> Callable[[F], F]:
    """Restrict a console view to users whose role is at least needed."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not role_allows(current_user.role, needed):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = needed  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def required_role(view: Callable[..., Any]) -> Role:
    """Return the least role a console view needs (support when undecorated)."""
    return cast(Role, getattr(view, "required_role", Role.SUPPORT))


def require_sign_in() -> ResponseReturnValue | None:
    """Send anonymous visitors to the sign-in page."""
    # Load the user from this request's session, never from a reused app context (tests).
    g.pop("_login_user", None)
    if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


def no_store(response: Any) -> Any:
    """Keep console pages out of shared and browser caches."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response
