"""Subscriber links: signed, bound to one purpose, expiring where they should, revocable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from statuspage.subscribers import services
from statuspage.subscribers.services import subscribe
from statuspage.subscribers.tokens import (
    CONFIRM_MAX_AGE,
    Purpose,
    TokenError,
    TokenExpired,
    TokenRevoked,
    load_token,
    make_token,
)


@pytest.fixture
def subscriber(app_ctx: Any) -> Any:
    return subscribe("email", "me@example.com").subscriber


@pytest.mark.parametrize("purpose", list(Purpose))
def test_a_token_loads_for_its_own_purpose(subscriber: Any, purpose: Purpose) -> None:
    token = make_token(subscriber, purpose)
    assert load_token(token, purpose) == subscriber.public_id
    assert subscriber.public_id not in token.split(".")[-1]


@pytest.mark.parametrize(
    ("made_for", "used_for"),
    [
        (Purpose.MANAGE, Purpose.UNSUBSCRIBE),
        (Purpose.UNSUBSCRIBE, Purpose.MANAGE),
        (Purpose.CONFIRM, Purpose.MANAGE),
        (Purpose.MANAGE, Purpose.CONFIRM),
    ],
)
def test_a_token_is_refused_for_another_purpose(
    subscriber: Any, made_for: Purpose, used_for: Purpose
) -> None:
    with pytest.raises(TokenError):
        load_token(make_token(subscriber, made_for), used_for)


def test_tampered_and_garbage_tokens_are_refused(subscriber: Any) -> None:
    token = make_token(subscriber, Purpose.MANAGE)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (flipped, token + "x", "", "not-a-token", token.replace(".", "", 1)):
        with pytest.raises(TokenError) as caught:
            load_token(bad, Purpose.MANAGE)
        assert caught.value.reason == "invalid"


def test_a_token_signed_with_another_key_is_refused(subscriber: Any, app: Flask) -> None:
    token = make_token(subscriber, Purpose.UNSUBSCRIBE)
    app.config["SECRET_KEY"] = "another"
    with pytest.raises(TokenError):
        load_token(token, Purpose.UNSUBSCRIBE)


def test_confirmation_links_expire_but_manage_links_do_not(
    subscriber: Any, frozen_clock: Any
) -> None:
    confirm = make_token(subscriber, Purpose.CONFIRM)
    manage = make_token(subscriber, Purpose.MANAGE)
    frozen_clock.advance(CONFIRM_MAX_AGE - timedelta(minutes=1))
    assert load_token(confirm, Purpose.CONFIRM) == subscriber.public_id

    frozen_clock.advance(timedelta(minutes=2))
    with pytest.raises(TokenExpired) as caught:
        load_token(confirm, Purpose.CONFIRM)
    assert "expired" in str(caught.value)
    frozen_clock.advance(timedelta(days=3650))
    assert load_token(manage, Purpose.MANAGE) == subscriber.public_id


def test_rotating_revokes_old_links(subscriber: Any) -> None:
    old = make_token(subscriber, Purpose.UNSUBSCRIBE)
    services.rotate_tokens(subscriber)
    with pytest.raises(TokenRevoked):
        load_token(old, Purpose.UNSUBSCRIBE)
    assert load_token(make_token(subscriber, Purpose.UNSUBSCRIBE), "unsubscribe")


def test_links_of_a_deleted_subscriber_are_revoked(subscriber: Any) -> None:
    token = make_token(subscriber, Purpose.MANAGE)
    services.delete_subscriber(subscriber)
    with pytest.raises(TokenRevoked):
        load_token(token, Purpose.MANAGE)


def test_an_unsubscribe_link_still_works_after_unsubscribing(subscriber: Any) -> None:
    token = make_token(subscriber, Purpose.UNSUBSCRIBE)
    services.unsubscribe(subscriber)
    assert load_token(token, Purpose.UNSUBSCRIBE) == subscriber.public_id
