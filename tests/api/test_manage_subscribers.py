"""Manage API v1 (P1) subscribers over HTTP: create per channel, list, count, bulk, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.accounts.services import create_api_key
from statuspage.components.models import Component, ComponentGroup
from statuspage.extensions import db
from statuspage.incidents.services import create_incident
from statuspage.notifications.models import OutboxEvent
from statuspage.site.queries import get_page_settings
from statuspage.subscribers import services

SLACK = "https://hooks.slack.com/services/T1/B2/c3"
FIELDS = {
    "id",
    "mode",
    "type",
    "email",
    "endpoint",
    "phone_number",
    "phone_country",
    "display_phone_number",
    "components",
    "component_groups",
    "scope",
    "incident_id",
    "events",
    "state",
    "language",
    "skip_confirmation_notification",
    "confirmed_at",
    "quarantined_at",
    "unsubscribed_at",
    "purge_at",
    "created_at",
    "updated_at",
}


def _key(email: str = "comms@example.com") -> dict[str, str]:
    _api_key, secret = create_api_key(email)
    return {"Authorization": f"OAuth {secret}"}


@pytest.fixture
def api(demo: Any, client: Any) -> Any:
    """A client with a communicator's key and the page id."""

    class Api:
        headers = _key()
        page = get_page_settings().public_id

        def call(self, method: str, path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return client.open(
                f"/api/v1/pages/{self.page}{path}", method=method, headers=headers, **kwargs
            )

        def create(self, **fields: Any) -> Any:
            return self.call("POST", "/subscribers", json={"subscriber": fields})

    return Api()


def all_component_ids() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Component.public_id).order_by(Component.position, Component.id)
        )
    )


def outbox_kinds() -> list[str]:
    # Subscriber events only: the demo's incidents write their own notification events.
    query = sa.select(OutboxEvent.kind).where(OutboxEvent.kind.like("subscriber.%"))
    return list(db.session.scalars(query.order_by(OutboxEvent.id)))


def test_create_email_subscriber_is_unconfirmed_and_asks_for_confirmation(api: Any) -> None:
    made = api.create(email="Ada@Example.com", language="de")

    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert set(body) == FIELDS
    assert body["type"] == body["mode"] == "email"
    assert body["email"] == "ada@example.com"
    assert body["endpoint"] is None
    assert body["phone_number"] is None
    assert body["state"] == "unconfirmed"
    assert body["language"] == "de"
    assert body["skip_confirmation_notification"] is False
    assert body["components"] == all_component_ids()
    assert body["scope"] == "all"
    assert body["created_at"].endswith("Z")
    assert body["quarantined_at"] is None
    assert body["purge_at"] is None
    assert outbox_kinds() == ["subscriber.confirmation_requested"]
    assert api.call("GET", f"/subscribers/{body['id']}").get_json() == body


def test_skip_confirmation_makes_email_active_at_once(api: Any) -> None:
    made = api.create(email="ops@example.com", skip_confirmation_notification=True)
    assert made.get_json()["state"] == "active"
    assert made.get_json()["skip_confirmation_notification"] is True
    assert outbox_kinds() == []


def test_create_sms_subscriber(api: Any) -> None:
    made = api.create(phone_number="+1 415 555 0123", phone_country="us")
    assert made.status_code == 201
    body = made.get_json()
    assert body["type"] == "sms"
    assert body["phone_number"] == "+14155550123"
    assert body["phone_country"] == "US"
    assert body["state"] == "unconfirmed"


def test_webhook_secret_is_only_in_the_create_answer(api: Any) -> None:
    made = api.create(endpoint="https://hooks.example.com/in")
    assert made.status_code == 201
    body = made.get_json()
    assert body["type"] == "webhook"
    assert body["state"] == "active"
    assert body["webhook_secret"].startswith("whsec_")
    assert outbox_kinds() == ["subscriber.webhook_created"]
    shown = api.call("GET", f"/subscribers/{body['id']}").get_json()
    assert "webhook_secret" not in shown
    assert "webhook_secret" not in json.dumps(api.call("GET", "/subscribers").get_json())
    again = api.create(endpoint="https://hooks.example.com/in")
    assert again.status_code == 200
    assert "webhook_secret" not in again.get_json()


def test_chat_endpoints_are_recognised_or_typed(api: Any) -> None:
    slack = api.create(endpoint=SLACK)
    assert slack.get_json()["type"] == "slack"
    wrong = api.create(type="teams", endpoint="https://example.com/hook")
    assert wrong.status_code == 422
    assert "Microsoft Teams" in wrong.get_json()["errors"]["endpoint"]
    discord = api.create(type="discord", endpoint="https://discord.com/api/webhooks/1/x")
    assert discord.get_json()["type"] == "discord"


def test_apprise_needs_an_admin_key(api: Any) -> None:
    refused = api.create(type="apprise", endpoint="tgram://token/chat")
    assert refused.status_code == 422
    assert "administrators" in refused.get_json()["errors"]["type"]
    made = api.call(
        "POST",
        "/subscribers",
        json={"subscriber": {"type": "apprise", "endpoint": "mailto://u:secret@example.com"}},
        headers=_key("admin@example.com"),
    )
    assert made.status_code == 201, made.get_json()
    # Apprise URLs carry credentials: the API never shows them.
    assert made.get_json()["endpoint"] == "mailto://***"


def test_components_and_groups_choice(api: Any) -> None:
    first, second = db.session.scalars(
        sa.select(ComponentGroup).order_by(ComponentGroup.id).limit(2)
    ).all()
    group, loose = first, second.components[0]
    made = api.create(
        email="me@example.com",
        component_ids=[loose.public_id],
        component_group_ids=[group.public_id],
        events=["incidents", "postmortems"],
    )
    body = made.get_json()
    assert made.status_code == 201, body
    assert body["scope"] == "components"
    assert body["component_groups"] == [group.public_id]
    assert set(body["components"]) == {loose.public_id} | {c.public_id for c in group.components}
    assert body["events"] == ["incidents", "postmortems"]

    patched = api.call(
        "PATCH",
        f"/subscribers/{body['id']}",
        json={"subscriber": {"component_ids": [], "component_group_ids": [], "language": "fr"}},
    )
    assert patched.status_code == 200
    assert patched.get_json()["scope"] == "all"
    assert patched.get_json()["language"] == "fr"
    assert patched.get_json()["events"] == ["incidents", "postmortems"]


def test_form_encoded_create(api: Any) -> None:
    made = api.call(
        "POST",
        "/subscribers.json",
        data={"subscriber[email]": "form@example.com", "subscriber[component_ids][]": []},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["email"] == "form@example.com"


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"phone_number": "12345"}, "phone_number", "+"),
        ({"endpoint": "ftp://example.com"}, "endpoint", "http"),
        ({"type": "pigeon", "email": "a@example.com"}, "type", "email, sms"),
        ({}, "email", "exactly one"),
        ({"email": "a@example.com", "endpoint": "https://x.example"}, "type", "exactly one"),
        ({"email": "a@example.com", "component_ids": ["nope"]}, "component_ids", "unknown"),
        (
            {"email": "a@example.com", "component_group_ids": ["nope"]},
            "component_group_ids",
            "nope",
        ),
        ({"email": "a@example.com", "events": ["gossip"]}, "events", "incidents"),
        ({"email": "a@example.com", "events": []}, "events", "at least one"),
        ({"phone_number": "+14155550123", "phone_country": "USA"}, "phone_country", "two-letter"),
        ({"email": "a@example.com", "language": "??"}, "language", "language code"),
    ],
)
def test_create_errors_name_the_field(
    api: Any, fields: dict[str, Any], field: str, needle: str
) -> None:
    response = api.create(**fields)
    assert response.status_code == 422, response.get_json()
    assert needle in response.get_json()["errors"][field]
    assert outbox_kinds() == []


def test_list_filters_paging_and_count(api: Any) -> None:
    ids = {}
    for n in range(3):
        ids[n] = api.create(email=f"user{n}@example.com", skip_confirmation_notification=True)
    api.create(email="pending@example.com")
    api.create(endpoint=SLACK)

    listed = api.call("GET", "/subscribers").get_json()
    assert {s["state"] for s in listed} == {"active"}
    assert len(listed) == 4
    everyone = api.call("GET", "/subscribers?state=all").get_json()
    assert len(everyone) == 5
    pending = api.call("GET", "/subscribers?state=unconfirmed").get_json()
    assert [s["email"] for s in pending] == ["pending@example.com"]
    emails = api.call("GET", "/subscribers?type=email&q=USER1").get_json()
    assert [s["email"] for s in emails] == ["user1@example.com"]
    page = api.call("GET", "/subscribers?per_page=2&page=2&state=all").get_json()
    assert len(page) == 2
    assert len(api.call("GET", "/subscribers?limit=1").get_json()) == 1

    assert api.call("GET", "/subscribers/count").get_json() == {"count": 4}
    assert api.call("GET", "/subscribers/count.json?type=slack").get_json() == {"count": 1}
    assert api.call("GET", "/subscribers/count?state=all&type=email").get_json() == {"count": 4}

    bad = api.call("GET", "/subscribers?type=fax")
    assert bad.status_code == 422
    assert "type" in bad.get_json()["errors"]
    assert api.call("GET", "/subscribers/count?state=sleepy").status_code == 422
    assert api.call("GET", "/subscribers?per_page=500").status_code == 422


def test_delete_unsubscribes_and_answers_the_object(api: Any) -> None:
    sid = api.create(email="me@example.com").get_json()["id"]
    gone = api.call("DELETE", f"/subscribers/{sid}")
    assert gone.status_code == 200
    assert gone.get_json()["state"] == "unsubscribed"
    assert gone.get_json()["purge_at"] is not None
    assert api.call("DELETE", f"/subscribers/{sid}").status_code == 200
    assert api.call("GET", "/subscribers/count?state=unconfirmed").get_json() == {"count": 0}


def test_bulk_unsubscribe_reactivate_and_resend(api: Any) -> None:
    a = api.create(email="a@example.com", skip_confirmation_notification=True).get_json()["id"]
    b = api.create(endpoint=SLACK).get_json()["id"]
    c = api.create(email="c@example.com").get_json()["id"]

    done = api.call("POST", "/subscribers/unsubscribe", json={"subscribers": [a, b]})
    assert done.status_code == 202
    assert sorted(done.get_json()["subscribers"]) == sorted([a, b])
    assert api.call("GET", f"/subscribers/{a}").get_json()["state"] == "unsubscribed"

    back = api.call("POST", "/subscribers/reactivate", json={"subscribers": [a]})
    assert back.get_json() == {"count": 1, "subscribers": [a]}
    assert api.call("GET", f"/subscribers/{a}").get_json()["state"] == "active"

    before = len(outbox_kinds())
    resent = api.call("POST", "/subscribers/resend_confirmation", json={"subscribers": [a, c]})
    assert resent.get_json() == {"count": 1, "subscribers": [c]}
    assert len(outbox_kinds()) == before + 1

    every_slack = api.call(
        "POST", "/subscribers/reactivate", json={"subscribers": "all", "state": "all"}
    )
    assert b in every_slack.get_json()["subscribers"]

    unknown = api.call("POST", "/subscribers/unsubscribe", json={"subscribers": [a, "nope"]})
    assert unknown.status_code == 422
    assert "nope" in unknown.get_json()["errors"]["subscribers"]
    assert api.call("GET", f"/subscribers/{a}").get_json()["state"] == "active"
    empty = api.call("POST", "/subscribers/unsubscribe", json={})
    assert empty.status_code == 422
    garbage = api.call(
        "POST", "/subscribers/unsubscribe", data="[1", content_type="application/json"
    )
    assert garbage.status_code == 400


def test_quarantined_subscriber_shows_dates_and_reactivates(api: Any) -> None:
    sid = api.create(endpoint="https://hooks.example.com/q").get_json()["id"]
    from statuspage.subscribers.queries import find_subscriber

    sub = find_subscriber(sid)
    assert sub is not None
    services.quarantine(sub)
    shown = api.call("GET", f"/subscribers/{sid}").get_json()
    assert shown["state"] == "quarantined"
    assert shown["quarantined_at"] is not None
    assert shown["purge_at"] is not None
    assert api.call("GET", "/subscribers/count?state=quarantined").get_json() == {"count": 1}
    api.call("POST", "/subscribers/reactivate", json={"subscribers": "all"})
    assert api.call("GET", f"/subscribers/{sid}").get_json()["state"] == "active"


def test_incident_subscribers(api: Any) -> None:
    incident = create_incident("Slow logins", "investigating", "Looking into it.")
    path = f"/incidents/{incident.public_id}/subscribers"
    made = api.call("POST", path, json={"subscriber": {"email": "fan@example.com"}})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["scope"] == "incident"
    assert made.get_json()["incident_id"] == incident.public_id
    api.create(email="other@example.com")
    listed = api.call("GET", path + "?state=all").get_json()
    assert [s["email"] for s in listed] == ["fan@example.com"]
    assert api.call("GET", "/incidents/nope/subscribers").status_code == 404
    both = api.call(
        "POST",
        path,
        json={"subscriber": {"email": "x@example.com", "component_ids": all_component_ids()[:1]}},
    )
    assert both.status_code == 422


def test_unknown_ids_wrong_page_and_keys(api: Any, client: Any) -> None:
    missing = api.call("GET", "/subscribers/nope")
    assert missing.status_code == 404
    assert "nope" in missing.get_json()["error"]
    assert api.call("PATCH", "/subscribers/nope", json={"subscriber": {}}).status_code == 404
    assert api.call("DELETE", "/subscribers/nope").status_code == 404

    wrong_page = client.get("/api/v1/pages/nope/subscribers", headers=api.headers)
    assert wrong_page.status_code == 404
    assert "nope" in wrong_page.get_json()["error"]

    path = f"/api/v1/pages/{api.page}/subscribers"
    assert client.get(path).status_code == 401
    assert client.post(path, json={"subscriber": {"email": "a@example.com"}}).status_code == 401
    support = client.get(path, headers=_key("support@example.com"))
    assert support.status_code == 403
    assert support.get_json()["error"]
    refused = client.post(
        path, json={"subscriber": {"email": "a@example.com"}}, headers=_key("support@example.com")
    )
    assert refused.status_code == 403
    assert outbox_kinds() == []


def test_idempotent_create(api: Any) -> None:
    key = {"Idempotency-Key": "sub-1"}
    first = api.call(
        "POST", "/subscribers", json={"subscriber": {"email": "i@example.com"}}, headers=key
    )
    second = api.call(
        "POST", "/subscribers", json={"subscriber": {"email": "i@example.com"}}, headers=key
    )
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert outbox_kinds() == ["subscriber.confirmation_requested"]
