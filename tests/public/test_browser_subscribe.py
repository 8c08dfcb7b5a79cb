"""Subscribing in chromium: choose two components, confirm, change the choice, unsubscribe."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.subscribers.models import Scope, Subscriber, SubscriberState
from statuspage.subscribers.tokens import make_token

pytestmark = pytest.mark.browser

ADDRESS = "browser-reader@example.com"


def reader() -> Subscriber:
    db.session.expire_all()
    found = db.session.scalars(sa.select(Subscriber).where(Subscriber.target == ADDRESS)).one()
    return found


def settle() -> None:
    db.session.rollback()  # hold no transaction while the live server works


def test_subscribe_confirm_manage_and_unsubscribe(frozen_clock: Any, demo: Any, page: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="Subscribe to updates").first.click()
    expect(page.get_by_role("heading", name="Subscribe to updates")).to_be_visible()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address, phone number or URL").fill(ADDRESS)
    page.get_by_label("Only the components I choose").check()
    page.get_by_label("API", exact=True).check()
    page.get_by_label("Dashboard", exact=True).check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    sub = reader()
    assert sub.state is SubscriberState.UNCONFIRMED
    assert sorted(c.name for c in sub.components) == ["API", "Dashboard"]
    confirm = make_token(sub, "confirm")
    settle()

    page.goto(f"/subscriptions/confirm/{confirm}")
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    assert reader().state is SubscriberState.ACTIVE
    settle()

    page.get_by_role("link", name="Manage your subscription").click()
    expect(page.get_by_role("heading", name="Your subscription")).to_be_visible()
    expect(page.get_by_label("API", exact=True)).to_be_checked()
    page.get_by_label("Dashboard", exact=True).uncheck()
    page.get_by_label("Webhooks", exact=True).check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    sub = reader()
    assert sub.scope is Scope.COMPONENTS
    assert sorted(c.name for c in sub.components) == ["API", "Webhooks"]
    settle()

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert reader().state is SubscriberState.UNSUBSCRIBED
    settle()
