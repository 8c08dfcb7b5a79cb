"""Subscriber use cases: subscribe without enumeration, lifecycle, choices, outbox, audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.services import create_component, create_group
from statuspage.db import unit_of_work
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.incidents.services import create_incident
from statuspage.notifications.models import OutboxEvent
from statuspage.subscribers import queries, services
from statuspage.subscribers.models import (
    Channel,
    EventKind,
    Scope,
    Subscriber,
    SubscriberState,
)
from statuspage.subscribers.services import Outcome, subscribe

WEBHOOK = "https://hooks.example.com/status"


def outbox() -> list[OutboxEvent]:
    # Subscriber events only: incidents and components write their own notification events.
    query = sa.select(OutboxEvent).where(OutboxEvent.kind.like("subscriber.%"))
    return list(db.session.scalars(query.order_by(OutboxEvent.id)))


def subscribers() -> list[Subscriber]:
    return list(db.session.scalars(sa.select(Subscriber).order_by(Subscriber.id)))


def test_email_waits_for_confirmation_and_asks_for_it_in_the_outbox(app_ctx: Any) -> None:
    result = subscribe("email", " Ada@Example.com ")

    assert result.outcome is Outcome.CONFIRMATION_SENT
    assert result.created is True
    sub = result.subscriber
    assert sub.target == "ada@example.com"
    assert sub.state is SubscriberState.UNCONFIRMED
    assert sub.scope is Scope.ALL
    assert sub.kinds == frozenset(EventKind)
    assert sub.confirmed_at is None
    (event,) = outbox()
    assert event.kind == "subscriber.confirmation_requested"
    assert event.payload == {"subscriber_id": sub.public_id, "channel": "email"}
    assert event.processed_at is None
    audit = db.session.scalars(sa.select(AuditEntry)).one()
    assert audit.action == "subscriber.create"
    # The audit log outlives the subscriber: it keeps no full address.
    assert "ada@example.com" not in str(audit.after)


def test_sms_stores_only_a_hash_of_the_code_and_confirms_with_it(
    app_ctx: Any, frozen_clock: Any
) -> None:
    sub = subscribe("sms", "+49 30 1234 5678", phone_country="de").subscriber
    (event,) = outbox()
    code = event.payload["code"]
    assert len(code) == 6
    assert sub.phone_country == "DE"
    assert sub.confirmation_code_hash is not None
    assert code not in sub.confirmation_code_hash

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as caught:
        services.confirm_code(sub, wrong)
    assert "code" in caught.value.errors
    services.confirm_code(sub, code)
    assert sub.state is SubscriberState.ACTIVE
    assert sub.confirmation_code_hash is None


def test_sms_code_expires(app_ctx: Any, frozen_clock: Any) -> None:
    sub = subscribe("sms", "+14155550123").subscriber
    code = outbox()[0].payload["code"]
    frozen_clock.advance(services.SMS_CODE_MAX_AGE + timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.confirm_code(sub, code)
    assert sub.state is SubscriberState.UNCONFIRMED


def test_webhook_starts_active_with_a_secret_shown_once_and_a_ping(app_ctx: Any) -> None:
    result = subscribe("webhook", WEBHOOK)

    assert result.outcome is Outcome.ACTIVE
    assert result.subscriber.state is SubscriberState.ACTIVE
    assert result.webhook_secret is not None
    assert result.webhook_secret.startswith("whsec_")
    # Only a salt is stored; the secret is derived when signing.
    assert result.webhook_secret not in str(result.subscriber.webhook_secret_salt)
    assert services.webhook_secret(result.subscriber) == result.webhook_secret
    assert [e.kind for e in outbox()] == ["subscriber.webhook_created"]

    again = subscribe("webhook", WEBHOOK)
    assert again.webhook_secret is None
    assert again.subscriber.id == result.subscriber.id


@pytest.mark.parametrize(
    ("channel", "url"),
    [
        ("slack", "https://hooks.slack.com/services/T1/B2/c3"),
        ("discord", "https://discord.com/api/webhooks/1/abc"),
    ],
)
def test_chat_channels_start_active_without_outbox(app_ctx: Any, channel: str, url: str) -> None:
    result = subscribe(channel, url)
    assert result.outcome is Outcome.ACTIVE
    assert result.subscriber.state is SubscriberState.ACTIVE
    assert result.webhook_secret is None
    assert outbox() == []


def test_staff_may_skip_confirmation(app_ctx: Any) -> None:
    result = subscribe("email", "ops@example.com", skip_confirmation=True, staff=True)
    assert result.outcome is Outcome.ACTIVE
    assert result.subscriber.state is SubscriberState.ACTIVE
    assert result.subscriber.skip_confirmation is True
    assert outbox() == []


@pytest.mark.parametrize("state", ["unconfirmed", "active", "quarantined"])
def test_no_enumeration_same_outcome_for_new_and_existing(app_ctx: Any, state: str) -> None:
    first = subscribe("email", "known@example.com")
    if state != "unconfirmed":
        services.confirm(first.subscriber)
    if state == "quarantined":
        services.quarantine(first.subscriber)
    fresh = subscribe("email", "new@example.com")

    again = subscribe("email", "KNOWN@example.com")

    assert again.outcome == fresh.outcome == Outcome.CONFIRMATION_SENT
    assert again.subscriber.id == first.subscriber.id
    assert len([s for s in subscribers() if s.target == "known@example.com"]) == 1


def test_public_request_cannot_change_a_confirmed_subscription(app_ctx: Any) -> None:
    api = create_component("API")
    sub = subscribe("email", "me@example.com", components=[api]).subscriber
    services.confirm(sub)
    before = len(outbox())

    subscribe("email", "me@example.com", kinds={EventKind.MAINTENANCE})

    assert sub.scope is Scope.COMPONENTS
    assert [c.name for c in sub.components] == ["API"]
    assert sub.kinds == frozenset(EventKind)
    assert len(outbox()) == before


def test_resubscribing_while_unconfirmed_takes_new_choices_and_asks_again(app_ctx: Any) -> None:
    api = create_component("API")
    sub = subscribe("email", "me@example.com").subscriber

    subscribe("email", "me@example.com", components=[api], kinds={EventKind.INCIDENTS})

    assert sub.scope is Scope.COMPONENTS
    assert sub.kinds == {EventKind.INCIDENTS}
    assert [e.kind for e in outbox()] == ["subscriber.confirmation_requested"] * 2


def test_unsubscribed_address_may_subscribe_again(app_ctx: Any) -> None:
    old = subscribe("email", "me@example.com").subscriber
    services.unsubscribe(old)
    new = subscribe("email", "me@example.com").subscriber
    assert new.id != old.id
    assert new.state is SubscriberState.UNCONFIRMED


def test_database_refuses_two_live_rows_for_one_address(app_ctx: Any) -> None:
    subscribe("email", "me@example.com")
    with pytest.raises(sa.exc.IntegrityError), unit_of_work() as session:
        session.add(Subscriber(channel=Channel.EMAIL, target="me@example.com"))
    # Unsubscribed rows do not count.
    with unit_of_work() as session:
        session.add(
            Subscriber(
                channel=Channel.EMAIL,
                target="me@example.com",
                state=SubscriberState.UNSUBSCRIBED,
            )
        )
    # The same address on another channel is another subscription.
    assert subscribe("webhook", "https://example.com/me@example.com").created


def test_outbox_row_is_written_in_the_same_transaction(app_ctx: Any) -> None:
    class Boom(Exception):
        pass

    def subscribe_then_fail() -> None:
        with unit_of_work():
            subscribe("email", "me@example.com")
            raise Boom

    with pytest.raises(Boom):
        subscribe_then_fail()
    assert subscribers() == []
    assert outbox() == []

    with unit_of_work():
        subscribe("email", "me@example.com")
    assert len(subscribers()) == 1
    assert len(outbox()) == 1


def test_group_choice_includes_components_added_later(app_ctx: Any) -> None:
    core = create_group("Core")
    api = create_component("API", group=core)
    other = create_component("Billing")
    sub = subscribe("webhook", WEBHOOK, groups=[core]).subscriber

    later = create_component("Search", group=core)

    names = [c.name for c in queries.followed_components(sub)]
    assert names == ["API", "Search"]
    assert sub in queries.subscribers_following(later)
    assert sub in queries.subscribers_following(api)
    assert sub not in queries.subscribers_following(other)


def test_scope_all_follows_everything_and_incident_scope_one_incident(app_ctx: Any) -> None:
    api = create_component("API")
    everyone = subscribe("webhook", WEBHOOK).subscriber
    incident = create_incident("Slow", "investigating", "Looking.", {api: "degraded_performance"})
    follower = subscribe("webhook", WEBHOOK + "/2", incident=incident).subscriber

    assert everyone in queries.subscribers_following(api)
    assert follower not in queries.subscribers_following(api)
    assert follower.scope is Scope.INCIDENT
    assert [c.name for c in queries.followed_components(follower)] == ["API"]
    with pytest.raises(ValidationError) as caught:
        subscribe("webhook", WEBHOOK + "/3", incident=incident, components=[api])
    assert "components" in caught.value.errors


def test_unsubscribe_is_idempotent_and_sets_purge_date(app_ctx: Any, frozen_clock: Any) -> None:
    sub = subscribe("email", "me@example.com").subscriber
    services.unsubscribe(sub)
    first = (sub.unsubscribed_at, sub.purge_at)
    frozen_clock.advance(timedelta(hours=1))
    services.unsubscribe(sub)

    assert sub.state is SubscriberState.UNSUBSCRIBED
    assert (sub.unsubscribed_at, sub.purge_at) == first
    assert sub.purge_at == frozen_clock.now - timedelta(hours=1) + services.PURGE_AFTER_UNSUBSCRIBE
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("subscriber.unsubscribe") == 1
    with pytest.raises(ValidationError):
        services.confirm(sub)


def test_quarantine_and_reactivate(app_ctx: Any, frozen_clock: Any) -> None:
    sub = subscribe("webhook", WEBHOOK).subscriber
    sub.failure_count = 5
    services.quarantine(sub)
    assert sub.state is SubscriberState.QUARANTINED
    assert sub.quarantined_at == frozen_clock.now
    assert sub.purge_at is not None

    services.reactivate(sub)
    assert sub.state is SubscriberState.ACTIVE
    assert (sub.quarantined_at, sub.purge_at, sub.failure_count) == (None, None, 0)


def test_reactivate_refuses_when_the_address_subscribed_again(app_ctx: Any) -> None:
    old = subscribe("email", "me@example.com").subscriber
    services.unsubscribe(old)
    subscribe("email", "me@example.com")
    with pytest.raises(ValidationError):
        services.reactivate(old)
    assert old.state is SubscriberState.UNSUBSCRIBED


def test_resend_confirmation_only_for_unconfirmed(app_ctx: Any) -> None:
    pending = subscribe("email", "me@example.com").subscriber
    active = subscribe("webhook", WEBHOOK).subscriber
    assert services.resend_confirmation(pending) is True
    assert services.resend_confirmation(active) is False
    kinds = [e.kind for e in outbox()]
    assert kinds.count("subscriber.confirmation_requested") == 2


def test_update_subscriber_changes_choices_and_language(app_ctx: Any) -> None:
    api = create_component("API")
    core = create_group("Core")
    sub = subscribe("webhook", WEBHOOK, language="de").subscriber

    services.update_subscriber(sub, components=[api], groups=[core], kinds={EventKind.POSTMORTEMS})
    assert sub.scope is Scope.COMPONENTS
    assert sub.kinds == {EventKind.POSTMORTEMS}
    assert sub.language == "de"
    services.update_subscriber(sub, components=[], groups=[], language="pt-br")
    assert sub.scope is Scope.ALL
    assert sub.language == "pt_BR"
    with pytest.raises(ValidationError) as caught:
        services.update_subscriber(sub, kinds=set())
    assert "events" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        services.update_subscriber(sub, language="not a language")
    assert "language" in caught.value.errors


def test_delete_and_count(app_ctx: Any) -> None:
    a = subscribe("email", "a@example.com").subscriber
    subscribe("webhook", WEBHOOK)
    subscribe("email", "b@example.com", skip_confirmation=True, staff=True)

    assert services.count_subscribers() == 3
    assert services.count_subscribers(state=SubscriberState.ACTIVE) == 2
    assert services.count_subscribers(channel=Channel.EMAIL) == 2
    assert services.count_subscribers(SubscriberState.UNCONFIRMED, Channel.EMAIL) == 1
    counts = queries.counts_by_state_and_channel()
    assert counts[(SubscriberState.ACTIVE, Channel.WEBHOOK)] == 1

    services.delete_subscriber(a)
    assert services.count_subscribers() == 2
    assert queries.find_subscriber(a.public_id) is None


def test_bad_type_is_named(app_ctx: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        subscribe("pigeon", "coo")
    assert "type" in caught.value.errors


def test_deleting_followed_things_leaves_no_dangling_choices(app_ctx: Any) -> None:
    from statuspage.components.services import delete_component, delete_group
    from statuspage.incidents.services import delete_incident
    from statuspage.subscribers.models import subscriber_component, subscriber_component_group

    core = create_group("Core")
    api = create_component("API")
    sub = subscribe("webhook", WEBHOOK, components=[api], groups=[core]).subscriber
    incident = create_incident("Slow", "investigating", "Looking.")
    fan = subscribe("webhook", WEBHOOK + "/fan", incident=incident).subscriber
    fan_id = fan.public_id

    delete_component(api)
    delete_group(core)
    delete_incident(incident)
    db.session.expire_all()

    for table in (subscriber_component, subscriber_component_group):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
    assert queries.find_subscriber(fan_id) is None
    assert queries.find_subscriber(sub.public_id) is not None
    # An id reused by a new component must not be followed by accident.
    assert sub not in queries.subscribers_following(create_component("New"))


# -- purge -------------------------------------------------------------------------------------


def _worker_tick() -> dict[str, int]:
    from statuspage.worker.loop import Worker

    return dict(Worker(worker_id="test:purge").tick().done)


def test_worker_purges_unsubscribed_and_quarantined_addresses_when_due(
    app_ctx: Any, frozen_clock: Any
) -> None:
    from statuspage.notifications.models import Delivery

    leaving = services.subscribe(
        "email", "leaving@example.com", skip_confirmation=True, staff=True
    ).subscriber
    failing = services.subscribe(
        "email", "failing@example.com", skip_confirmation=True, staff=True
    ).subscriber
    staying = services.subscribe(
        "email", "staying@example.com", skip_confirmation=True, staff=True
    ).subscriber
    create_incident("Login is down", "investigating", "We are looking into it.")
    _worker_tick()  # plans and sends the incident's deliveries (no SMTP here: they fail)
    deliveries_before = db.session.scalar(sa.select(sa.func.count()).select_from(Delivery))
    assert deliveries_before >= 3
    services.unsubscribe(leaving)
    services.quarantine(failing)

    frozen_clock.advance(services.PURGE_AFTER_UNSUBSCRIBE - timedelta(minutes=1))
    _worker_tick()
    assert {s.target for s in subscribers()} == {
        "leaving@example.com",
        "failing@example.com",
        "staying@example.com",
    }
    frozen_clock.advance(timedelta(minutes=2))
    assert _worker_tick()["subscribers.purge"] == 1
    assert {s.target for s in subscribers()} == {"failing@example.com", "staying@example.com"}
    frozen_clock.advance(services.PURGE_AFTER_QUARANTINE)
    _worker_tick()
    assert [s.target for s in subscribers()] == ["staying@example.com"]
    assert staying.state is SubscriberState.ACTIVE
    # The delivery report keeps its counts; only the address is gone.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == deliveries_before
    purge = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "subscriber.purge")
    ).all()
    assert [entry.after for entry in purge] == [{"count": 1}, {"count": 1}]
    assert "leaving@example.com" not in str([(e.before, e.after) for e in purge])


def test_unconfirmed_address_is_forgotten_after_its_link_expired(
    app_ctx: Any, frozen_clock: Any
) -> None:
    from statuspage.subscribers.tokens import CONFIRM_MAX_AGE

    services.subscribe("email", "never@example.com")
    frozen_clock.advance(CONFIRM_MAX_AGE)
    later = services.subscribe("email", "later@example.com").subscriber
    frozen_clock.advance(timedelta(days=1, minutes=1))
    assert services.purge_subscribers(frozen_clock.now) == 1
    assert [s.target for s in subscribers()] == [later.target]


def test_resubscribing_before_the_purge_keeps_the_address(app_ctx: Any, frozen_clock: Any) -> None:
    sub = services.subscribe(
        "email", "back@example.com", skip_confirmation=True, staff=True
    ).subscriber
    services.unsubscribe(sub)
    services.reactivate(sub)
    frozen_clock.advance(services.PURGE_AFTER_UNSUBSCRIBE * 2)
    assert services.purge_subscribers(frozen_clock.now) == 0
    assert sub.state is SubscriberState.ACTIVE
