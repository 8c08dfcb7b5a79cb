"""Walk every console route: real URL arguments from the demo data, realistic form payloads.

Shared by test_route_roles.py, test_csrf.py and the support browser test. The
routes are read from app.url_map when a test runs, so routes added later are
covered without touching the tests; a route whose URL argument this module does
not know makes the tests fail with a message saying where to teach it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from statuspage.accounts.models import Role

from .conftest import csrf_from

# Routes any signed-in staff member may use for their own account.
SELF_SERVICE = {
    "admin.login",
    "admin.logout",
    "admin.password",
    "admin.api_keys",
    "admin.api_key_revoke",
}
# Routes only admins may use (users, settings, integrations, the audit log).
ADMIN_ONLY = {
    "admin.users",
    "admin.user_edit",
    "admin.settings",
    "admin.audit",
    "admin.integrations",
    "admin.integration_rotate",
    "admin.integration_enable",
    "admin.mapping_rules",
    "admin.mapping_rule_delete",
}
ROLES = (Role.SUPPORT, Role.COMMUNICATOR, Role.ADMIN)
RANK = {Role.SUPPORT: 1, Role.COMMUNICATOR: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class World:
    """The demo data's staff and the public ids of one object of every kind."""

    ids: dict[str, str]
    emails: dict[Role, str]
    password: str


def build_world(app: Flask) -> World:
    """Load the demo data (in its own app context) and pick one object of every kind.

    The demo fixture is not used because it keeps an app context pushed for the
    whole test, and Flask reuses a pushed context for every test-client request:
    Flask-Login's cached user on `g` then leaks from one client to the next.
    The staff fixture is not used because the demo creates the same three users.
    """
    from statuspage.demo.services import load_demo
    from statuspage.extensions import db

    with app.app_context():
        summary = load_demo()
        db.session.remove()
    return world_from_demo(app, summary)


def world_from_demo(app: Flask, summary: Any) -> World:
    """Pick one object of every kind from loaded demo data (summary: load_demo()'s result)."""
    from statuspage.accounts.models import User
    from statuspage.accounts.services import create_api_key
    from statuspage.components.models import Component, ComponentGroup, ComponentStatus
    from statuspage.demo.services import DEMO_PASSWORD
    from statuspage.extensions import db
    from statuspage.incidents.models import Incident as IncidentModel
    from statuspage.incidents.models import (
        IncidentStatus,
        IncidentUpdate,
        MessageTemplate,
        TemplateKind,
    )
    from statuspage.maintenance.models import Maintenance as MaintenanceModel
    from statuspage.maintenance.models import MaintenanceStatus, MaintenanceUpdate

    with app.app_context():
        session = db.session
        incident = session.scalars(
            sa.select(IncidentModel).where(IncidentModel.public_id == summary.active_incident_id)
        ).one()
        update = session.scalars(
            sa.select(IncidentUpdate)
            .where(IncidentUpdate.incident_id == incident.id)
            .order_by(IncidentUpdate.id.desc())
        ).first()
        maintenance = session.scalars(
            sa.select(MaintenanceModel).where(
                MaintenanceModel.public_id == summary.upcoming_maintenance_id
            )
        ).one()
        maintenance_update = session.scalars(
            sa.select(MaintenanceUpdate).order_by(MaintenanceUpdate.id.desc())
        ).first()
        component = session.scalars(sa.select(Component).order_by(Component.id)).first()
        group = session.scalars(sa.select(ComponentGroup).order_by(ComponentGroup.id)).first()
        templates = {t.kind: t for t in session.scalars(sa.select(MessageTemplate)).all()}
        if TemplateKind.INCIDENT not in templates:
            templates[TemplateKind.INCIDENT] = MessageTemplate(
                kind=TemplateKind.INCIDENT,
                name="Walker incident",
                title="Problems with {component}",
                body="We are looking into it.",
                status=IncidentStatus.INVESTIGATING.value,
                component_status=ComponentStatus.PARTIAL_OUTAGE,
            )
        if TemplateKind.MAINTENANCE not in templates:
            templates[TemplateKind.MAINTENANCE] = MessageTemplate(
                kind=TemplateKind.MAINTENANCE,
                name="Walker maintenance",
                title="Maintenance of {component}",
                body="From {start} to {end}.",
                status=MaintenanceStatus.SCHEDULED.value,
            )
        session.add_all(templates.values())
        session.commit()
        users = {u.role: u for u in session.scalars(sa.select(User).order_by(User.id)).all()}
        admin = users[Role.ADMIN]
        key, _secret = create_api_key(admin.email, name="walker")
        assert update is not None
        assert maintenance_update is not None
        assert component is not None
        assert group is not None
        ids = {
            "incident_id": incident.public_id,
            "update_id": update.public_id,
            "maintenance_id": maintenance.public_id,
            "maintenance_update_id": maintenance_update.public_id,
            "component_id": component.public_id,
            "group_id": group.public_id,
            "template_id": templates[TemplateKind.INCIDENT].public_id,
            "incident_template_id": templates[TemplateKind.INCIDENT].public_id,
            "maintenance_template_id": templates[TemplateKind.MAINTENANCE].public_id,
            "kind": TemplateKind.INCIDENT.value,
            "user_id": users[Role.COMMUNICATOR].public_id,
            "key_id": key.public_id,
        }
        from statuspage.subscribers.imports import check_file

        # Keep the walker's uploaded file out of the source tree's instance folder.
        app.config["SUBSCRIBER_IMPORT_DIR"] = tempfile.mkdtemp(prefix="walker-imports-")
        from statuspage.subscribers.services import subscribe

        subscriber = subscribe(
            "email", "walker@example.com", staff=True, skip_confirmation=True, actor="walker"
        ).subscriber
        upload = check_file(
            b"channel,target\nemail,walked@example.com\n",
            "walker.csv",
            allow_apprise=True,
            actor="walker",
        )
        ids["subscriber_id"] = subscriber.public_id
        ids["import_id"] = upload.id
        from statuspage.notifications.broadcasts import create_channel, send_test

        channel = create_channel("Walker channel", "json://127.0.0.1:9/", actor="walker")
        ids["channel_id"] = str(channel.id)
        ids["event_id"] = str(send_test(channel, actor="walker").id)
        ids.update(_alerts_ids(component))
        from statuspage.customers.imports import check_file as check_customers
        from statuspage.customers.services import CustomerInput, create_customer
        from statuspage.internal.models import IntegrationKind, InternalIncident

        customer = create_customer(
            CustomerInput(name="Walker Corp", domains=["walker.example"], components=[component]),
            actor="walker",
        )
        app.config["CUSTOMER_IMPORT_DIR"] = tempfile.mkdtemp(prefix="walker-customers-")
        customer_upload = check_customers(
            b"name,domains\nWalked Ltd,walked.example\n", "walker.csv", actor="walker"
        )
        internal = InternalIncident(
            source=IntegrationKind.GENERIC, external_id="walker", title="Walker alert"
        )
        internal.components = [component]
        session.add(internal)
        session.commit()
        ids["customer_id"] = customer.public_id
        ids["customer_import_id"] = customer_upload.id
        ids["internal_incident_id"] = internal.public_id
        emails = {role: user.email for role, user in users.items()}
        db.session.remove()
    return World(ids=ids, emails=emails, password=DEMO_PASSWORD)


def _alerts_ids(component: Any) -> dict[str, str]:
    """Create an integration, an internal incident from a real alert and a mapping rule."""
    from statuspage.internal.models import IntegrationKind
    from statuspage.internal.parsers import NormalisedAlert
    from statuspage.internal.services import create_integration, create_mapping_rule, ingest

    integration, _secret = create_integration(IntegrationKind.GENERIC, "Walker alerts")
    rule = create_mapping_rule("service", "walker", component, integration)
    alert = NormalisedAlert(
        external_id="walker-1",
        dedup_key="walker-1-triggered",
        event_type="triggered",
        status=None,
        title="Walker alert",
        occurred_at=None,
        labels={"service": "walker"},
    )
    ingest(integration, [alert])
    from statuspage.internal.queries import internal_rows
    from statuspage.internal.services import find_internal_incident

    [row] = internal_rows()
    assert find_internal_incident(row.public_id) is not None
    return {
        "integration_id": integration.public_id,
        "internal_id": row.public_id,
        "mapping_rule_id": rule.public_id,
    }


def url_for_rule(rule: Rule, world: World) -> str:
    """Build the rule's URL with real ids; fail loudly on an argument nobody taught us."""
    values = {}
    for argument in sorted(rule.arguments):
        if argument not in world.ids:
            raise AssertionError(
                f"route {rule.rule} ({rule.endpoint}) takes <{argument}>, which the role walker "
                "cannot fill: teach build_world() in tests/admin/walker.py a real value for it"
            )
        values[argument] = world.ids[argument]
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def admin_rules(app: Flask) -> Iterator[Rule]:
    """Yield every console route, in a stable order."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    yield from sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def support_rules(app: Flask) -> Iterator[Rule]:
    """Yield every support-view route, in a stable order."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("support.")]
    yield from sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def methods(rule: Rule) -> list[str]:
    """Return the methods this walk exercises on a rule (GET and POST)."""
    return [m for m in ("GET", "POST") if m in (rule.methods or set())]


def required(app: Flask, rule: Rule) -> Role:
    """Return the least role the rule's view needs."""
    from statuspage.admin.access import required_role

    return required_role(app.view_functions[rule.endpoint])


def counts(app: Flask) -> dict[str, int]:
    """Return the number of rows of every table (the audit log included)."""
    from statuspage.extensions import db

    with app.app_context():
        result = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return result


def sign_in_as(app: Flask, world: World, role: Role) -> FlaskClient:
    """Return a new test client signed in through the real form."""
    client = app.test_client()
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": world.emails[role],
            "password": world.password,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302, response.text
    return client


class _FormScraper(HTMLParser):
    """Collect the fields of the POST forms on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str | None, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = []
            self.forms.append((a.get("action") or None, self._fields))
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = []
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._option_value is None and self._select is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "option" and self._select is not None:
            value = self._option_value
            if value is None:
                value = "".join(self._option_text).strip()
            if self._first_option is None:
                self._first_option = value
            if self._option_selected:
                self._select_value = value
            self._option_value, self._option_selected = None, False
        elif tag == "select" and self._select is not None and self._fields is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            if value is not None:
                self._fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


# Text put into empty required-looking fields so a form would pass validation.
_FILLERS = {
    "name": "Role walker",
    "title": "Role walker",
    "body": "Written by the role walker.",
    "message": "Written by the role walker.",
    "label": "Role walker",
}


def form_payload(page_html: str, url: str) -> dict[str, Any] | None:
    """Return what submitting the page's form that posts to url would send, or None."""
    scraper = _FormScraper()
    scraper.feed(page_html)
    path = urlsplit(url).path
    for action, fields in scraper.forms:
        target = urlsplit(action).path if action else path
        if target != path:
            continue
        payload: dict[str, Any] = {}
        for name, value in fields:
            if name == "csrf_token":
                continue
            if not value and name in _FILLERS:
                value = _FILLERS[name]
            payload.setdefault(name, []).append(value)
        return {k: v[0] if len(v) == 1 else v for k, v in payload.items()}
    return None
