"""Account use cases: staff users and API keys."""

from __future__ import annotations

import re
import secrets
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import utcnow
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from .auth import hash_api_key, hash_password, needs_rehash, verify_password
from .models import ApiKey, Role, User

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "sp_"


def create_user(email: str, password: str, role: str, name: str = "", actor: str = "cli") -> User:
    """Create a staff user with an argon2id password hash."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not _EMAIL_RE.match(email) or len(email) > 320:
        errors["email"] = _("Enter a valid email address.")
    if role not in {r.value for r in Role}:
        errors["role"] = _("Role must be admin, communicator or support.")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if not errors and db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = _("A user with this email already exists.")
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
        raise ValidationError({"email": _("No active user with this email.")})
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


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, recording the sign-in; None otherwise."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Spend the same time as a real check so timing does not reveal accounts.
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    with unit_of_work():
        user.last_login_at = utcnow()
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record(user.email, "user.sign_in", "user", user.public_id, None, None, actor_id=user.id)
    return user


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Change a user's own password after checking the current one."""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = _("The current password is not right.")  # noqa: S105
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    elif new != confirm:
        errors["confirm_password"] = _("The two new passwords differ.")  # noqa: S105
    if errors:
        raise ValidationError(errors)
    with unit_of_work():
        user.password_hash = hash_password(new)
        record(user.email, "user.password_change", "user", user.public_id, None, None, user.id)


def update_user(target: User, *, role: str, active: bool, actor: User) -> User:
    """Change another user's role or deactivate them (admins only; never yourself)."""
    if role not in {r.value for r in Role}:
        raise ValidationError({"role": _("Role must be admin, communicator or support.")})
    if target.id == actor.id and (role != target.role.value or not active):
        message = _("You cannot change your own role or deactivate yourself.")
        raise ValidationError({"role": message})
    before = {"role": target.role.value, "active": target.active}
    with unit_of_work():
        target.role = Role(role)
        target.active = active
        record(
            actor.email, "user.update", "user", target.public_id, before,
            {"role": role, "active": active}, actor.id,
        )  # fmt: skip
    return target


def revoke_api_key(key: ApiKey, actor: User) -> None:
    """Revoke an API key; it stops working at once."""
    if key.revoked_at is not None:
        return
    with unit_of_work():
        key.revoked_at = utcnow()
        record(actor.email, "api_key.revoke", "api_key", key.public_id, None, None, actor.id)


def user_by_public_id(public_id: str) -> User | None:
    """Return the user with this public id."""
    return db.session.scalar(sa.select(User).where(User.public_id == public_id))


def api_keys_of(user: User) -> list[ApiKey]:
    """Return a user's API keys, newest first."""
    stmt = sa.select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc())
    return list(db.session.scalars(stmt))


def user_for_api_key(secret: str) -> tuple[User, ApiKey] | None:
    """Return the active user and unrevoked key for a presented API key secret."""
    row = db.session.execute(
        sa.select(User, ApiKey)
        .join(ApiKey, ApiKey.user_id == User.id)
        .where(ApiKey.key_hash == hash_api_key(secret), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    return row[0], row[1]


@cache
def _dummy_hash() -> str:
    """Return a hash to check against when the account is unknown (same cost as a real one)."""
    return hash_password(secrets.token_hex(16))
