"""Every console POST route refuses a request without a valid CSRF token and writes nothing.

The admin (who may do everything) sends what the page's form would send, minus
the token: a cross-site request forged from another site looks exactly like that.
"""

from __future__ import annotations

import pytest

from statuspage.accounts.models import Role

from .conftest import csrf_from
from .walker import World, admin_rules, build_world, counts, form_payload, methods, sign_in_as
from .walker import url_for_rule as build_url

# The start of admin.forms.STALE_FORM, as the page shows it.
STALE = "This form was open too long or was already sent, so nothing was saved."


@pytest.fixture
def world(app) -> World:
    """The demo data, staff of every role and one real id for every URL argument."""
    return build_world(app)


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_every_post_route_refuses_a_request_without_a_valid_token(app, world, token):
    admin = sign_in_as(app, world, Role.ADMIN)
    failures = []
    posted = []
    for rule in admin_rules(app):
        if "POST" not in methods(rule):
            continue
        url = build_url(rule, world)
        data: dict[str, object] = {}
        if "GET" in methods(rule):
            page = admin.get(url)
            if page.status_code == 200:
                data = form_payload(page.text, url) or {}
        if token == "forged":
            data["csrf_token"] = "IjQ2ZjE5YjQ0In0.forged.signature"
        before = counts(app)
        response = admin.post(url, data=data)
        after = counts(app)
        posted.append(rule.endpoint)
        stale_page = response.status_code == 200 and STALE in response.text
        if response.status_code != 400 and not stale_page:
            failures.append(
                f"POST {url} ({rule.endpoint}): {response.status_code}, expected 400 "
                "or the form again with the stale-form message"
            )
        if after != before:
            changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
            failures.append(f"POST {url} ({rule.endpoint}) wrote rows: {changed}")
    assert not failures, f"{len(failures)} failures:\n  " + "\n  ".join(failures)
    assert {"admin.settings", "admin.logout", "admin.users"} <= set(posted)
    # Still signed in: the refused logout did not sign the admin out.
    assert admin.get("/admin/").status_code == 200


def test_a_stale_form_keeps_the_input_and_says_why(app, world):
    admin = sign_in_as(app, world, Role.ADMIN)
    page = admin.get("/admin/settings")
    payload = form_payload(page.text, "/admin/settings") or {}
    response = admin.post("/admin/settings", data={**payload, "name": "Typed by hand"})
    assert response.status_code == 400
    assert "open too long" in response.text
    assert 'value="Typed by hand"' in response.text
    # The form shown again carries a fresh token: sending it again works.
    retry = {**payload, "name": "Typed by hand", "csrf_token": csrf_from(response.text)}
    assert admin.post("/admin/settings", data=retry).status_code == 302
