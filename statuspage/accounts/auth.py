"""Session loading and password hashing."""

from __future__ import annotations

import hashlib
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import current_app, has_app_context
from flask_login import current_user

from ..extensions import db
from .models import User

DEFAULT_TIME_COST = RFC_9106_LOW_MEMORY.time_cost
DEFAULT_MEMORY_COST = RFC_9106_LOW_MEMORY.memory_cost


@cache
def _hasher_for(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def _hasher() -> PasswordHasher:
    """Return the argon2id hasher (library defaults unless the config lowers them for tests)."""
    config = current_app.config if has_app_context() else {}
    return _hasher_for(
        int(config.get("ARGON2_TIME_COST", DEFAULT_TIME_COST)),
        int(config.get("ARGON2_MEMORY_COST", DEFAULT_MEMORY_COST)),
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of password."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Say whether password matches the stored argon2 hash."""
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Say whether a stored hash uses older parameters than today's."""
    return _hasher().check_needs_rehash(stored)


def hash_api_key(key: str) -> str:
    """Return the SHA-256 hex digest under which an API key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def user_template_globals() -> dict[str, object]:
    """Give templates `current_user`, read from the session only if a template uses it."""
    return {"current_user": current_user}


def load_user(user_id: str) -> User | None:
    """Load an active user by the public id kept in the session."""
    return db.session.scalar(
        sa.select(User).where(User.public_id == user_id, User.active.is_(True))
    )
