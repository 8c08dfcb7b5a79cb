"""Real payload shapes of every alert source (from their documentation), and signed senders."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from typing import Any

ALERTMANAGER_FIRING: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}/{severity="critical"}:{alertname="HighErrorRate"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "statuspage",
    "groupLabels": {"alertname": "HighErrorRate"},
    "commonLabels": {"alertname": "HighErrorRate", "severity": "critical", "job": "api"},
    "commonAnnotations": {"summary": "5xx rate above 5% on the API gateway"},
    "externalURL": "http://alertmanager.internal:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "HighErrorRate",
                "severity": "critical",
                "job": "api",
                "service": "api-gateway",
                "instance": "gw-1:9100",
            },
            "annotations": {
                "summary": "5xx rate above 5% on gw-1",
                "description": "The 5xx ratio is 7.2% over 5m.",
                "runbook_url": "https://runbooks.internal/high-error-rate",
            },
            "startsAt": "2026-11-25T11:50:00.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=rate",
            "fingerprint": "a1b2c3d4e5f60718",
        },
        {
            "status": "firing",
            "labels": {
                "alertname": "HighErrorRate",
                "severity": "critical",
                "job": "api",
                "service": "api-gateway",
                "instance": "gw-2:9100",
            },
            "annotations": {"summary": "5xx rate above 5% on gw-2"},
            "startsAt": "2026-11-25T11:51:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=rate",
            "fingerprint": "b2c3d4e5f6071829",
        },
    ],
}


def alertmanager_resolved(index: int = 0, ends: str = "2026-11-25T11:58:00Z") -> dict[str, Any]:
    """The group re-sent with one alert resolved."""
    payload = copy.deepcopy(ALERTMANAGER_FIRING)
    payload["alerts"][index]["status"] = "resolved"
    payload["alerts"][index]["endsAt"] = ends
    return payload


PAGERDUTY_TRIGGERED: dict[str, Any] = {
    "event": {
        "id": "01DEN4HPBQAJYTNWQFPRXHKVVF",
        "event_type": "incident.triggered",
        "resource_type": "incident",
        "occurred_at": "2026-11-25T11:55:14.000Z",
        "agent": {
            "html_url": "https://acme.pagerduty.com/users/PLH1HKV",
            "id": "PLH1HKV",
            "self": "https://api.pagerduty.com/users/PLH1HKV",
            "summary": "Tenex Engineer",
            "type": "user_reference",
        },
        "client": {"name": "PagerDuty"},
        "data": {
            "id": "PGR0VU2",
            "type": "incident",
            "self": "https://api.pagerduty.com/incidents/PGR0VU2",
            "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
            "number": 2,
            "status": "triggered",
            "incident_key": "d3640fbd41094207a1c11e58e46b1662",
            "created_at": "2026-11-25T11:55:10Z",
            "title": "Checkout database connections exhausted",
            "service": {
                "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
                "id": "PF9KMXH",
                "self": "https://api.pagerduty.com/services/PF9KMXH",
                "summary": "checkout",
                "type": "service_reference",
            },
            "assignees": [
                {
                    "html_url": "https://acme.pagerduty.com/users/PTUXL6G",
                    "id": "PTUXL6G",
                    "self": "https://api.pagerduty.com/users/PTUXL6G",
                    "summary": "Ada Lovelace",
                    "type": "user_reference",
                }
            ],
            "escalation_policy": {
                "id": "PUS0KTE",
                "summary": "Default",
                "type": "escalation_policy_reference",
            },
            "teams": [],
            "priority": {
                "html_url": "https://acme.pagerduty.com/account/incident_priorities",
                "id": "PSO75BM",
                "self": "https://api.pagerduty.com/priorities/PSO75BM",
                "summary": "P1",
                "type": "priority",
            },
            "urgency": "high",
            "conference_bridge": None,
            "resolve_reason": None,
        },
    }
}


def pagerduty_event(
    event_id: str, event_type: str, occurred_at: str, **data: Any
) -> dict[str, Any]:
    """A PagerDuty v3 event about the same incident."""
    payload = copy.deepcopy(PAGERDUTY_TRIGGERED)
    payload["event"]["id"] = event_id
    payload["event"]["event_type"] = event_type
    payload["event"]["occurred_at"] = occurred_at
    payload["event"]["data"]["status"] = event_type.removeprefix("incident.")
    payload["event"]["data"].update(data)
    return payload


GRAFANA_FIRING: dict[str, Any] = {
    "receiver": "statuspage",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "LoginLatency", "service": "login", "severity": "warning"},
            "annotations": {"summary": "Login p99 latency above 2 s"},
            "startsAt": "2026-11-25T11:52:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://grafana.internal/alerting/grafana/abc/view",
            "fingerprint": "c0ffee0123456789",
            "silenceURL": "https://grafana.internal/alerting/silence/new",
            "dashboardURL": "https://grafana.internal/d/login",
            "panelURL": "https://grafana.internal/d/login?viewPanel=2",
            "imageURL": "",
            "values": {"B": 2.4, "C": 1},
            "valueString": "[ var='B' value=2.4 ]",
        }
    ],
    "groupLabels": {"alertname": "LoginLatency"},
    "commonLabels": {"alertname": "LoginLatency", "service": "login", "severity": "warning"},
    "commonAnnotations": {"summary": "Login p99 latency above 2 s"},
    "externalURL": "https://grafana.internal/",
    "version": "1",
    "groupKey": '{}:{alertname="LoginLatency"}',
    "truncatedAlerts": 0,
    "title": "[FIRING:1] LoginLatency (login warning)",
    "state": "alerting",
    "message": "**Firing**\n\nValue: B=2.4",
}

OPSGENIE_CREATE: dict[str, Any] = {
    "source": {"name": "", "type": "web"},
    "alert": {
        "updatedAt": 1795607700000000000 // 1_000_000,
        "tags": ["service:search", "region:eu"],
        "teams": ["py3s"],
        "recipients": ["sre"],
        "message": "Search index lagging 20 minutes behind",
        "username": "Alert API",
        "alertId": "5ed18a5e-0e0e-4b35-8f4f-1d0f6a8b2f3c",
        "source": "api",
        "alias": "search-lag",
        "tinyId": "42",
        "createdAt": 1795607700000000000 // 1_000_000,
        "userId": "",
        "entity": "search",
        "priority": "P2",
        "details": {"region": "eu"},
    },
    "action": "Create",
    "integrationId": "b2c44d2a-4a4b-4a8b-9b11-0c7f8e6d5a4b",
    "integrationName": "Statuspage",
}


def opsgenie_action(action: str, updated_ms: int, **alert: Any) -> dict[str, Any]:
    """An Opsgenie outgoing webhook for another action on the same alert."""
    payload = copy.deepcopy(OPSGENIE_CREATE)
    payload["action"] = action
    payload["alert"]["updatedAt"] = updated_ms
    payload["alert"].update(alert)
    return payload


GENERIC_TRIGGERED: dict[str, Any] = {
    "id": "nightly-backup-42",
    "title": "Nightly backup failed",
    "status": "triggered",
    "severity": "P3",
    "components": [],
    "summary": "The backup job exited with code 2.",
    "url": "https://ci.internal/jobs/42",
    "occurred_at": "2026-11-25T11:40:00Z",
}


def body_of(payload: dict[str, Any]) -> bytes:
    """Serialise a payload the way a source would."""
    return json.dumps(payload).encode()


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def auth_headers(
    kind: str, secret: str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """Headers a correctly configured source of this kind sends."""
    if kind == "pagerduty":
        return {"X-PagerDuty-Signature": f"v1={hmac_hex(secret, body)}"}
    if kind == "grafana":
        if timestamp is None:
            return {"X-Grafana-Alerting-Signature": hmac_hex(secret, body)}
        message = f"{timestamp}:".encode() + body
        return {
            "X-Grafana-Alerting-Signature": hmac_hex(secret, message),
            "X-Grafana-Alerting-Timestamp": str(timestamp),
        }
    if kind == "generic":
        return {"X-Signature": f"sha256={hmac_hex(secret, body)}"}
    if kind == "opsgenie":
        return {"X-Webhook-Secret": secret}
    return {"Authorization": f"Bearer {secret}"}


def basic_auth(password: str, user: str = "alertmanager") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}
