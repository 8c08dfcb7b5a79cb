"""Session loading and password hashing."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..extensions import db
from .models import User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    """Return an argon2id hash of password."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Say whether password matches the stored argon2 hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Say whether a stored hash uses older parameters than today's."""
    return _hasher.check_needs_rehash(stored)


def hash_api_key(key: str) -> str:
    """Return the SHA-256 hex digest under which an API key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def load_user(user_id: str) -> User | None:
    """Load an active user by the public id kept in the session."""
    return db.session.scalar(
        sa.select(User).where(User.public_id == user_id, User.active.is_(True))
    )
