"""Sign-in, roles, password change, users and API keys in the console."""

from __future__ import annotations

import sqlalchemy as sa

from statuspage.accounts.models import ApiKey, User
from statuspage.extensions import db

from .conftest import PASSWORD, csrf_from, post_form, sign_in


def test_console_requires_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.location.startswith("/admin/login?next=/admin/")


def test_sign_in_with_wrong_password_says_so_and_stays_out(client, staff):
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": staff.admin,
            "password": "wrong-password",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 400
    assert "Wrong email or password." in response.text
    assert client.get("/admin/").status_code == 302


def test_unknown_account_gets_the_same_answer(client, staff):
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": "nobody@example.com",
            "password": "x" * 12,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 400
    assert "Wrong email or password." in response.text


def test_sign_in_goes_to_next_but_never_off_site(client, staff):
    page = client.get("/admin/login")
    token = csrf_from(page.text)
    response = client.post(
        "/admin/login?next=https://evil.example/x",
        data={"email": staff.admin, "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/admin/"
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login?next=/admin/users",
        data={"email": staff.admin, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.location == "/admin/users"


def test_session_cookie_is_http_only(client, staff):
    sign_in(client, staff.admin)
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only


def test_sign_in_without_csrf_token_is_refused_with_a_message(client, staff):
    response = client.post("/admin/login", data={"email": staff.admin, "password": PASSWORD})
    assert response.status_code == 400
    assert "open too long" in response.text
    assert client.get("/admin/").status_code == 302


def test_sign_in_rate_limit_explains_itself(client, staff):
    for _ in range(10):
        page = client.get("/admin/login")
        client.post(
            "/admin/login",
            data={
                "email": staff.admin,
                "password": "nope-nope-nope",
                "csrf_token": csrf_from(page.text),
            },
        )
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": staff.admin, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text


def test_sign_out_ends_the_session(signed_in):
    client = signed_in("support")
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    assert client.get("/admin/").status_code == 302


def test_password_change_checks_current_and_confirmation(app, signed_in, staff):
    client = signed_in("support")
    bad = post_form(
        client,
        "/admin/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "short"},
    )
    assert bad.status_code == 400
    assert "The current password is not right." in bad.text
    assert "Use at least 10 characters." in bad.text
    good = post_form(
        client,
        "/admin/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
        },
    )
    assert good.status_code == 302
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    sign_in(client, staff.support, "a-new-long-password")


def test_admin_creates_user_and_errors_sit_beside_fields(app, signed_in):
    client = signed_in("admin")
    bad = post_form(
        client,
        "/admin/users",
        {"email": "not-an-email", "name": "", "role": "support", "password": "x"},
    )
    assert bad.status_code == 400
    assert 'data-field="email"' in bad.text
    assert 'data-field="password"' in bad.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 3
    ok = post_form(
        client,
        "/admin/users",
        {
            "email": "new@example.com",
            "name": "New",
            "role": "communicator",
            "password": "long-enough-pw",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.com"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")


def test_admin_changes_role_and_deactivates(app, signed_in, staff):
    client = signed_in("admin")
    with app.app_context():
        target = db.session.scalar(sa.select(User).where(User.email == staff.support))
        target_id = target.public_id
    url = f"/admin/users/{target_id}"
    response = post_form(client, url, {"role": "communicator"})  # active unchecked: deactivate
    assert response.status_code == 302
    with app.app_context():
        target = db.session.scalar(sa.select(User).where(User.email == staff.support))
        assert target.role.value == "communicator"
        assert not target.active


def test_admin_cannot_demote_themselves(app, signed_in, staff):
    client = signed_in("admin")
    with app.app_context():
        me = db.session.scalar(sa.select(User).where(User.email == staff.admin)).public_id
    response = post_form(client, f"/admin/users/{me}", {"role": "support", "active": "y"})
    assert response.status_code == 400
    assert "cannot change your own role" in response.text


def test_non_admins_cannot_manage_users(signed_in):
    client = signed_in("communicator")
    assert client.get("/admin/users").status_code == 403


def test_api_key_is_shown_once_stored_hashed_and_revocable(app, signed_in):
    client = signed_in("communicator")
    response = post_form(client, "/admin/account/keys", {"name": "deploy bot"})
    assert response.status_code == 200
    secret = response.text.split('<code id="new-secret">')[1].split("</code>")[0]
    assert secret.startswith("sp_")
    listing = client.get("/admin/account/keys").text
    assert secret not in listing
    assert secret[:9] in listing
    with app.app_context():
        key = db.session.scalar(sa.select(ApiKey))
        assert key.key_hash != secret
        assert len(key.key_hash) == 64
        key_id = key.public_id
    revoke = client.post(
        f"/admin/account/keys/{key_id}/revoke", data={"csrf_token": csrf_from(listing)}
    )
    assert revoke.status_code == 302
    with app.app_context():
        from statuspage.accounts.services import user_for_api_key

        assert user_for_api_key(secret) is None
