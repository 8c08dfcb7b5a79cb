"""Idempotency-Key on POST: a retried request gets the first answer, not a second object."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..clock import utcnow
from ..db import unit_of_work
from ..extensions import db
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# status of a reserved key whose request is still running
PENDING = 0
ABANDONED_AFTER = timedelta(minutes=2)


class IdempotencyConflict(Exception):
    """The key was used before, by this user on this path, with a different body (409)."""


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update((request.mimetype or "").encode())
    digest.update(b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _find(user: User, key: str, path: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user.id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.path == path,
            IdempotencyRecord.created_at > utcnow() - KEEP_FOR,
            # An abandoned reservation counts as absent (_reserve deletes it).
            sa.or_(
                IdempotencyRecord.status != PENDING,
                IdempotencyRecord.created_at > utcnow() - ABANDONED_AFTER,
            ),
        )
    )


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _reserve(user: User, key: str, path: str, request_hash: str) -> IdempotencyRecord | None:
    """Claim the key before the work runs; return the earlier record if someone holds it."""
    now = utcnow()
    try:
        with unit_of_work() as session:
            session.execute(
                sa.delete(IdempotencyRecord).where(
                    sa.or_(
                        IdempotencyRecord.created_at <= now - KEEP_FOR,
                        # A reservation whose request died (process killed) must not block.
                        sa.and_(
                            IdempotencyRecord.status == PENDING,
                            IdempotencyRecord.created_at <= now - ABANDONED_AFTER,
                        ),
                    )
                )
            )
            session.add(
                IdempotencyRecord(
                    user_id=user.id,
                    key=key,
                    path=path,
                    request_hash=request_hash,
                    status=PENDING,
                    body="",
                    created_at=now,
                )
            )
    except IntegrityError:
        db.session.rollback()
        return _find(user, key, path)
    return None


def _finish(user: User, key: str, path: str, response: Response | None) -> None:
    """Store the answer of a success, or free the key after a failure so a fixed retry runs."""
    if response is None:
        db.session.rollback()  # the view raised: drop whatever it left half-done
    with unit_of_work() as session:
        record = _find(user, key, path)
        if record is None:
            return
        if response is None or not 200 <= response.status_code < 300:
            session.delete(record)
            return
        record.status = response.status_code
        record.body = response.get_data(as_text=True)


def _earlier(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.status == PENDING:
        raise IdempotencyConflict(
            f"A request with this {HEADER} is still being processed; retry in a few seconds."
        )
    if record.request_hash != request_hash:
        raise IdempotencyConflict(
            f"This {HEADER} was already used with a different request body; "
            "send a new key for a new request."
        )
    return _replay(record)


def idempotent(
    current_user: Callable[[], User],
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Make a POST view replay its first successful answer for a repeated Idempotency-Key."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            key = (request.headers.get(HEADER) or "").strip()
            if not key:
                return view(*args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                raise IdempotencyConflict(f"{HEADER} may be at most {MAX_KEY_LENGTH} characters.")
            user = current_user()
            path = request.path.removesuffix(".json")
            request_hash = _request_hash()
            record = _find(user, key, path)
            if record is None:
                # Reserve first, so a retry sent while this one still runs cannot run it twice.
                record = _reserve(user, key, path, request_hash)
            if record is not None:
                return _earlier(record, request_hash)
            response: Response | None = None
            try:
                response = view(*args, **kwargs)
            finally:
                # Only successes are kept: a failed request may be fixed and retried with the key.
                _finish(user, key, path, response)
            return response

        return wrapper

    return decorate
