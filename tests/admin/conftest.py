"""Console fixtures: staff users of every role and a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Staff:
    """Emails of one user per role."""

    admin: str = "admin@example.com"
    communicator: str = "comms@example.com"
    support: str = "support@example.com"


@pytest.fixture
def staff(app: Flask) -> Staff:
    """Create one active user per role (password PASSWORD)."""
    from statuspage.accounts.services import create_user

    people = Staff()
    with app.app_context():
        for role in ("admin", "communicator", "support"):
            create_user(getattr(people, role), PASSWORD, role)
    return people


def csrf_from(html: str) -> str:
    """Return the first CSRF token in a page."""
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign a test client in through the real form."""
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302, response.text


@pytest.fixture
def signed_in(client: FlaskClient, staff: Staff) -> Callable[[str], FlaskClient]:
    """Return a function that signs the client in as the given role and returns it."""

    def as_role(role: str) -> FlaskClient:
        sign_in(client, getattr(staff, role))
        return client

    return as_role


def post_form(
    client: FlaskClient, url: str, data: dict[str, object], *, form_url: str | None = None
):
    """POST a console form with a fresh CSRF token taken from form_url (default: url)."""
    page = client.get(form_url or url)
    payload = {"csrf_token": csrf_from(page.text), **data}
    return client.post(url, data=payload)
