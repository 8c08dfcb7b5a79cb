"""Public subscribing: the form, confirmation, SMS codes, the manage page, one-click unsubscribe,
the JSON API, no enumeration, honeypot and rate limits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.components.services import create_component, create_group
from statuspage.extensions import db
from statuspage.incidents.services import create_incident
from statuspage.notifications.models import OutboxEvent
from statuspage.subscribers.models import Scope, Subscriber, SubscriberState
from statuspage.subscribers.tokens import make_token

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SECRET = re.compile(r'id="webhook-secret">(whsec_[0-9a-f]{64})<')
WEBHOOK = "https://hooks.example.com/status"
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"


@pytest.fixture
def world(app_ctx: Any) -> dict[str, str]:
    """Two groups' worth of components: API and Dashboard in Core, Docs on its own."""
    core = create_group("Core")
    api = create_component("API", group=core)
    dashboard = create_component("Dashboard", group=core)
    docs = create_component("Docs")
    ids = {
        "core": core.public_id,
        "api": api.public_id,
        "dash": dashboard.public_id,
        "docs": docs.public_id,
    }
    db.session.remove()
    return ids


def csrf_from(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_subscribe(client: Any, **fields: Any) -> Any:
    page = client.get("/subscribe")
    data = {
        "csrf_token": csrf_from(page.text),
        "channel": "email",
        "scope": "all",
        "events": ["incidents", "maintenance", "component_status", "postmortems"],
        "language": "en",
        **fields,
    }
    return client.post("/subscribe", data=data)


def subscribers() -> list[Subscriber]:
    db.session.remove()
    return list(db.session.scalars(sa.select(Subscriber).order_by(Subscriber.id)))


def outbox() -> list[OutboxEvent]:
    db.session.remove()
    return list(db.session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id)))


def main_text(html: str) -> str:
    """The page's <main>, which must not depend on whether an address existed."""
    start = html.index("<main")
    return html[start : html.index("</main>")]


# -- the form ----------------------------------------------------------------------------


def test_form_offers_every_public_channel_components_and_groups(client: Any, world: Any) -> None:
    page = client.get("/subscribe")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    for channel in ("email", "sms", "webhook", "slack", "teams", "discord", "googlechat"):
        assert f'value="{channel}"' in page.text
    assert 'value="apprise"' not in page.text
    assert f'name="groups" value="{world["core"]}"' in page.text
    for key in ("api", "dash", "docs"):
        assert f'name="components" value="{world[key]}"' in page.text
    assert 'name="website"' in page.text  # the honeypot
    front = client.get("/")
    assert "Subscribe to updates" in front.text


def test_email_with_chosen_components_and_group(client: Any, world: Any) -> None:
    answer = post_subscribe(
        client,
        target=" Ada@Example.com ",
        scope="components",
        components=[world["docs"]],
        groups=[world["core"]],
        events=["incidents"],
    )
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    (sub,) = subscribers()
    assert sub.target == "ada@example.com"
    assert sub.state is SubscriberState.UNCONFIRMED
    assert sub.scope is Scope.COMPONENTS
    assert [c.public_id for c in sub.components] == [world["docs"]]
    assert [g.public_id for g in sub.groups] == [world["core"]]
    assert [k.value for k in sub.kinds] == ["incidents"]
    assert sub.language == "en"
    assert [e.kind for e in outbox()] == ["subscriber.confirmation_requested"]


@pytest.mark.parametrize(
    ("channel", "target", "heading"),
    [
        ("sms", "+14155550123", "We sent a code"),
        ("slack", SLACK, "Done"),
        ("teams", "https://acme.webhook.office.com/webhookb2/abc", "Done"),
        ("discord", "https://discord.com/api/webhooks/123/abc", "Done"),
        ("googlechat", "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t", "Done"),
        ("webhook", WEBHOOK, "Done"),
    ],
)
def test_each_channel(client: Any, world: Any, channel: str, target: str, heading: str) -> None:
    answer = post_subscribe(client, channel=channel, target=target)
    assert answer.status_code == 200, answer.text
    assert heading in answer.text
    (sub,) = subscribers()
    assert sub.channel.value == channel
    expected = SubscriberState.UNCONFIRMED if channel == "sms" else SubscriberState.ACTIVE
    assert sub.state is expected
    assert bool(_SECRET.search(answer.text)) is (channel == "webhook")


@pytest.mark.parametrize(
    ("channel", "target", "message"),
    [
        ("email", "not-an-address", "Enter a valid email address"),
        ("email", "", "Enter an address to send updates to."),
        ("sms", "12345", "international form"),
        ("slack", "https://example.com/hook", "not a Slack incoming-webhook URL"),
        ("webhook", "ftp://example.com", "full http:// or https:// URL"),
        ("webhook", "http://127.0.0.1/hook", "private network"),
        ("email", "a" * 2001 + "@example.com", "Use at most 2000 characters."),
        ("apprise", "json://example.com", "Not a valid choice"),
    ],
)
def test_validation_messages(
    client: Any, world: Any, channel: str, target: str, message: str
) -> None:
    answer = post_subscribe(client, channel=channel, target=target)
    assert answer.status_code == 400
    assert message in answer.text
    assert subscribers() == []


def test_choosing_components_needs_one_and_unknown_ones_are_refused(
    client: Any, world: Any
) -> None:
    none = post_subscribe(client, target="a@example.com", scope="components")
    assert none.status_code == 400
    assert "Choose at least one component or group" in none.text
    unknown = post_subscribe(
        client, target="a@example.com", scope="components", components=["nope"]
    )
    assert unknown.status_code == 400
    assert "not a valid choice" in unknown.text
    no_kind = post_subscribe(client, target="a@example.com", events=[])
    assert no_kind.status_code == 400
    assert "Choose at least one kind of update." in no_kind.text
    assert subscribers() == []


def test_csrf_is_required_on_subscribe(client: Any, world: Any) -> None:
    answer = client.post(
        "/subscribe",
        data={
            "channel": "email",
            "target": "a@example.com",
            "scope": "all",
            "events": ["incidents"],
        },
    )
    assert answer.status_code == 400
    assert "This form was open too long" in answer.text
    assert subscribers() == []


def test_honeypot_answers_success_and_stores_nothing(client: Any, world: Any) -> None:
    answer = post_subscribe(client, target="bot@example.com", website="http://spam.example")
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    assert subscribers() == []
    assert outbox() == []


def test_no_enumeration_same_page_for_new_and_existing(client: Any, world: Any) -> None:
    first = post_subscribe(client, target="ada@example.com")
    again = post_subscribe(client, target="ada@example.com")
    assert main_text(first.text) == main_text(again.text)
    # Confirmed and asked again by someone else: still the same page, nothing changes.
    (sub,) = subscribers()
    client.post(f"/subscriptions/confirm/{make_token(sub, 'confirm')}")
    third = post_subscribe(
        client, target="ada@example.com", scope="components", components=[world["api"]]
    )
    assert main_text(third.text) == main_text(first.text)
    (sub,) = subscribers()
    assert sub.state is SubscriberState.ACTIVE
    assert sub.scope is Scope.ALL


def test_webhook_secret_is_shown_for_new_and_existing_endpoints(client: Any, world: Any) -> None:
    first = post_subscribe(client, channel="webhook", target=WEBHOOK)
    again = post_subscribe(client, channel="webhook", target=WEBHOOK)
    real = _SECRET.search(first.text)
    decoy = _SECRET.search(again.text)
    assert real
    assert decoy
    assert real.group(1) != decoy.group(1)
    strip = _SECRET.sub("", main_text(first.text))
    assert strip == _SECRET.sub("", main_text(again.text))
    from statuspage.subscribers.services import webhook_secret

    (sub,) = subscribers()
    assert webhook_secret(sub) == real.group(1)


def test_follow_one_incident(client: Any, world: Any) -> None:
    incident_id = create_incident("Slow API", "investigating", "Looking.").public_id
    db.session.remove()
    detail = client.get(f"/incidents/{incident_id}")
    assert f"/subscribe?incident={incident_id}" in detail.text
    assert "Follow this incident" in detail.text
    page = client.get(f"/subscribe?incident={incident_id}")
    assert "Slow API" in page.text
    answer = client.post(
        "/subscribe",
        data={
            "csrf_token": csrf_from(page.text),
            "channel": "email",
            "target": "b@example.com",
            "incident": incident_id,
            "events": ["incidents"],
            "language": "en",
        },
    )
    assert answer.status_code == 200, answer.text
    (sub,) = subscribers()
    assert sub.scope is Scope.INCIDENT
    assert sub.incident is not None
    assert sub.incident.public_id == incident_id


# -- rate limits -------------------------------------------------------------------------


def test_rate_limit_per_address_answers_429_with_retry_after(
    client: Any, world: Any, app: Any
) -> None:
    for _ in range(3):
        assert post_subscribe(client, target="ada@example.com").status_code == 200
    limited = post_subscribe(client, target="ADA@example.com ")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "sent too often" in limited.text
    # Another address from the same client still works.
    assert post_subscribe(client, target="bob@example.com").status_code == 200


def test_rate_limit_per_client_address(client: Any, world: Any, app: Any) -> None:
    app.config["SUBSCRIBE_RATE_LIMIT"] = "2 per hour"
    assert post_subscribe(client, target="a@example.com").status_code == 200
    assert post_subscribe(client, target="b@example.com").status_code == 200
    limited = post_subscribe(client, target="c@example.com")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    # The JSON API shares the budget.
    api = client.post("/api/v2/subscribers.json", json={"subscriber": {"email": "d@example.com"}})
    assert api.status_code == 429
    assert "wait a while" in api.get_json()["error"]


# -- confirmation ------------------------------------------------------------------------


def test_confirm_link_get_shows_a_button_post_confirms(client: Any, world: Any) -> None:
    post_subscribe(client, target="ada@example.com")
    (sub,) = subscribers()
    token = make_token(sub, "confirm")
    page = client.get(f"/subscriptions/confirm/{token}")
    assert page.status_code == 200
    assert "Confirm subscription" in page.text
    assert subscribers()[0].state is SubscriberState.UNCONFIRMED  # a prefetch changes nothing
    done = client.post(f"/subscriptions/confirm/{token}")
    assert done.status_code == 200
    assert "Subscription confirmed" in done.text
    assert subscribers()[0].state is SubscriberState.ACTIVE
    assert "/subscriptions/" in done.text  # the manage link
    # Confirming twice is harmless.
    assert client.post(f"/subscriptions/confirm/{token}").status_code == 200


def test_expired_confirm_link_offers_a_new_one(client: Any, world: Any, frozen_clock: Any) -> None:
    post_subscribe(client, target="ada@example.com")
    (sub,) = subscribers()
    token = make_token(sub, "confirm")
    frozen_clock.advance(timedelta(days=8))
    page = client.get(f"/subscriptions/confirm/{token}")
    assert page.status_code == 400
    assert "This link has expired" in page.text
    assert "Send a new link" in page.text
    before = len(outbox())
    resent = client.post(
        "/subscriptions/resend",
        data={"csrf_token": csrf_from(page.text), "email": "Ada@example.com"},
    )
    assert resent.status_code == 200
    assert "we sent it a new link" in resent.text
    assert len(outbox()) == before + 1
    # An unknown address gets the same answer and nothing is sent.
    unknown = client.post(
        "/subscriptions/resend", data={"csrf_token": csrf_from(page.text), "email": "x@example.com"}
    )
    assert main_text(unknown.text) == main_text(resent.text)
    assert len(outbox()) == before + 1


def test_invalid_confirm_link(client: Any, world: Any) -> None:
    page = client.get("/subscriptions/confirm/garbage")
    assert page.status_code == 400
    assert "This link is not valid" in page.text


def test_sms_code_confirms_and_attempts_are_limited(client: Any, world: Any) -> None:
    answer = post_subscribe(client, channel="sms", target="+14155550123")
    code_url = re.search(r'href="(/subscriptions/[^"]+/code)"', answer.text)
    assert code_url
    (event,) = outbox()
    code = event.payload["code"]
    form = client.get(code_url.group(1))
    assert form.status_code == 200
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post(code_url.group(1), data={"code": wrong})
    assert bad.status_code == 400
    assert "This code is wrong or has expired" in bad.text
    good = client.post(code_url.group(1), data={"code": code})
    assert good.status_code == 200
    assert "Subscription confirmed" in good.text
    assert subscribers()[0].state is SubscriberState.ACTIVE
    # The email-style link cannot confirm an SMS subscriber without the code.
    confirm = make_token(subscribers()[0], "confirm")
    assert client.post(f"/subscriptions/confirm/{confirm}").status_code == 302
    # After a confirmation the page answers like a wrong code (it tells nobody who is subscribed).
    for _ in range(3):
        assert client.post(code_url.group(1), data={"code": code}).status_code == 400
    limited = client.post(code_url.group(1), data={"code": code})
    assert limited.status_code == 429


# -- manage and unsubscribe --------------------------------------------------------------


def test_manage_page_edits_choices_with_csrf(client: Any, world: Any) -> None:
    post_subscribe(client, target="ada@example.com")
    (sub,) = subscribers()
    url = f"/subscriptions/{make_token(sub, 'manage')}"
    page = client.get(url)
    assert page.status_code == 200
    assert "ada@example.com" in page.text
    no_csrf = client.post(
        url,
        data={
            "scope": "components",
            "components": [world["api"]],
            "events": ["incidents"],
            "language": "en",
        },
    )
    assert no_csrf.status_code == 400
    assert subscribers()[0].scope is Scope.ALL
    saved = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "scope": "components",
            "components": [world["api"]],
            "events": ["incidents", "postmortems"],
            "language": "en",
        },
    )
    assert saved.status_code == 200
    assert "Your choices are saved." in saved.text
    sub = subscribers()[0]
    assert sub.scope is Scope.COMPONENTS
    assert [c.public_id for c in sub.components] == [world["api"]]
    assert sorted(k.value for k in sub.kinds) == ["incidents", "postmortems"]
    back = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "scope": "all",
            "events": ["incidents"],
            "language": "en",
        },
    )
    assert back.status_code == 200
    assert subscribers()[0].scope is Scope.ALL
    # A manage link cannot unsubscribe and vice versa (purpose-bound tokens).
    assert client.get(f"/unsubscribe/{make_token(sub, 'manage')}").status_code == 400
    assert client.get(f"/subscriptions/{make_token(sub, 'unsubscribe')}").status_code == 400


def test_one_click_unsubscribe_needs_no_cookie_or_csrf_and_is_idempotent(
    app: Any, world: Any, client: Any
) -> None:
    post_subscribe(client, target="ada@example.com")
    (sub,) = subscribers()
    url = f"/unsubscribe/{make_token(sub, 'unsubscribe')}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop sending updates to ada@example.com?" in page.text
    assert subscribers()[0].state is SubscriberState.UNCONFIRMED
    bare = app.test_client(use_cookies=False)
    for _ in range(2):
        done = bare.post(
            url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert done.status_code == 200
        assert "You are unsubscribed" in done.text
    assert subscribers()[0].state is SubscriberState.UNSUBSCRIBED
    assert client.get(url).status_code == 200
    bad = bare.post("/unsubscribe/garbage", data="List-Unsubscribe=One-Click")
    assert bad.status_code == 400


# -- JSON API ----------------------------------------------------------------------------


def test_api_subscribe_is_neutral_and_cors_open(client: Any, world: Any) -> None:
    body = {"subscriber": {"email": "ada@example.com", "components": [world["api"]]}}
    first = client.post("/api/v2/subscribers.json", json=body)
    again = client.post("/api/v2/subscribers.json", json=body)
    assert first.status_code == again.status_code == 202
    assert first.data == again.data
    assert first.get_json()["status"] == "confirmation_sent"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    (sub,) = subscribers()
    assert [c.public_id for c in sub.components] == [world["api"]]
    pre = client.options(
        "/api/v2/subscribers.json",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert pre.status_code == 204
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_api_webhook_gets_a_secret_every_time(client: Any, world: Any) -> None:
    body = {"subscriber": {"endpoint": WEBHOOK}}
    first = client.post("/api/v2/subscribers.json", json=body).get_json()
    again = client.post("/api/v2/subscribers.json", json=body).get_json()
    assert first["status"] == again["status"] == "active"
    assert first["webhook_secret"].startswith("whsec_")
    assert again["webhook_secret"].startswith("whsec_")
    assert set(first) == set(again)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"subscriber": {"email": "nope"}}, 422, "Enter a valid email address"),
        (
            {"subscriber": {"email": "a@example.com", "components": ["zzz"]}},
            422,
            "one of them is unknown",
        ),
        ({"subscriber": {}}, 422, '{"subscriber"'),
        (
            {"subscriber": {"email": "a@example.com", "incident_id": "zzz"}},
            422,
            "No incident with this id",
        ),
        ({"subscriber": {"email": "a" * 20000 + "@example.com"}}, 413, "too large"),
    ],
)
def test_api_errors_are_json_with_messages(
    client: Any, world: Any, body: Any, status: int, message: str
) -> None:
    answer = client.post("/api/v2/subscribers.json", json=body)
    assert answer.status_code == status
    assert message in answer.get_json()["error"]
    assert subscribers() == []


def test_api_refuses_bodies_that_are_not_json(client: Any, world: Any) -> None:
    answer = client.post(
        "/api/v2/subscribers.json",
        data="email=a@example.com",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 415
    broken = client.post("/api/v2/subscribers.json", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert "not valid JSON" in broken.get_json()["error"]
