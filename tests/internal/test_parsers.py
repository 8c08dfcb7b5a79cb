"""Each source's real payload shape becomes the alerts a person would expect (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from statuspage.internal.models import IntegrationKind, InternalStatus, Severity
from statuspage.internal.parsers import (
    PayloadError,
    parse,
    redact,
    severity_from_matrix,
    severity_from_text,
)

from .payloads import (
    ALERTMANAGER_FIRING,
    GENERIC_TRIGGERED,
    GRAFANA_FIRING,
    OPSGENIE_CREATE,
    PAGERDUTY_TRIGGERED,
    alertmanager_resolved,
    body_of,
    opsgenie_action,
    pagerduty_event,
)


def test_alertmanager_group_gives_one_alert_per_fingerprint_since_its_start():
    first, second = parse(IntegrationKind.ALERTMANAGER, body_of(ALERTMANAGER_FIRING))

    assert first.external_id.startswith("a1b2c3d4e5f60718@2026-11-25T11:50:00.123456")
    assert second.external_id.startswith("b2c3d4e5f6071829@")
    assert first.status is InternalStatus.TRIGGERED
    assert first.title == "5xx rate above 5% on gw-1"
    assert first.severity is Severity.P1  # severity="critical"
    assert first.labels["service"] == "api-gateway"
    assert first.occurred_at == datetime(2026, 11, 25, 11, 50, 0, 123456, tzinfo=UTC)
    assert {link["title"] for link in first.links} == {"Source", "Runbook"}
    assert first.dedup_key != second.dedup_key


def test_alertmanager_resend_has_the_same_dedup_keys_and_a_resolve_has_new_ones():
    again = parse(IntegrationKind.ALERTMANAGER, body_of(ALERTMANAGER_FIRING))
    once = parse(IntegrationKind.ALERTMANAGER, body_of(ALERTMANAGER_FIRING))
    resolved = parse(IntegrationKind.ALERTMANAGER, body_of(alertmanager_resolved(0)))

    assert [a.dedup_key for a in again] == [a.dedup_key for a in once]
    assert resolved[0].status is InternalStatus.RESOLVED
    assert resolved[0].external_id == once[0].external_id
    assert resolved[0].dedup_key != once[0].dedup_key
    assert resolved[0].occurred_at == datetime(2026, 11, 25, 11, 58, tzinfo=UTC)
    assert resolved[1].dedup_key == once[1].dedup_key


def test_alertmanager_newer_fields_are_ignored():
    payload = {**ALERTMANAGER_FIRING, "somethingNew": {"x": 1}}
    assert len(parse(IntegrationKind.ALERTMANAGER, body_of(payload))) == 2


def test_grafana_alert_keeps_its_dashboard_links_and_warning_severity():
    [alert] = parse(IntegrationKind.GRAFANA, body_of(GRAFANA_FIRING))

    assert alert.title == "Login p99 latency above 2 s"
    assert alert.severity is Severity.P3
    assert alert.labels["service"] == "login"
    titles = {link["title"] for link in alert.links}
    assert {"Dashboard", "Panel", "Silence", "Source"} <= titles
    assert alert.raw["orgId"] == 1


def test_pagerduty_incident_event_uses_priority_assignees_and_event_id():
    [alert] = parse(IntegrationKind.PAGERDUTY, body_of(PAGERDUTY_TRIGGERED))

    assert alert.external_id == "PGR0VU2"
    assert alert.dedup_key == "01DEN4HPBQAJYTNWQFPRXHKVVF"
    assert alert.status is InternalStatus.TRIGGERED
    assert alert.severity is Severity.P1
    assert alert.title == "Checkout database connections exhausted"
    assert alert.labels == {"service": "checkout", "urgency": "high"}
    assert alert.responders == [
        {"name": "Ada Lovelace", "url": "https://acme.pagerduty.com/users/PTUXL6G"}
    ]
    assert alert.links == [
        {"title": "PagerDuty", "url": "https://acme.pagerduty.com/incidents/PGR0VU2"}
    ]


def test_pagerduty_without_priority_uses_the_impact_urgency_matrix():
    payload = pagerduty_event(
        "E2", "incident.acknowledged", "2026-11-25T11:56:00Z", priority=None, impact="low"
    )
    [alert] = parse(IntegrationKind.PAGERDUTY, body_of(payload))
    assert alert.status is InternalStatus.ACKNOWLEDGED
    assert alert.severity is Severity.P3  # low impact x high urgency


def test_pagerduty_ping_and_annotations():
    ping = {"event": {"id": "P1", "event_type": "pagey.ping", "resource_type": "pagey", "data": {}}}
    assert parse(IntegrationKind.PAGERDUTY, body_of(ping)) == []
    note = pagerduty_event("E3", "incident.annotated", "2026-11-25T11:57:00Z")
    note["event"]["data"] = {
        "incident": {"id": "PGR0VU2", "type": "incident_reference"},
        "annotation": {"content": "Failing over the primary."},
        "type": "incident_annotation",
    }
    [alert] = parse(IntegrationKind.PAGERDUTY, body_of(note))
    assert alert.status is None
    assert alert.external_id == "PGR0VU2"
    assert alert.summary == "Failing over the primary."


def test_opsgenie_tags_become_labels_and_entity_the_service():
    [alert] = parse(IntegrationKind.OPSGENIE, body_of(OPSGENIE_CREATE))
    assert alert.external_id == "5ed18a5e-0e0e-4b35-8f4f-1d0f6a8b2f3c"
    assert alert.status is InternalStatus.TRIGGERED
    assert alert.severity is Severity.P2
    assert alert.labels["service"] == "search"
    assert alert.labels["region"] == "eu"
    close = opsgenie_action("Close", OPSGENIE_CREATE["alert"]["updatedAt"] + 60_000)
    [closed] = parse(IntegrationKind.OPSGENIE, body_of(close))
    assert closed.status is InternalStatus.RESOLVED
    assert closed.dedup_key != alert.dedup_key


def test_opsgenie_p5_counts_as_p4():
    payload = opsgenie_action("AddNote", 1, priority="P5", note="Looking")
    [alert] = parse(IntegrationKind.OPSGENIE, body_of(payload))
    assert alert.severity is Severity.P4
    assert alert.status is None
    assert alert.summary == "Looking"


def test_generic_format():
    [alert] = parse(IntegrationKind.GENERIC, body_of({**GENERIC_TRIGGERED, "components": ["API"]}))
    assert alert.external_id == "nightly-backup-42"
    assert alert.severity is Severity.P3
    assert alert.components == ("API",)
    assert alert.links == [{"title": "Details", "url": "https://ci.internal/jobs/42"}]


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (IntegrationKind.ALERTMANAGER, b"{not json"),
        (IntegrationKind.ALERTMANAGER, b"[]"),
        (IntegrationKind.ALERTMANAGER, body_of({"version": "4", "status": "firing"})),
        (IntegrationKind.ALERTMANAGER, body_of({"alerts": [{"status": "firing"}]})),
        (IntegrationKind.ALERTMANAGER, body_of({"alerts": "nope"})),
        (IntegrationKind.GRAFANA, body_of({"alerts": [{"status": "odd", "startsAt": "x"}]})),
        (IntegrationKind.PAGERDUTY, body_of({"event": {"id": "x"}})),
        (IntegrationKind.PAGERDUTY, body_of({"messages": []})),
        (IntegrationKind.OPSGENIE, body_of({"action": "Create", "alert": {}})),
        (IntegrationKind.GENERIC, body_of({"id": "a", "status": "exploded"})),
        (
            IntegrationKind.GENERIC,
            body_of({"id": "a", "status": "triggered", "occurred_at": "yesterday"}),
        ),
        (IntegrationKind.GENERIC, b"\xff\xfe"),
    ],
)
def test_malformed_payloads_raise(kind, body):
    with pytest.raises(PayloadError):
        parse(kind, body)


def test_severity_words_and_matrix():
    assert severity_from_text("P1") is Severity.P1
    assert severity_from_text("p5") is Severity.P4
    assert severity_from_text("warning") is Severity.P3
    assert severity_from_text("banana") is None
    assert severity_from_matrix("high", "high") is Severity.P1
    assert severity_from_matrix("high", "low") is Severity.P3
    assert severity_from_matrix("low", "low") is Severity.P4
    assert severity_from_matrix("medium", None) is None


def test_redact_blanks_credentials_anywhere():
    assert redact({"a": 1, "nested": [{"api_key": "k", "Authorization": "x", "ok": "y"}]}) == {
        "a": 1,
        "nested": [{"api_key": "[redacted]", "Authorization": "[redacted]", "ok": "y"}],
    }
