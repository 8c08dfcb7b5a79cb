"""Read models of integrations, mapping rules and internal incidents (staff only)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..incidents.models import Incident
from .models import (
    AlertEvent,
    Integration,
    InternalIncident,
    InternalStatus,
    MappingRule,
    incident_link,
)


@dataclass(frozen=True)
class IntegrationRow:
    """An integration as the console lists it (never its secrets)."""

    public_id: str
    kind: str
    name: str
    enabled: bool
    created_at: datetime
    last_event_at: datetime | None
    rejected_count: int
    last_rejected_at: datetime | None
    previous_secret_expires_at: datetime | None


@dataclass(frozen=True)
class RuleRow:
    """A mapping rule."""

    public_id: str
    integration_name: str | None
    match_key: str
    match_value: str
    component_name: str


@dataclass(frozen=True)
class LinkedIncident:
    """A public incident linked to an internal one."""

    public_id: str
    name: str
    status: str
    started_at: datetime


@dataclass(frozen=True)
class InternalRow:
    """An internal incident in the list."""

    public_id: str
    title: str
    source: str
    integration_name: str | None
    severity: str
    status: InternalStatus
    started_at: datetime
    last_event_at: datetime | None
    component_names: tuple[str, ...]
    linked: int


@dataclass(frozen=True)
class TimelineEntry:
    """One raw event on an internal incident's timeline."""

    received_at: datetime
    occurred_at: datetime | None
    event_type: str
    summary: str
    payload_json: str


@dataclass(frozen=True)
class InternalDetail:
    """An internal incident with its timeline and links."""

    public_id: str
    title: str
    source: str
    external_id: str
    integration_name: str | None
    severity: str
    status: InternalStatus
    started_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    responders: tuple[dict[str, Any], ...]
    links: tuple[dict[str, Any], ...]
    labels: dict[str, Any]
    components: tuple[tuple[str, str], ...]  # (public id, name)
    public_incidents: tuple[LinkedIncident, ...]
    events: tuple[TimelineEntry, ...]
    version: str


def _integration_row(i: Integration) -> IntegrationRow:
    return IntegrationRow(
        public_id=i.public_id,
        kind=i.kind.value,
        name=i.name,
        enabled=i.enabled,
        created_at=i.created_at,
        last_event_at=i.last_event_at,
        rejected_count=i.rejected_count or 0,
        last_rejected_at=i.last_rejected_at,
        previous_secret_expires_at=i.previous_secret_expires_at,
    )


def integration_rows() -> list[IntegrationRow]:
    """Return every integration, by name."""
    stmt = sa.select(Integration).order_by(Integration.name, Integration.id)
    return [_integration_row(i) for i in db.session.scalars(stmt)]


def integration_row(public_id: str) -> IntegrationRow | None:
    """Return one integration's row, or None."""
    found = db.session.scalar(sa.select(Integration).where(Integration.public_id == public_id))
    return _integration_row(found) if found else None


def rule_rows() -> list[RuleRow]:
    """Return every mapping rule in the order they are tried."""
    stmt = (
        sa.select(MappingRule)
        .options(selectinload(MappingRule.component), selectinload(MappingRule.integration))
        .order_by(MappingRule.position, MappingRule.id)
    )
    return [
        RuleRow(
            public_id=r.public_id,
            integration_name=r.integration.name if r.integration else None,
            match_key=r.match_key,
            match_value=r.match_value,
            component_name=r.component.name,
        )
        for r in db.session.scalars(stmt)
    ]


def _version(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


_OPEN_FIRST = sa.case((InternalIncident.status == InternalStatus.RESOLVED.value, 1), else_=0)


def internal_rows(limit: int = 200) -> list[InternalRow]:
    """Return internal incidents: open ones first, then newest first."""
    link_count = (
        sa.select(sa.func.count())
        .select_from(incident_link)
        .where(incident_link.c.internal_incident_id == InternalIncident.id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(InternalIncident, link_count)
        .options(
            selectinload(InternalIncident.components), selectinload(InternalIncident.integration)
        )
        .order_by(_OPEN_FIRST, InternalIncident.started_at.desc(), InternalIncident.id.desc())
        .limit(limit)
    )
    return [
        InternalRow(
            public_id=i.public_id,
            title=i.title,
            source=i.source.value,
            integration_name=i.integration.name if i.integration else None,
            severity=i.severity.value,
            status=i.status,
            started_at=i.started_at,
            last_event_at=i.last_event_at,
            component_names=tuple(c.name for c in i.components),
            linked=count or 0,
        )
        for i, count in db.session.execute(stmt)
    ]


def list_version(rows: list[InternalRow]) -> str:
    """Return a short fingerprint of the list, so a poll can tell whether anything changed."""
    latest = db.session.scalar(sa.select(sa.func.max(AlertEvent.id)))
    return _version(latest, [(r.public_id, r.status.value, r.linked, r.title) for r in rows])


def internal_detail(public_id: str) -> InternalDetail | None:
    """Return one internal incident with its timeline and linked public incidents, or None."""
    found = db.session.scalar(
        sa.select(InternalIncident)
        .options(
            selectinload(InternalIncident.components),
            selectinload(InternalIncident.public_incidents),
            selectinload(InternalIncident.events),
            selectinload(InternalIncident.integration),
        )
        .where(InternalIncident.public_id == public_id)
    )
    if found is None:
        return None
    events = tuple(
        TimelineEntry(
            received_at=e.received_at,
            occurred_at=e.occurred_at,
            event_type=e.event_type,
            summary=e.summary,
            payload_json=json.dumps(e.payload, indent=2, sort_keys=True, default=str),
        )
        for e in sorted(found.events, key=lambda e: (e.received_at, e.id))
    )
    linked = tuple(
        LinkedIncident(p.public_id, p.name, p.status.value, p.started_at)
        for p in found.public_incidents
    )
    return InternalDetail(
        public_id=found.public_id,
        title=found.title,
        source=found.source.value,
        external_id=found.external_id,
        integration_name=found.integration.name if found.integration else None,
        severity=found.severity.value,
        status=found.status,
        started_at=found.started_at,
        acknowledged_at=found.acknowledged_at,
        resolved_at=found.resolved_at,
        responders=tuple(found.responders or ()),
        links=tuple(found.links or ()),
        labels=dict(found.labels or {}),
        components=tuple((c.public_id, c.name) for c in found.components),
        public_incidents=linked,
        events=events,
        version=_version(
            found.status.value,
            found.title,
            found.severity.value,
            len(events),
            [p.public_id for p in linked],
            [c.public_id for c in found.components],
        ),
    )


def internal_links_of(incident_public_id: str) -> list[tuple[str, str, str]]:
    """Return (public id, title, status) of the internal incidents linked to a public incident."""
    stmt = (
        sa.select(InternalIncident.public_id, InternalIncident.title, InternalIncident.status)
        .join(incident_link, incident_link.c.internal_incident_id == InternalIncident.id)
        .join(Incident, Incident.id == incident_link.c.incident_id)
        .where(Incident.public_id == incident_public_id)
        .order_by(InternalIncident.started_at.desc())
    )
    return [(p, t, InternalStatus(s).value) for p, t, s in db.session.execute(stmt)]


def linkable_incidents(exclude: set[str], limit: int = 50) -> list[LinkedIncident]:
    """Return recent public incidents a person may link (newest first), minus exclude."""
    stmt = sa.select(Incident).order_by(Incident.started_at.desc()).limit(limit)
    return [
        LinkedIncident(i.public_id, i.name, i.status.value, i.started_at)
        for i in db.session.scalars(stmt)
        if i.public_id not in exclude
    ]


# --------------------------------------------------------------------------- drafting

# How bad the components look when a public incident is drafted without a template status.
_COMPONENT_STATUS_FOR = {
    "P1": "major_outage",
    "P2": "partial_outage",
    "P3": "degraded_performance",
    "P4": "degraded_performance",
}


@dataclass(frozen=True)
class PublicDraft:
    """What the new-incident form is prefilled with when drafting from an internal incident."""

    internal_id: str
    internal_title: str
    template_id: str | None
    template_name: str | None
    title: str
    body: str
    status: str
    notify: bool
    component_statuses: dict[str, str]  # component public id -> status


def public_draft(
    internal_id: str,
    *,
    page_name: str,
    start: datetime,
    fallback_title: str,
    fallback_title_plain: str,
    fallback_body: str,
    fallback_body_plain: str,
) -> PublicDraft | None:
    """Draft a public incident from an internal one: first incident template, mapped components.

    The internal title is written for engineers ("HighErrorRate gw-1"); customers get the
    template's wording with the mapped components' names, or the plain fallback.
    """
    from ..incidents.models import TemplateKind
    from ..incidents.template_queries import list_templates
    from ..incidents.wording import fill

    found = db.session.scalar(
        sa.select(InternalIncident)
        .options(selectinload(InternalIncident.components))
        .where(InternalIncident.public_id == internal_id)
    )
    if found is None:
        return None
    names = [c.name for c in found.components]
    values = {
        "component": ", ".join(names),
        "components": ", ".join(names),
        "start": start.strftime("%Y-%m-%d %H:%M %Z"),
        "page": page_name,
    }
    templates = list_templates(TemplateKind.INCIDENT)
    template = templates[0] if templates else None
    title = fill(template.title, values) if template else ""
    if not title or "{component" in title:
        title = fill(fallback_title if names else fallback_title_plain, values)
    body = fill(template.body, values) if template else ""
    if not body.strip() or "{component" in body:
        body = fill(fallback_body if names else fallback_body_plain, values)
    status = template.status if template and template.status else "investigating"
    component_status = (template.component_status if template else None) or (
        _COMPONENT_STATUS_FOR[found.severity.value]
    )
    return PublicDraft(
        internal_id=found.public_id,
        internal_title=found.title,
        template_id=template.public_id if template else None,
        template_name=template.name if template else None,
        title=title[:255],
        body=body,
        status=status,
        notify=template.notify if template else True,
        component_statuses={c.public_id: component_status for c in found.components},
    )
