"""Signed, purpose-bound subscriber tokens for the links in every message.

A token carries the subscriber's public id and token version, signed with
SECRET_KEY and a salt per purpose, so a manage link cannot unsubscribe and a
confirmation link cannot manage. Confirmation links expire; manage and
unsubscribe links do not, but bumping the subscriber's token version (see
services.rotate_tokens) revokes every one sent before.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

from ..clock import utcnow
from ..extensions import db
from .models import Subscriber

CONFIRM_MAX_AGE = timedelta(days=7)


class Purpose(StrEnum):
    """What a token lets its holder do."""

    CONFIRM = "confirm"
    MANAGE = "manage"
    UNSUBSCRIBE = "unsubscribe"


_MAX_AGE = {Purpose.CONFIRM: CONFIRM_MAX_AGE}


class TokenError(ValueError):
    """A token that cannot be used: malformed, tampered with, expired or revoked."""

    reason = "invalid"


class TokenExpired(TokenError):
    """A token whose time ran out (confirmation links)."""

    reason = "expired"


class TokenRevoked(TokenError):
    """A well-signed token for a subscriber that is gone or whose links were rotated."""

    reason = "revoked"


# Derived signing keys by (secret, salt, method): itsdangerous derives the key again on
# every sign and check, and a fan-out signs two tokens per message.
_derived_keys: dict[tuple[bytes, bytes, str, Any], bytes] = {}


class _Signer(TimestampSigner):
    # Timestamps come from our clock so that signing and the expiry check agree.
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        raw = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        cache_key = (raw, self.salt, self.key_derivation, self.digest_method)
        key = _derived_keys.get(cache_key)
        if key is None:
            if len(_derived_keys) > 64:  # secrets change rarely; keep the cache bounded
                _derived_keys.clear()
            key = _derived_keys[cache_key] = super().derive_key(raw)
        return key


@lru_cache(maxsize=32)
def _serializer_for(secret: str | bytes, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=f"statuspage.subscriber.{purpose.value}", signer=_Signer
    )


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    # One serializer per (secret, purpose): it holds no per-call state.
    return _serializer_for(current_app.config["SECRET_KEY"], purpose)


def make_token(subscriber: Subscriber, purpose: Purpose | str) -> str:
    """Return a URL-safe token letting its holder act on this subscriber for one purpose."""
    purpose = Purpose(purpose)
    return str(_serializer(purpose).dumps([subscriber.public_id, subscriber.token_version]))


def _claims(token: str, purpose: Purpose) -> tuple[str, int]:
    max_age = _MAX_AGE.get(purpose)
    serializer = _serializer(purpose)
    try:
        if max_age is None:
            data: Any = serializer.loads(token)
        else:
            # itsdangerous compares against time.time(); check the age against our clock.
            data, signed_at = serializer.loads(token, return_timestamp=True, max_age=None)
            if utcnow() - signed_at > max_age:
                raise TokenExpired("This link has expired; ask for a new one.")
    except SignatureExpired:
        raise TokenExpired("This link has expired; ask for a new one.") from None
    except BadSignature:
        raise TokenError("This link is not valid; copy the whole link from the message.") from None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], str)
        or not isinstance(data[1], int)
    ):
        raise TokenError("This link is not valid; copy the whole link from the message.")
    return data[0], data[1]


def load_token(token: str, purpose: Purpose | str) -> str:
    """Return the public id of the subscriber a token is for, or raise TokenError."""
    purpose = Purpose(purpose)
    public_id, version = _claims(token, purpose)
    current = db.session.scalar(
        sa.select(Subscriber.token_version).where(Subscriber.public_id == public_id)
    )
    if current is None or current != version:
        raise TokenRevoked("This link is no longer valid; use the one in your latest message.")
    return public_id
