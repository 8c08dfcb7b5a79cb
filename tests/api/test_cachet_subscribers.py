"""Cachet API v1 subscribers: create (verify skips confirmation) and delete, in Cachet's format."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from statuspage.accounts.services import create_api_key
from statuspage.components.models import Component
from statuspage.extensions import db
from statuspage.notifications.models import OutboxEvent
from statuspage.subscribers.models import Subscriber, SubscriberState
from statuspage.subscribers.queries import find_subscriber

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def token(email: str = "comms@example.com") -> dict[str, str]:
    _key, secret = create_api_key(email)
    return {"X-Cachet-Token": secret}


def assert_cachet_error(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.data
    (error,) = response.get_json()["errors"]
    assert set(error) == {"id", "status", "title", "detail"}
    assert error["status"] == status
    for word in words:
        assert word in error["detail"]


def outbox_kinds() -> list[str]:
    # Subscriber events only: the demo's incidents write their own notification events.
    query = sa.select(OutboxEvent.kind).where(OutboxEvent.kind.like("subscriber.%"))
    return list(db.session.scalars(query.order_by(OutboxEvent.id)))


def test_create_subscriber_waits_for_confirmation(
    frozen_clock: Any, demo: Any, client: Any
) -> None:
    made = client.post("/api/v1/subscribers", json={"email": "Ada@Example.com"}, headers=token())

    assert made.status_code == 200, made.data
    data = made.get_json()["data"]
    assert data["email"] == "ada@example.com"
    assert data["verify_code"] is None
    assert data["verified_at"] is None
    assert data["global"] is True
    assert TIMESTAMP.fullmatch(data["created_at"])
    sub = find_subscriber(data["id"])
    assert sub is not None
    assert sub.state is SubscriberState.UNCONFIRMED
    assert outbox_kinds() == ["subscriber.confirmation_requested"]


def test_verify_skips_confirmation_and_components_narrow_it(demo: Any, client: Any) -> None:
    ids = list(db.session.scalars(sa.select(Component.public_id).order_by(Component.id).limit(2)))
    made = client.post(
        "/api/v1/subscribers",
        data={"email": "ops@example.com", "verify": "1", "components": ",".join(ids)},
        headers=token(),
    )
    assert made.status_code == 200, made.data
    data = made.get_json()["data"]
    assert data["verified_at"] is not None
    assert data["global"] is False
    assert sorted(data["subscriptions"]) == sorted(ids)
    assert outbox_kinds() == []
    listed = client.post(
        "/api/v1/subscribers?email=list@example.com",
        json={"components": ids[:1], "verify": True},
        headers=token(),
    )
    assert listed.get_json()["data"]["subscriptions"] == ids[:1]


def test_create_errors(demo: Any, client: Any) -> None:
    assert_cachet_error(client.post("/api/v1/subscribers", json={}, headers=token()), 400, "email")
    assert_cachet_error(
        client.post("/api/v1/subscribers", json={"email": "nope"}, headers=token()),
        400,
        "`email`",
    )
    assert_cachet_error(
        client.post(
            "/api/v1/subscribers",
            json={"email": "a@example.com", "verify": "maybe"},
            headers=token(),
        ),
        400,
        "`verify`",
    )
    assert_cachet_error(
        client.post(
            "/api/v1/subscribers",
            json={"email": "a@example.com", "components": ["nope"]},
            headers=token(),
        ),
        400,
        "`components`",
    )
    assert_cachet_error(client.post("/api/v1/subscribers", json={"email": "a@example.com"}), 401)
    assert_cachet_error(
        client.post(
            "/api/v1/subscribers",
            json={"email": "a@example.com"},
            headers=token("support@example.com"),
        ),
        403,
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_delete_subscriber(demo: Any, client: Any) -> None:
    made = client.post("/api/v1/subscribers", json={"email": "a@example.com"}, headers=token())
    sid = made.get_json()["data"]["id"]

    deleted = client.delete(f"/api/v1/subscribers/{sid}", headers=token())

    assert deleted.status_code == 204
    assert deleted.data == b""
    assert find_subscriber(sid) is None
    assert_cachet_error(client.delete(f"/api/v1/subscribers/{sid}", headers=token()), 404, sid)
    assert_cachet_error(client.delete("/api/v1/subscribers/x"), 401)
