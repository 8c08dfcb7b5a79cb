"""A small status page for the incident console tests: components, a template, an incident.

Built in its own app context (then closed) so test clients never share Flask-Login's
cached user through a pushed context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from .conftest import csrf_from
from .walker import form_payload

TIME_ZONE = "Europe/Berlin"
# The start of admin.forms.STALE_FORM, as pages show it.
STALE = "This form was open too long or was already sent, so nothing was saved."


@dataclass(frozen=True)
class IncidentWorld:
    """Public ids of what was built."""

    api: str
    web: str
    mail: str
    template: str
    incident: str
    update: str


def build(app: Flask, *, time_zone: str = TIME_ZONE) -> IncidentWorld:
    """Create page settings, three components, an incident template and one open incident."""
    from statuspage.components.models import ComponentStatus
    from statuspage.components.services import create_component, create_group
    from statuspage.extensions import db
    from statuspage.incidents.models import MessageTemplate, TemplateKind
    from statuspage.incidents.services import create_incident
    from statuspage.site.models import PageSettings

    with app.app_context():
        db.session.add(
            PageSettings(
                name="Acme Cloud",
                url="",
                time_zone=time_zone,
                default_language="en",
                theme="default",
                accent_color="#2563eb",
                footer_links=[],
            )
        )
        core = create_group("Core")
        api = create_component("API", group=core)
        web = create_component("Dashboard", group=core)
        mail = create_component("Email")
        template = MessageTemplate(
            kind=TemplateKind.INCIDENT,
            name="API down",
            title="Errors on {component}",
            body="We are investigating errors on {component} since {start}.",
            status="identified",
            component_status=ComponentStatus.MAJOR_OUTAGE,
            notify=True,
            components=[api],
        )
        db.session.add(template)
        db.session.commit()
        incident = create_incident(
            "Slow dashboard",
            "investigating",
            "The dashboard is slow.",
            {web: ComponentStatus.DEGRADED_PERFORMANCE},
            actor="test",
        )
        world = IncidentWorld(
            api=api.public_id,
            web=web.public_id,
            mail=mail.public_id,
            template=template.public_id,
            incident=incident.public_id,
            update=incident.updates[0].public_id,
        )
        db.session.remove()
    return world


def counts(app: Flask) -> dict[str, int]:
    """Return the number of rows of every table."""
    from statuspage.extensions import db

    with app.app_context():
        result = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return result


def read(app: Flask, fn: Any) -> Any:
    """Run fn() in a fresh app context and return its result."""
    from statuspage.extensions import db

    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def audit_entries(app: Flask, action: str) -> list[dict[str, Any]]:
    """Return the audit entries of one action, oldest first, as dicts."""
    from statuspage.audit.models import AuditEntry
    from statuspage.extensions import db

    def fetch() -> list[dict[str, Any]]:
        rows = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        return [
            {
                "actor": r.actor_label,
                "object_id": r.object_id,
                "before": r.before,
                "after": r.after,
                "ip": r.ip,
            }
            for r in rows
        ]

    return read(app, fetch)


def local_input(at: datetime, zone: str = TIME_ZONE) -> str:
    """Return an instant as a datetime-local value in the zone."""
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def scraped(html: str, url: str) -> dict[str, Any]:
    """Return what the page's form posting to url sends.

    A browser drops the newline that starts a textarea's content; the scraper keeps it.
    """
    payload = form_payload(html, url) or {}
    return {
        k: v[2:] if isinstance(v, str) and v.startswith("\r\n") else v for k, v in payload.items()
    }


def submit(
    client: FlaskClient,
    url: str,
    overrides: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    form_url: str | None = None,
) -> Any:
    """Send the form that posts to url (found on form_url, default url) with some fields changed."""
    page = client.get(form_url or url)
    assert page.status_code == 200, page.text
    payload = scraped(page.text, url)
    payload["csrf_token"] = csrf_from(page.text)
    for name in remove:
        payload.pop(name, None)
    payload.update(overrides or {})
    return client.post(url, data=payload)


def error_of(html: str, field: str) -> str:
    """Return the error shown beside a field (fails when there is none)."""
    match = re.search(rf'<p class="field-error"[^>]*data-field="{field}"[^>]*>([^<]*)</p>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def selected(html: str, name: str) -> str | None:
    """Return the value of the selected option of the select named name."""
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select {name}"
    options = re.findall(r"<option([^>]*)>", block.group(1))
    chosen = [o for o in options if re.search(r"\bselected\b", o)] or options[:1]
    value = re.search(r'value="([^"]*)"', chosen[0])
    return value.group(1) if value else None


def component_statuses(app: Flask) -> dict[str, str]:
    """Return component name -> current status."""
    from statuspage.components.models import Component
    from statuspage.extensions import db

    return read(
        app, lambda: {c.name: c.status.value for c in db.session.scalars(sa.select(Component))}
    )
