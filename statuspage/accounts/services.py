"""Account use cases: staff users and API keys."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from ..audit.services import record
from ..clock import utcnow
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from .auth import hash_api_key, hash_password
from .models import ApiKey, Role, User

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "sp_"


def create_user(email: str, password: str, role: str, name: str = "", actor: str = "cli") -> User:
    """Create a staff user with an argon2id password hash."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not _EMAIL_RE.match(email) or len(email) > 320:
        errors["email"] = "Enter a valid email address."
    if role not in {r.value for r in Role}:
        errors["role"] = "Role must be one of: " + ", ".join(r.value for r in Role) + "."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if not errors and db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = "A user with this email already exists."
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        user = User(email=email, name=name, password_hash=hash_password(password), role=Role(role))
        session.add(user)
        session.flush()
        record(actor, "user.create", "user", user.public_id, None, {"email": email, "role": role})
    return user


def create_api_key(email: str, name: str = "", actor: str = "cli") -> tuple[ApiKey, str]:
    """Create an API key for a user; return it and the secret, which is never stored."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise ValidationError({"email": "No active user with this email."})
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work() as session:
        key = ApiKey(
            user_id=user.id,
            name=name,
            prefix=secret[: len(API_KEY_PREFIX) + 6],
            key_hash=hash_api_key(secret),
            created_at=utcnow(),
        )
        session.add(key)
        session.flush()
        record(actor, "api_key.create", "api_key", key.public_id, None, {"prefix": key.prefix})
    return key, secret
