"""Fixtures for alerts in: integrations of every kind and a sender that signs like the source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from .payloads import auth_headers, body_of


@dataclass
class Hook:
    """An integration as a source sees it: its URL and secret."""

    kind: str
    public_id: str
    secret: str

    @property
    def url(self) -> str:
        return f"/hooks/{self.kind}?i={self.public_id}"


@pytest.fixture
def make_hook(app, frozen_clock) -> Callable[..., Hook]:
    """Create an integration of a kind and return its Hook."""
    from statuspage.internal.services import create_integration

    def make(kind: str, name: str | None = None) -> Hook:
        with app.app_context():
            integration, secret = create_integration(kind, name or f"{kind} test")
            return Hook(kind, integration.public_id, secret)

    return make


@pytest.fixture
def send(client) -> Callable[..., Any]:
    """POST a payload to a hook, signed with its secret (or with the headers given)."""

    def post(
        hook: Hook,
        payload: dict[str, Any] | bytes,
        *,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        **sign: Any,
    ) -> Any:
        body = payload if isinstance(payload, bytes) else body_of(payload)
        if headers is None:
            headers = auth_headers(hook.kind, secret or hook.secret, body, **sign)
        return client.post(
            hook.url, data=body, headers={"Content-Type": "application/json", **headers}
        )

    return post


@pytest.fixture
def internal(app) -> Callable[[], list[Any]]:
    """Return every internal incident with its events, components and links loaded."""
    from sqlalchemy.orm import selectinload

    from statuspage.extensions import db
    from statuspage.internal.models import InternalIncident

    def read() -> list[Any]:
        with app.app_context():
            rows = db.session.scalars(
                sa.select(InternalIncident)
                .options(
                    selectinload(InternalIncident.events),
                    selectinload(InternalIncident.components),
                    selectinload(InternalIncident.public_incidents),
                )
                .order_by(InternalIncident.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    return read
