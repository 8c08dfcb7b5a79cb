"""/hooks/<kind>: real payloads in, internal incidents out; bad requests change nothing."""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from statuspage.internal.models import InternalStatus, Severity

from .payloads import (
    ALERTMANAGER_FIRING,
    GENERIC_TRIGGERED,
    GRAFANA_FIRING,
    OPSGENIE_CREATE,
    PAGERDUTY_TRIGGERED,
    alertmanager_resolved,
    basic_auth,
    body_of,
    opsgenie_action,
    pagerduty_event,
)


def integration_state(app, public_id):
    from statuspage.extensions import db
    from statuspage.internal.models import Integration

    with app.app_context():
        found = db.session.scalar(sa.select(Integration).where(Integration.public_id == public_id))
        db.session.expunge_all()
        return found


def make_component(app, name):
    from statuspage.components.services import create_component

    with app.app_context():
        return create_component(name).public_id


def by_title(incidents):
    return {i.title: i for i in incidents}


# --------------------------------------------------------------------------- Alertmanager


def test_alertmanager_group_creates_one_incident_per_alert(make_hook, send, internal):
    hook = make_hook("alertmanager")

    response = send(hook, ALERTMANAGER_FIRING)

    assert response.status_code == 202, response.text
    assert response.json == {"result": "accepted", "created": 2, "updated": 0, "replayed": 0}
    incidents = by_title(internal())
    gw1 = incidents["5xx rate above 5% on gw-1"]
    assert gw1.status is InternalStatus.TRIGGERED
    assert gw1.severity is Severity.P1
    assert gw1.source.value == "alertmanager"
    assert gw1.started_at == datetime(2026, 11, 25, 11, 50, 0, 123456, tzinfo=UTC)
    assert gw1.labels["instance"] == "gw-1:9100"
    assert {"title": "Runbook", "url": "https://runbooks.internal/high-error-rate"} in gw1.links
    [event] = gw1.events
    assert event.event_type == "triggered"
    assert event.payload["alert"]["fingerprint"] == "a1b2c3d4e5f60718"
    assert event.payload["groupKey"] == ALERTMANAGER_FIRING["groupKey"]


def test_alertmanager_resent_group_changes_nothing_and_a_resolve_resolves_one(
    make_hook, send, internal, frozen_clock
):
    hook = make_hook("alertmanager")
    send(hook, ALERTMANAGER_FIRING)
    before = internal()

    frozen_clock.advance(timedelta(minutes=5))  # repeat_interval: the whole group again
    again = send(hook, ALERTMANAGER_FIRING)

    assert again.status_code == 202
    assert again.json["replayed"] == 2
    after = internal()
    assert [(i.status, len(i.events), i.updated_at) for i in after] == [
        (i.status, len(i.events), i.updated_at) for i in before
    ]

    resolved = send(hook, alertmanager_resolved(0))

    assert resolved.json == {"result": "accepted", "created": 0, "updated": 1, "replayed": 1}
    incidents = by_title(internal())
    gw1 = incidents["5xx rate above 5% on gw-1"]
    assert gw1.status is InternalStatus.RESOLVED
    assert gw1.resolved_at == datetime(2026, 11, 25, 11, 58, tzinfo=UTC)
    assert [e.event_type for e in gw1.events] == ["triggered", "resolved"]
    assert incidents["5xx rate above 5% on gw-2"].status is InternalStatus.TRIGGERED


def test_a_truncated_alert_group_leaves_the_alerts_it_left_out_alone(make_hook, send, internal):
    hook = make_hook("alertmanager")
    send(hook, ALERTMANAGER_FIRING)
    # max_alerts=1: the resolved gw-2 alert is listed, gw-1 (still firing) is cut off.
    truncated = alertmanager_resolved(1)
    truncated["truncatedAlerts"] = 1
    truncated["alerts"] = truncated["alerts"][1:]

    response = send(hook, truncated)

    assert response.status_code == 202
    incidents = by_title(internal())
    assert incidents["5xx rate above 5% on gw-1"].status is InternalStatus.TRIGGERED
    assert len(incidents["5xx rate above 5% on gw-1"].events) == 1
    gw2 = incidents["5xx rate above 5% on gw-2"]
    assert gw2.status is InternalStatus.RESOLVED
    assert gw2.events[-1].payload["truncatedAlerts"] == 1


def test_alertmanager_basic_auth_and_mapping_rules(app, make_hook, send, internal):
    from statuspage.components.services import find_components
    from statuspage.internal.services import create_mapping_rule

    api = make_component(app, "API")
    hook = make_hook("alertmanager")
    with app.app_context():
        [component] = find_components([api])
        create_mapping_rule("service", "api-gateway", component)

    response = send(hook, ALERTMANAGER_FIRING, headers=basic_auth(hook.secret))

    assert response.status_code == 202
    for incident in internal():
        assert [c.name for c in incident.components] == ["API"]


def test_the_same_fingerprint_firing_again_later_is_a_new_incident(make_hook, send, internal):
    hook = make_hook("alertmanager")
    send(hook, ALERTMANAGER_FIRING)
    send(hook, alertmanager_resolved(0))
    later = copy.deepcopy(ALERTMANAGER_FIRING)
    later["alerts"] = later["alerts"][:1]
    later["alerts"][0]["startsAt"] = "2026-11-25T11:59:00Z"

    send(hook, later)

    gw1 = [i for i in internal() if i.title == "5xx rate above 5% on gw-1"]
    assert [i.status for i in gw1] == [InternalStatus.RESOLVED, InternalStatus.TRIGGERED]


# --------------------------------------------------------------------------- PagerDuty


def test_pagerduty_lifecycle_with_replay(make_hook, send, internal):
    hook = make_hook("pagerduty")

    assert send(hook, PAGERDUTY_TRIGGERED).status_code == 202
    ack = pagerduty_event("01ACK", "incident.acknowledged", "2026-11-25T11:56:30Z")
    assert send(hook, ack).status_code == 202
    replay = send(hook, ack)

    assert replay.status_code == 202
    assert replay.json["replayed"] == 1
    [incident] = internal()
    assert incident.external_id == "PGR0VU2"
    assert incident.status is InternalStatus.ACKNOWLEDGED
    assert incident.acknowledged_at == datetime(2026, 11, 25, 11, 56, 30, tzinfo=UTC)
    assert incident.severity is Severity.P1
    assert incident.responders == [
        {"name": "Ada Lovelace", "url": "https://acme.pagerduty.com/users/PTUXL6G"}
    ]
    assert len(incident.events) == 2

    done = pagerduty_event("01RES", "incident.resolved", "2026-11-25T12:10:00Z")
    send(hook, done)
    [incident] = internal()
    assert incident.status is InternalStatus.RESOLVED
    assert incident.resolved_at == datetime(2026, 11, 25, 12, 10, tzinfo=UTC)


def test_a_resolve_that_arrives_before_its_trigger(make_hook, send, internal):
    hook = make_hook("pagerduty")
    resolve = pagerduty_event("01RES", "incident.resolved", "2026-11-25T11:58:00Z")

    assert send(hook, resolve).status_code == 202
    [incident] = internal()
    assert incident.status is InternalStatus.RESOLVED

    # The older trigger arrives late: recorded on the timeline, does not reopen.
    assert send(hook, PAGERDUTY_TRIGGERED).status_code == 202

    [incident] = internal()
    assert incident.status is InternalStatus.RESOLVED
    assert incident.resolved_at == datetime(2026, 11, 25, 11, 58, tzinfo=UTC)
    assert incident.started_at == datetime(2026, 11, 25, 11, 55, 10, tzinfo=UTC)
    assert sorted(e.event_type for e in incident.events) == ["resolved", "triggered"]


def test_pagerduty_reopened_later_does_reopen(make_hook, send, internal):
    hook = make_hook("pagerduty")
    send(hook, PAGERDUTY_TRIGGERED)
    send(hook, pagerduty_event("01RES", "incident.resolved", "2026-11-25T11:58:00Z"))
    send(hook, pagerduty_event("01REO", "incident.reopened", "2026-11-25T11:59:00Z"))

    [incident] = internal()
    assert incident.status is InternalStatus.TRIGGERED
    assert incident.resolved_at is None


def test_bad_signature_is_403_missing_is_401_and_both_are_counted(
    app, make_hook, send, internal, caplog
):
    hook = make_hook("pagerduty")
    caplog.set_level(logging.WARNING, logger="statuspage.internal.services")

    wrong = send(hook, PAGERDUTY_TRIGGERED, secret="not-the-secret")
    missing = send(hook, PAGERDUTY_TRIGGERED, headers={})

    assert wrong.status_code == 403
    assert wrong.json["error"]
    assert missing.status_code == 401
    assert internal() == []
    state = integration_state(app, hook.public_id)
    assert state.rejected_count == 2
    assert state.last_rejected_at is not None
    assert "alert webhook refused" in caplog.text
    assert hook.secret not in caplog.text


def test_rotation_both_secrets_work_then_the_old_one_expires(app, make_hook, send, frozen_clock):
    from statuspage.internal.services import find_integration, rotate_secret

    hook = make_hook("pagerduty")
    old = hook.secret
    with app.app_context():
        new = rotate_secret(find_integration(hook.public_id))

    ack = pagerduty_event("01ACK", "incident.acknowledged", "2026-11-25T11:56:30Z")
    assert send(hook, PAGERDUTY_TRIGGERED, secret=old).status_code == 202
    assert send(hook, ack, secret=new).status_code == 202

    frozen_clock.advance(timedelta(hours=24, minutes=1))
    late = pagerduty_event("01RES", "incident.resolved", "2026-11-26T12:00:00Z")
    assert send(hook, late, secret=old).status_code == 403
    assert send(hook, late, secret=new).status_code == 202


# --------------------------------------------------------------------------- Grafana


def test_grafana_signed_with_timestamp(make_hook, send, internal, frozen_clock):
    hook = make_hook("grafana")
    now = int(frozen_clock.now.timestamp())

    fresh = send(hook, GRAFANA_FIRING, timestamp=now - 60)
    stale = send(hook, {**GRAFANA_FIRING, "title": "x"}, timestamp=now - 10 * 60)

    assert fresh.status_code == 202
    assert stale.status_code == 403
    [incident] = internal()
    assert incident.title == "Login p99 latency above 2 s"
    assert incident.severity is Severity.P3
    assert incident.labels["service"] == "login"


# --------------------------------------------------------------------------- Opsgenie


def test_opsgenie_create_acknowledge_close(make_hook, send, internal):
    hook = make_hook("opsgenie")
    created_ms = OPSGENIE_CREATE["alert"]["createdAt"]

    send(hook, OPSGENIE_CREATE)
    send(hook, opsgenie_action("Acknowledge", created_ms + 60_000, username="grace@example.com"))
    [incident] = internal()
    assert incident.status is InternalStatus.ACKNOWLEDGED
    assert incident.severity is Severity.P2
    assert {"name": "grace@example.com", "url": ""} in incident.responders

    send(hook, opsgenie_action("Close", created_ms + 120_000))
    [incident] = internal()
    assert incident.status is InternalStatus.RESOLVED
    assert len(incident.events) == 3


def test_opsgenie_wrong_secret_header(make_hook, send, internal):
    hook = make_hook("opsgenie")
    assert send(hook, OPSGENIE_CREATE, headers={"X-Webhook-Secret": "guess"}).status_code == 403
    assert internal() == []


# --------------------------------------------------------------------------- generic


def test_generic_names_its_components(app, make_hook, send, internal):
    make_component(app, "Backups")
    hook = make_hook("generic")

    response = send(hook, {**GENERIC_TRIGGERED, "components": ["Backups"]})

    assert response.status_code == 202
    [incident] = internal()
    assert [c.name for c in incident.components] == ["Backups"]
    assert incident.severity is Severity.P3


# --------------------------------------------------------------------------- refusals


def test_malformed_payload_is_400_and_writes_nothing(make_hook, send, internal):
    hook = make_hook("generic")
    response = send(hook, b'{"id": "x", "status": "melted"}')
    assert response.status_code == 400
    assert "status" in response.json["error"]
    assert send(hook, b"not json").status_code == 400
    assert internal() == []


def test_too_large_is_413_json(app, make_hook, send, internal):
    app.config["HOOKS_MAX_BODY"] = 1000
    hook = make_hook("generic")
    payload = {**GENERIC_TRIGGERED, "summary": "x" * 2000}
    response = send(hook, payload)
    assert response.status_code == 413
    assert response.json["error"] == "the body is too large"
    assert internal() == []


def test_unknown_integration_wrong_kind_and_unknown_source_are_404(make_hook, client):
    hook = make_hook("generic")
    body = body_of(GENERIC_TRIGGERED)
    assert client.post("/hooks/generic?i=nope", data=body).status_code == 404
    assert client.post(f"/hooks/pagerduty?i={hook.public_id}", data=body).status_code == 404
    response = client.post(f"/hooks/nagios?i={hook.public_id}", data=body)
    assert response.status_code == 404
    assert response.is_json
    assert client.get(hook.url).status_code == 405


def test_a_disabled_integration_refuses_alerts(app, make_hook, send, internal):
    from statuspage.internal.services import find_integration, set_integration_enabled

    hook = make_hook("generic")
    with app.app_context():
        set_integration_enabled(find_integration(hook.public_id), False)
    response = send(hook, GENERIC_TRIGGERED)
    assert response.status_code == 403
    assert "disabled" in response.json["error"]
    assert internal() == []


def test_rate_limit_per_integration_is_429_json(app, make_hook, send):
    app.config["HOOKS_RATE_LIMIT"] = "2 per minute"
    noisy, quiet = make_hook("generic", "noisy"), make_hook("generic", "quiet")
    for n in range(2):
        assert send(noisy, {**GENERIC_TRIGGERED, "id": f"a{n}"}).status_code == 202
    limited = send(noisy, {**GENERIC_TRIGGERED, "id": "a3"})
    assert limited.status_code == 429
    assert limited.is_json
    assert send(quiet, GENERIC_TRIGGERED).status_code == 202


# --------------------------------------------------------------------------- never public


@pytest.mark.usefixtures("frozen_clock")
def test_internal_incidents_never_reach_the_public_side(app, make_hook, send, client):
    hook = make_hook("pagerduty")
    send(hook, PAGERDUTY_TRIGGERED)
    title = "Checkout database connections exhausted"
    for url in (
        "/",
        "/history",
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        "/history.rss",
        "/history.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert title not in response.get_data(as_text=True), url
        assert "PGR0VU2" not in response.get_data(as_text=True), url
