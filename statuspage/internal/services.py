"""Use cases for alerts in: integrations, their secrets, mapping rules, ingesting alerts, links."""

from __future__ import annotations

import logging
import secrets as secrets_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Incident
from .models import (
    AlertEvent,
    Integration,
    IntegrationKind,
    InternalIncident,
    InternalStatus,
    MappingRule,
    Severity,
    incident_link,
)
from .parsers import NormalisedAlert, redact

log = logging.getLogger(__name__)

MAX_NAME = 200
MAX_MATCH_KEY = 200
MAX_MATCH_VALUE = 500
DEFAULT_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """Return a fresh random integration secret."""
    return secrets_module.token_urlsafe(32)


def parse_kind(value: IntegrationKind | str, field: str = "kind") -> IntegrationKind:
    """Return the integration kind named by value or raise a ValidationError naming field."""
    try:
        return IntegrationKind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in IntegrationKind)
        raise ValidationError(
            {field: _("Kind must be one of: %(allowed)s.", allowed=allowed)}
        ) from None


def _snapshot(integration: Integration) -> dict[str, Any]:
    # Never the secrets: the audit log is readable by admins for years.
    return {
        "kind": integration.kind.value,
        "name": integration.name,
        "enabled": integration.enabled,
    }


def find_integration(public_id_or_name: str) -> Integration | None:
    """Return the integration with this public id, or else the only one with this name."""
    session = db.session
    found = session.scalar(sa.select(Integration).where(Integration.public_id == public_id_or_name))
    if found is not None:
        return found
    named = session.scalars(
        sa.select(Integration).where(Integration.name == public_id_or_name.strip())
    ).all()
    return named[0] if len(named) == 1 else None


def create_integration(
    kind: IntegrationKind | str, name: str, *, actor: str = "cli", actor_id: int | None = None
) -> tuple[Integration, str]:
    """Create an integration and return it with its secret (shown only this once)."""
    errors: dict[str, str] = {}
    parsed: IntegrationKind | None = None
    try:
        parsed = parse_kind(kind)
    except ValidationError as exc:
        errors.update(exc.errors)
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the integration a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is too long (at most %(n)d characters).", n=MAX_NAME)
    elif db.session.scalar(sa.select(Integration.id).where(Integration.name == name)):
        errors["name"] = _("An integration with this name already exists.")
    if errors or parsed is None:
        raise ValidationError(errors)
    secret = new_secret()
    with unit_of_work() as session:
        integration = Integration(kind=parsed, name=name, secret=secret, enabled=True)
        session.add(integration)
        session.flush()
        record(
            actor,
            "integration.create",
            "integration",
            integration.public_id,
            None,
            _snapshot(integration),
            actor_id=actor_id,
        )
    return integration, secret


def overlap() -> timedelta:
    """Return how long a rotated-out secret keeps working (INTEGRATION_SECRET_OVERLAP_HOURS)."""
    hours = current_app.config.get("INTEGRATION_SECRET_OVERLAP_HOURS")
    return timedelta(hours=float(hours)) if hours is not None else DEFAULT_OVERLAP


def rotate_secret(
    integration: Integration,
    *,
    overlap_for: timedelta | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> str:
    """Give the integration a new secret; the old one keeps working for the overlap."""
    window = overlap() if overlap_for is None else overlap_for
    secret = new_secret()
    with unit_of_work():
        integration.previous_secret = integration.secret
        integration.previous_secret_expires_at = utcnow() + window
        integration.secret = secret
        record(
            actor,
            "integration.rotate",
            "integration",
            integration.public_id,
            None,
            {"previous_secret_expires_at": integration.previous_secret_expires_at.isoformat()},
            actor_id=actor_id,
        )
    return secret


def valid_secrets(integration: Integration, now: datetime | None = None) -> list[str]:
    """Return the secrets that verify requests now: the current one, and the previous in overlap."""
    now = now or utcnow()
    found = [integration.secret]
    expires = integration.previous_secret_expires_at
    if integration.previous_secret and expires is not None and now < expires:
        found.append(integration.previous_secret)
    return found


def set_integration_enabled(
    integration: Integration, enabled: bool, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Enable or disable an integration (a disabled one refuses every request)."""
    with unit_of_work():
        before = _snapshot(integration)
        integration.enabled = enabled
        record(
            actor,
            "integration.enable" if enabled else "integration.disable",
            "integration",
            integration.public_id,
            before,
            _snapshot(integration),
            actor_id=actor_id,
        )


def record_rejection(integration: Integration, reason: str) -> None:
    """Count a refused request against the integration (the details go to the log)."""
    log.warning(
        "alert webhook refused for integration %s (%s): %s",
        integration.public_id,
        integration.kind.value,
        reason,
    )
    with unit_of_work():
        integration.rejected_count = (integration.rejected_count or 0) + 1
        integration.last_rejected_at = utcnow()


# --------------------------------------------------------------------------- mapping rules


def create_mapping_rule(
    match_key: str,
    match_value: str,
    component: Component | None,
    integration: Integration | None = None,
    *,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MappingRule:
    """Map alerts whose label match_key equals match_value to component."""
    errors: dict[str, str] = {}
    match_key = (match_key or "").strip()
    match_value = (match_value or "").strip()
    if not match_key:
        errors["match_key"] = _("Name the label to match, for example service.")
    elif len(match_key) > MAX_MATCH_KEY:
        errors["match_key"] = _("The label name is too long.")
    if not match_value:
        errors["match_value"] = _("Give the value the label must have.")
    elif len(match_value) > MAX_MATCH_VALUE:
        errors["match_value"] = _("The value is too long.")
    if component is None:
        errors["component"] = _("Choose a component.")
    if errors or component is None:
        raise ValidationError(errors)
    with unit_of_work() as session:
        position = session.scalar(sa.select(sa.func.coalesce(sa.func.max(MappingRule.position), 0)))
        rule = MappingRule(
            match_key=match_key,
            match_value=match_value,
            component=component,
            integration=integration,
            position=(position or 0) + 1,
        )
        session.add(rule)
        session.flush()
        record(
            actor,
            "mapping_rule.create",
            "mapping_rule",
            rule.public_id,
            None,
            _rule_snapshot(rule),
            actor_id=actor_id,
        )
    return rule


def _rule_snapshot(rule: MappingRule) -> dict[str, Any]:
    return {
        "match_key": rule.match_key,
        "match_value": rule.match_value,
        "component": rule.component.public_id,
        "integration": rule.integration.public_id if rule.integration else None,
    }


def delete_mapping_rule(
    rule: MappingRule, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Delete a mapping rule (incidents keep the components they were given)."""
    with unit_of_work() as session:
        record(
            actor,
            "mapping_rule.delete",
            "mapping_rule",
            rule.public_id,
            _rule_snapshot(rule),
            None,
            actor_id=actor_id,
        )
        session.delete(rule)


def find_mapping_rule(public_id: str) -> MappingRule | None:
    """Return the mapping rule with this public id, or None."""
    return db.session.scalar(sa.select(MappingRule).where(MappingRule.public_id == public_id))


def _rules_for(integration: Integration) -> list[MappingRule]:
    stmt = (
        sa.select(MappingRule)
        .where(
            sa.or_(
                MappingRule.integration_id.is_(None), MappingRule.integration_id == integration.id
            )
        )
        .order_by(MappingRule.position, MappingRule.id)
    )
    return list(db.session.scalars(stmt))


def _mapped_components(
    rules: Sequence[MappingRule], labels: dict[str, Any], named: Sequence[str]
) -> list[Component]:
    found: dict[int, Component] = {}
    for rule in rules:
        value = labels.get(rule.match_key)
        if value is not None and str(value).strip().lower() == rule.match_value.strip().lower():
            found.setdefault(rule.component.id, rule.component)
    if named:
        stmt = sa.select(Component).where(
            sa.or_(Component.public_id.in_(named), Component.name.in_(named))
        )
        for component in db.session.scalars(stmt):
            found.setdefault(component.id, component)
    return list(found.values())


# --------------------------------------------------------------------------- ingesting


@dataclass(frozen=True)
class IngestResult:
    """What one webhook request did."""

    created: int = 0
    updated: int = 0
    replayed: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts for the JSON answer."""
        return {"created": self.created, "updated": self.updated, "replayed": self.replayed}


def _merge_responders(
    current: list[dict[str, Any]], new: Sequence[dict[str, str]]
) -> list[dict[str, Any]]:
    names = {r.get("name") for r in current}
    return [*current, *(r for r in new if r.get("name") not in names)]


def _merge_links(
    current: list[dict[str, Any]], new: Sequence[dict[str, str]]
) -> list[dict[str, Any]]:
    urls = {r.get("url") for r in current}
    return [*current, *(r for r in new if r.get("url") not in urls)]


def _apply_status(incident: InternalIncident, status: InternalStatus, at: datetime) -> None:
    incident.status = status
    if status is InternalStatus.TRIGGERED:
        incident.acknowledged_at = None
        incident.resolved_at = None
    elif status is InternalStatus.ACKNOWLEDGED:
        incident.acknowledged_at = incident.acknowledged_at or at
        incident.resolved_at = None
    else:
        incident.resolved_at = at


def _apply(
    incident: InternalIncident, alert: NormalisedAlert, rules: Sequence[MappingRule], now: datetime
) -> None:
    """Apply one alert event; an event older than the last applied one only fills gaps."""
    at = alert.occurred_at or now
    stale = incident.last_event_at is not None and at < incident.last_event_at
    if alert.started_at is not None and alert.started_at < incident.started_at:
        incident.started_at = alert.started_at
    if not stale:
        if alert.status is not None:
            _apply_status(incident, alert.status, at)
        if alert.title:
            incident.title = alert.title[:500]
        if alert.severity is not None:
            incident.severity = alert.severity
        incident.labels = {**(incident.labels or {}), **alert.labels}
        incident.last_event_at = at
    elif alert.status is InternalStatus.ACKNOWLEDGED and incident.acknowledged_at is None:
        # A late acknowledgement still says when someone took it, without reopening.
        incident.acknowledged_at = at
    incident.responders = _merge_responders(list(incident.responders or []), alert.responders)
    incident.links = _merge_links(list(incident.links or []), alert.links)
    for component in _mapped_components(rules, incident.labels or {}, alert.components):
        if component not in incident.components:
            incident.components.append(component)


def ingest(integration: Integration, alerts: Sequence[NormalisedAlert]) -> IngestResult:
    """Create or update internal incidents from parsed alerts; replays change nothing."""
    now = utcnow()
    created = updated = replayed = 0
    with unit_of_work() as session:
        rules = _rules_for(integration)
        keys = [a.dedup_key for a in alerts]
        seen = set(
            session.scalars(
                sa.select(AlertEvent.dedup_key).where(
                    AlertEvent.integration_id == integration.id, AlertEvent.dedup_key.in_(keys)
                )
            )
        )
        for alert in alerts:
            if alert.dedup_key in seen:
                replayed += 1
                continue
            seen.add(alert.dedup_key)
            incident = session.scalar(
                sa.select(InternalIncident).where(
                    InternalIncident.integration_id == integration.id,
                    InternalIncident.external_id == alert.external_id,
                )
            )
            if incident is None:
                at = alert.occurred_at or now
                incident = InternalIncident(
                    integration=integration,
                    source=integration.kind,
                    external_id=alert.external_id[:500],
                    title=alert.title[:500],
                    severity=alert.severity or Severity.P3,
                    status=InternalStatus.TRIGGERED,
                    started_at=min(alert.started_at or at, at),
                    responders=[],
                    links=[],
                    labels={},
                )
                session.add(incident)
                created += 1
            else:
                updated += 1
            _apply(incident, alert, rules, now)
            incident.events.append(
                AlertEvent(
                    integration_id=integration.id,
                    received_at=now,
                    occurred_at=alert.occurred_at,
                    event_type=alert.event_type[:64],
                    dedup_key=alert.dedup_key[:200],
                    summary=(alert.summary or alert.title)[:1000],
                    payload=redact(alert.raw),
                )
            )
            session.flush()
        integration.last_event_at = now
    return IngestResult(created, updated, replayed)


# --------------------------------------------------------------------------- links


def find_internal_incident(public_id: str) -> InternalIncident | None:
    """Return the internal incident with this public id, or None."""
    return db.session.scalar(
        sa.select(InternalIncident).where(InternalIncident.public_id == public_id)
    )


def link_incidents(
    internal: InternalIncident,
    incident: Incident,
    *,
    actor: str = "cli",
    actor_id: int | None = None,
) -> bool:
    """Link a public incident to an internal one; False when they were linked already."""
    with unit_of_work() as session:
        exists = session.scalar(
            sa.select(sa.func.count())
            .select_from(incident_link)
            .where(
                incident_link.c.incident_id == incident.id,
                incident_link.c.internal_incident_id == internal.id,
            )
        )
        if exists:
            return False
        session.execute(
            incident_link.insert().values(
                incident_id=incident.id, internal_incident_id=internal.id, linked_at=utcnow()
            )
        )
        session.expire(internal, ["public_incidents"])
        record(
            actor,
            "internal_incident.link",
            "internal_incident",
            internal.public_id,
            None,
            {"incident": incident.public_id},
            actor_id=actor_id,
        )
    return True


def unlink_incidents(
    internal: InternalIncident,
    incident: Incident,
    *,
    actor: str = "cli",
    actor_id: int | None = None,
) -> bool:
    """Remove the link between a public and an internal incident; False when there was none."""
    with unit_of_work() as session:
        result = session.execute(
            incident_link.delete().where(
                incident_link.c.incident_id == incident.id,
                incident_link.c.internal_incident_id == internal.id,
            )
        )
        removed = bool(getattr(result, "rowcount", 0))
        session.expire(internal, ["public_incidents"])
        if removed:
            record(
                actor,
                "internal_incident.unlink",
                "internal_incident",
                internal.public_id,
                {"incident": incident.public_id},
                None,
                actor_id=actor_id,
            )
    return removed
