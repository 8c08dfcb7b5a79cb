"""Turn each alert source's webhook payload into a list of normalised alerts (pure, no I/O).

Parsing is lenient about extra fields (sources add them in new versions) and strict
about the fields we need: a payload without them raises PayloadError (HTTP 400).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .models import IntegrationKind, InternalStatus, Severity

# Alertmanager's "zero time": endsAt of a firing alert.
_ZERO_TIME_PREFIX = "0001-01-01"
_REDACT_HINTS = ("secret", "token", "password", "authorization", "api_key", "apikey")


class PayloadError(ValueError):
    """The payload is not what the source sends (malformed, or a required field is missing)."""


@dataclass(frozen=True)
class NormalisedAlert:
    """One alert event in our terms, whatever the source."""

    external_id: str
    dedup_key: str
    event_type: str
    # The status the event moves the incident to; None for notes, escalations ...
    status: InternalStatus | None
    title: str
    occurred_at: datetime | None
    severity: Severity | None = None
    started_at: datetime | None = None
    summary: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    responders: list[dict[str, str]] = field(default_factory=list)
    # Component public ids or names the source names itself (generic source only).
    components: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def load_json(body: bytes) -> dict[str, Any]:
    """Decode a JSON object body or raise PayloadError."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    return data


def parse_time(value: Any, field_name: str) -> datetime | None:
    """Read an RFC 3339 time (or Unix milliseconds for numbers); None when absent or zero."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PayloadError(f"{field_name} is not a time")
    if isinstance(value, int | float):
        # Opsgenie sends epoch milliseconds.
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise PayloadError(f"{field_name} is not a time") from exc
    if not isinstance(value, str):
        raise PayloadError(f"{field_name} is not a time")
    if value.startswith(_ZERO_TIME_PREFIX):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python before 3.11 and some sources: more than 6 fractional digits.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        tail = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PayloadError(f"{field_name} is not an RFC 3339 time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(value: Any, limit: int = 500) -> str:
    return str(value).strip()[:limit] if value is not None else ""


def _dict(value: Any, field_name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{field_name} must be an object")
    return value


def _list(value: Any, field_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{field_name} must be a list")
    return value


def redact(value: Any) -> Any:
    """Return a copy of a payload with anything that looks like a credential blanked."""
    if isinstance(value, dict):
        return {
            k: "[redacted]" if any(hint in str(k).lower() for hint in _REDACT_HINTS) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


_SEVERITY_WORDS = {
    "critical": Severity.P1,
    "crit": Severity.P1,
    "fatal": Severity.P1,
    "emergency": Severity.P1,
    "page": Severity.P1,
    "high": Severity.P2,
    "error": Severity.P2,
    "major": Severity.P2,
    "warning": Severity.P3,
    "warn": Severity.P3,
    "medium": Severity.P3,
    "moderate": Severity.P3,
    "low": Severity.P4,
    "minor": Severity.P4,
    "info": Severity.P4,
    "informational": Severity.P4,
    "none": Severity.P4,
}


def severity_from_text(value: Any) -> Severity | None:
    """Read P1..P5 (P5 counts as P4) or a severity word such as "critical" or "warning"."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if len(text) == 2 and text[0] == "p" and text[1] in "12345":
        return Severity(f"P{min(int(text[1]), 4)}")
    if text in {"1", "2", "3", "4", "5", "sev1", "sev2", "sev3", "sev4", "sev5"}:
        return Severity(f"P{min(int(text[-1]), 4)}")
    return _SEVERITY_WORDS.get(text)


_LEVEL = {"high": 0, "critical": 0, "medium": 1, "moderate": 1, "low": 2, "minor": 2}
# Rows: impact high/medium/low; columns: urgency high/medium/low (ITIL-style priority matrix).
_MATRIX = (
    (Severity.P1, Severity.P2, Severity.P3),
    (Severity.P2, Severity.P3, Severity.P4),
    (Severity.P3, Severity.P4, Severity.P4),
)


def severity_from_matrix(impact: Any, urgency: Any) -> Severity | None:
    """Return the severity for an impact x urgency pair (high/medium/low each), or None."""
    i = _LEVEL.get(str(impact).strip().lower()) if impact is not None else None
    u = _LEVEL.get(str(urgency).strip().lower()) if urgency is not None else None
    if i is None or u is None:
        return None
    return _MATRIX[i][u]


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _link(title: str, url: Any) -> list[dict[str, str]]:
    return [{"title": title, "url": str(url)}] if isinstance(url, str) and url else []


# --------------------------------------------------------------------------- Alertmanager / Grafana


def _alert_group(data: dict[str, Any], kind: IntegrationKind) -> list[NormalisedAlert]:
    alerts = _list(data.get("alerts"), "alerts")
    if "alerts" not in data:
        raise PayloadError("alerts is missing")
    common_labels = _dict(data.get("commonLabels"), "commonLabels")
    group_meta: dict[str, Any] = {
        k: data.get(k)
        for k in (
            "version",
            "groupKey",
            "truncatedAlerts",
            "status",
            "receiver",
            "externalURL",
            "orgId",
            "title",
            "state",
        )
        if k in data
    }
    result = []
    for index, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise PayloadError(f"alerts[{index}] must be an object")
        labels = {**common_labels, **_dict(alert.get("labels"), f"alerts[{index}].labels")}
        annotations = _dict(alert.get("annotations"), f"alerts[{index}].annotations")
        status_text = _text(alert.get("status") or data.get("status")).lower()
        if status_text not in {"firing", "resolved"}:
            raise PayloadError(f"alerts[{index}].status must be firing or resolved")
        starts = parse_time(alert.get("startsAt"), f"alerts[{index}].startsAt")
        ends = parse_time(alert.get("endsAt"), f"alerts[{index}].endsAt")
        if starts is None:
            raise PayloadError(f"alerts[{index}].startsAt is missing")
        fingerprint = _text(alert.get("fingerprint"), 100) or _digest(sorted(labels.items()))
        # Alertmanager re-sends whole groups: one alert is its fingerprint since startsAt.
        external_id = f"{fingerprint}@{starts.isoformat()}"
        resolved = status_text == "resolved"
        occurred = (ends or starts) if resolved else starts
        title = (
            _text(annotations.get("summary"))
            or _text(labels.get("alertname"))
            or _text(data.get("title"))
            or "Alert"
        )
        links = (
            _link("Source", alert.get("generatorURL"))
            + _link("Dashboard", alert.get("dashboardURL"))
            + _link("Panel", alert.get("panelURL"))
            + _link("Silence", alert.get("silenceURL"))
            + _link("Runbook", annotations.get("runbook_url"))
        )
        if not links:
            links = _link(kind.value.capitalize(), data.get("externalURL"))
        severity = severity_from_text(labels.get("priority")) or severity_from_text(
            labels.get("severity")
        )
        result.append(
            NormalisedAlert(
                external_id=external_id,
                dedup_key=_digest(external_id, status_text, ends),
                event_type="resolved" if resolved else "triggered",
                status=InternalStatus.RESOLVED if resolved else InternalStatus.TRIGGERED,
                title=title,
                occurred_at=occurred,
                severity=severity,
                started_at=starts,
                summary=_text(annotations.get("description") or annotations.get("summary"), 1000),
                labels={str(k): _text(v) for k, v in labels.items()},
                links=links,
                raw={**group_meta, "alert": alert},
            )
        )
    return result


def parse_alertmanager(data: dict[str, Any]) -> list[NormalisedAlert]:
    """Parse an Alertmanager webhook_config payload (version 4): one alert per entry."""
    return _alert_group(data, IntegrationKind.ALERTMANAGER)


def parse_grafana(data: dict[str, Any]) -> list[NormalisedAlert]:
    """Parse a Grafana Alerting webhook contact point payload (Alertmanager-like, version 1)."""
    return _alert_group(data, IntegrationKind.GRAFANA)


# --------------------------------------------------------------------------- PagerDuty

_PD_STATUS = {
    "incident.triggered": InternalStatus.TRIGGERED,
    "incident.acknowledged": InternalStatus.ACKNOWLEDGED,
    "incident.unacknowledged": InternalStatus.TRIGGERED,
    "incident.reopened": InternalStatus.TRIGGERED,
    "incident.resolved": InternalStatus.RESOLVED,
}


def parse_pagerduty(data: dict[str, Any]) -> list[NormalisedAlert]:
    """Parse a PagerDuty v3 webhook: one event about one incident (pings yield nothing)."""
    event = _dict(data.get("event"), "event")
    if not event:
        raise PayloadError("event is missing")
    event_id = _text(event.get("id"), 200)
    event_type = _text(event.get("event_type"), 64)
    if not event_id or not event_type:
        raise PayloadError("event.id and event.event_type are required")
    if event_type == "pagey.ping" or event.get("resource_type") not in (None, "incident"):
        return []
    incident = _dict(event.get("data"), "event.data")
    # incident.annotated and a few others carry the incident under data.incident.
    if incident.get("type") != "incident" and isinstance(incident.get("incident"), dict):
        target = incident["incident"]
    else:
        target = incident
    incident_id = _text(target.get("id"), 200)
    if not incident_id:
        raise PayloadError("event.data.id is missing")
    status = _PD_STATUS.get(event_type)
    priority = target.get("priority")
    priority_name = priority.get("summary") if isinstance(priority, dict) else priority
    severity = severity_from_text(priority_name) or severity_from_matrix(
        target.get("impact"), target.get("urgency")
    )
    if severity is None and target.get("urgency") in {"high", "low"}:
        severity = Severity.P2 if target["urgency"] == "high" else Severity.P4
    service = _dict(target.get("service"), "event.data.service")
    labels = {"service": _text(service.get("summary"))} if service.get("summary") else {}
    if target.get("urgency"):
        labels["urgency"] = _text(target.get("urgency"))
    responders = [
        {"name": _text(a.get("summary"), 200), "url": _text(a.get("html_url"), 500)}
        for a in (
            _dict(x, "assignee") for x in _list(target.get("assignees"), "event.data.assignees")
        )
        if a.get("summary")
    ]
    if event_type == "incident.responder.added":
        user = _dict(incident.get("user"), "event.data.user")
        if user.get("summary"):
            responders.append({"name": _text(user["summary"], 200), "url": ""})
    summary = ""
    if event_type == "incident.annotated":
        summary = _text(_dict(incident.get("annotation"), "annotation").get("content"), 1000)
    elif event_type == "incident.status_update_published":
        summary = _text(incident.get("message"), 1000)
    return [
        NormalisedAlert(
            external_id=incident_id,
            dedup_key=event_id,
            event_type=event_type.removeprefix("incident."),
            status=status,
            title=_text(target.get("title")) or f"PagerDuty incident {incident_id}",
            occurred_at=parse_time(event.get("occurred_at"), "event.occurred_at"),
            severity=severity,
            started_at=parse_time(target.get("created_at"), "event.data.created_at"),
            summary=summary,
            labels=labels,
            links=_link("PagerDuty", target.get("html_url")),
            responders=responders,
            raw=data,
        )
    ]


# --------------------------------------------------------------------------- Opsgenie

_OG_STATUS = {
    "create": InternalStatus.TRIGGERED,
    "acknowledge": InternalStatus.ACKNOWLEDGED,
    "unacknowledge": InternalStatus.TRIGGERED,
    "close": InternalStatus.RESOLVED,
}


def parse_opsgenie(data: dict[str, Any]) -> list[NormalisedAlert]:
    """Parse an Opsgenie outgoing webhook: one action on one alert."""
    action = _text(data.get("action"), 64)
    alert = _dict(data.get("alert"), "alert")
    alert_id = _text(alert.get("alertId"), 200)
    if not action or not alert_id:
        raise PayloadError("action and alert.alertId are required")
    created = parse_time(alert.get("createdAt"), "alert.createdAt")
    updated = parse_time(alert.get("updatedAt"), "alert.updatedAt")
    occurred = updated or created
    labels: dict[str, Any] = {}
    for tag in _list(alert.get("tags"), "alert.tags"):
        key, sep, value = str(tag).partition(":")
        labels[key.strip() if sep else str(tag)] = value.strip() if sep else "true"
    details = _dict(alert.get("details"), "alert.details")
    labels.update({str(k): _text(v) for k, v in details.items()})
    if alert.get("entity") and "service" not in labels:
        labels["service"] = _text(alert.get("entity"))
    if alert.get("source"):
        labels.setdefault("source", _text(alert.get("source")))
    responders = [
        {"name": _text(r.get("name") or r.get("username"), 200), "url": ""}
        for r in (_dict(x, "responder") for x in _list(alert.get("responders"), "responders"))
        if r.get("name") or r.get("username")
    ]
    if action.lower() in {"acknowledge", "assignownership"} and alert.get("username"):
        responders.append({"name": _text(alert.get("username"), 200), "url": ""})
    summary = _text(alert.get("note") or alert.get("description"), 1000)
    return [
        NormalisedAlert(
            external_id=alert_id,
            dedup_key=_digest(alert_id, action, occurred),
            event_type=action.lower(),
            status=_OG_STATUS.get(action.lower()),
            title=_text(alert.get("message")) or f"Opsgenie alert {alert.get('tinyId', alert_id)}",
            occurred_at=occurred,
            severity=severity_from_text(alert.get("priority")),
            started_at=created,
            summary=summary,
            labels=labels,
            responders=responders,
            raw=data,
        )
    ]


# --------------------------------------------------------------------------- generic

_GENERIC_STATUS = {s.value: s for s in InternalStatus}


def parse_generic(data: dict[str, Any]) -> list[NormalisedAlert]:
    """Parse our own generic format: {id, title, status, severity, components, summary, url ...}."""
    alert_id = _text(data.get("id"), 200)
    status_text = _text(data.get("status"), 32).lower()
    if not alert_id:
        raise PayloadError("id is required")
    if status_text not in _GENERIC_STATUS:
        raise PayloadError("status must be one of triggered, acknowledged, resolved")
    occurred = parse_time(data.get("occurred_at"), "occurred_at")
    components = tuple(_text(c, 200) for c in _list(data.get("components"), "components"))
    severity = severity_from_text(data.get("severity")) or severity_from_matrix(
        data.get("impact"), data.get("urgency")
    )
    labels = _dict(data.get("labels"), "labels")
    event_id = _text(data.get("event_id"), 200)
    return [
        NormalisedAlert(
            external_id=alert_id,
            dedup_key=event_id or _digest(alert_id, status_text, occurred),
            event_type=status_text,
            status=_GENERIC_STATUS[status_text],
            title=_text(data.get("title")) or f"Alert {alert_id}",
            occurred_at=occurred,
            severity=severity,
            started_at=occurred if status_text == "triggered" else None,
            summary=_text(data.get("summary"), 1000),
            labels={str(k): _text(v) for k, v in labels.items()},
            links=_link("Details", data.get("url")),
            components=tuple(c for c in components if c),
            raw=data,
        )
    ]


PARSERS = {
    IntegrationKind.ALERTMANAGER: parse_alertmanager,
    IntegrationKind.GRAFANA: parse_grafana,
    IntegrationKind.PAGERDUTY: parse_pagerduty,
    IntegrationKind.OPSGENIE: parse_opsgenie,
    IntegrationKind.GENERIC: parse_generic,
}


def parse(kind: IntegrationKind, body: bytes) -> list[NormalisedAlert]:
    """Parse a raw body from a source of this kind into normalised alerts."""
    return PARSERS[kind](load_json(body))
