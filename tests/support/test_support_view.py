"""The support view: Now, customer lookup with deliveries, blast radius, wording; read-only."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from statuspage.components.models import ComponentStatus
from statuspage.customers.models import Customer
from statuspage.incidents.models import Incident
from statuspage.internal.models import IntegrationKind, InternalIncident, Severity
from statuspage.support.models import ApprovedWording, SupportNote

from ..admin.conftest import csrf_from, post_form
from ..admin.console_pages import db_session, field_errors, row_counts
from ..htmltree import parse

WORDING = "We know the API is slow for some of you. No data is lost; next update by 13:00."


@dataclass(frozen=True)
class World:
    incident: str
    acme: str
    globex: str
    alert: str


def add_alert(app, title: str, component_names: list[str], *, link: str = "") -> str:
    """Open an internal incident directly (what the alert hooks will do)."""
    from statuspage.components.models import Component
    from statuspage.db import unit_of_work

    with db_session(app) as session, unit_of_work():
        alert = InternalIncident(
            source=IntegrationKind.GENERIC,
            external_id=title,
            title=title,
            severity=Severity.P1,
            links=[{"title": "Runbook", "url": link}] if link else [],
        )
        alert.components = list(
            session.scalars(sa.select(Component).where(Component.name.in_(component_names)))
        )
        session.add(alert)
        session.flush()
        return alert.public_id


@pytest.fixture
def world(app, staff, frozen_clock) -> World:
    from statuspage.components.services import create_component
    from statuspage.customers.services import CustomerInput, create_customer
    from statuspage.db import unit_of_work
    from statuspage.incidents.services import create_incident
    from statuspage.notifications.models import Delivery, DeliveryState, OutboxEvent
    from statuspage.subscribers.services import subscribe
    from statuspage.support.services import save_note

    with db_session(app) as session:
        api, web = create_component("API"), create_component("Web")
        acme = create_customer(
            CustomerInput(
                name="Acme",
                external_id="CRM-1",
                domains=["acme.com"],
                plan="Gold",
                components=[api],
            )
        )
        globex = create_customer(
            CustomerInput(name="Globex", domains=["globex.com"], components=[web])
        )
        jane = subscribe("email", "jane@acme.com", staff=True, skip_confirmation=True).subscriber
        subscribe("email", "ops@eu.acme.com", staff=True, skip_confirmation=True, components=[api])
        subscribe("email", "bob@globex.com", staff=True, skip_confirmation=True, components=[web])
        subscribe("webhook", "https://hooks.example.com/x", staff=True, skip_confirmation=True)
        incident = create_incident(
            "API is slow",
            "investigating",
            "We are looking into slow API responses.",
            {api: ComponentStatus.DEGRADED_PERFORMANCE},
        )
        save_note(
            incident,
            wording={"en": WORDING, "de": "Die API ist langsam."},
            expected_resolution_at=datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
            actor="comms@example.com",
        )
        with unit_of_work():
            event = OutboxEvent(
                kind="incident.created", payload={"context": {"incident": {"name": "API is slow"}}}
            )
            session.add(event)
            session.flush()
            session.add(
                Delivery(
                    event_id=event.id,
                    subscriber_id=jane.id,
                    channel=jane.channel,
                    state=DeliveryState.FAILED,
                    attempts=2,
                    key="k1",
                    last_error="550 mailbox full",
                )
            )
        alert = add_alert(app, "db-primary down", ["API"], link="javascript:alert(1)")
        return World(incident.public_id, acme.public_id, globex.public_id, alert)


def test_now_shows_incidents_with_due_update_eta_wording_and_reach(app, world, signed_in):
    client = signed_in("support")
    page = client.get("/support/")
    assert page.status_code == 200
    doc = parse(page.text)
    [card] = doc.by_attr("data-incident-id", world.incident)
    text = card.text
    assert "API is slow" in text
    assert "Investigating" in text
    assert "We are looking into slow API responses." in text  # the last public update
    # Degraded API: minor impact, next public update due 60 minutes after the last one.
    assert "Nov 25, 2026, 1:00" in text
    assert "2:00" in text  # the ETA
    assert WORDING in text
    assert "Die API ist langsam." in text
    assert card.find(cls="customers-affected").text == "1"
    [alert] = doc.by_attr("data-incident-id", world.alert)
    assert "db-primary down" in alert.text
    assert "P1" in alert.text
    # A link an alert source sent with a dangerous scheme is not shown.
    assert "javascript:" not in page.text

    state = client.get("/support/now.json").get_json()
    assert state["changed"]
    assert world.incident in state["html"]
    assert world.alert in state["html"]
    again = client.get(f"/support/now.json?version={state['version']}").get_json()
    assert again == {"version": state["version"], "changed": False}
    new = add_alert(app, "cache cluster degraded", ["Web"])
    after = client.get(f"/support/now.json?version={state['version']}").get_json()
    assert after["changed"]
    assert new in after["html"]


def test_a_customer_looked_up_by_email_shows_subscriptions_incidents_and_deliveries(
    app, world, signed_in
):
    client = signed_in("support")
    results = client.get("/support/customers?q=Jane@Acme.com")
    doc = parse(results.text)
    [row] = doc.by_attr("data-customer-id", world.acme)
    assert not doc.by_attr("data-customer-id", world.globex)
    link = row.all(lambda n: n.tag == "a")[0].attrs["href"]
    detail = client.get(link)
    assert detail.status_code == 200
    page = parse(detail.text)
    subscriptions = page.one("id", "subscriptions").text
    assert "jane@acme.com" in subscriptions
    assert "ops@eu.acme.com" in subscriptions
    assert "bob@globex.com" not in subscriptions
    assert page.by_attr("data-incident-id", world.incident)
    assert page.by_attr("data-incident-id", world.alert)
    deliveries = page.one("id", "deliveries").text
    assert "550 mailbox full" in deliveries
    assert "API is slow" in deliveries
    assert "failed" in deliveries
    # Globex uses Web only: nothing affects them.
    other = parse(client.get(f"/support/customers/{world.globex}").text)
    assert not other.by_attr("data-incident-id", world.incident)
    assert client.get("/support/customers/nosuchcustomer").status_code == 404


def test_blast_radius_counts_customers_and_subscribers_per_channel(app, world, signed_in):
    client = signed_in("support")
    doc = parse(client.get(f"/support/incidents/{world.incident}").text)
    customers = doc.one("id", "affected-customers")
    assert [r.attrs["data-customer-id"] for r in customers.by_attr("data-customer-id")] == [
        world.acme
    ]
    counts = {
        r.attrs["data-channel"]: r.find(cls="count").text
        for r in doc.one("id", "subscribers-per-channel").by_attr("data-channel")
    }
    # jane (everything) + ops (API) by email, the webhook (everything); bob follows Web only.
    assert counts == {"email": "2", "webhook": "1", "total": "3"}
    internal = parse(client.get(f"/support/internal/{world.alert}").text)
    assert internal.one("id", "customers-count").text == "1"


def test_support_may_not_edit_customers_or_wording(app, world, signed_in):
    client = signed_in("support")
    before = row_counts(app, Customer, SupportNote, ApprovedWording)
    token = csrf_from(client.get("/admin/").text)
    for url in (
        "/admin/customers/new",
        f"/admin/customers/{world.acme}",
        f"/admin/customers/{world.acme}/delete",
        "/admin/customers/import",
        f"/admin/incidents/{world.incident}/wording",
    ):
        assert (
            client.post(url, data={"csrf_token": token, "name": "x", "body": "x"}).status_code
            == 403
        )
    assert client.get("/admin/customers/export.csv").status_code == 403
    listing = client.get("/admin/customers")
    assert listing.status_code == 200
    assert "Acme" in listing.text
    assert "/admin/customers/new" not in listing.text
    assert row_counts(app, Customer, SupportNote, ApprovedWording) == before


def test_a_communicator_edits_the_wording_with_translations_and_eta(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/incidents/{world.incident}/wording"
    form = client.get(url)
    assert WORDING in form.text
    assert "Die API ist langsam." in form.text
    bad = post_form(
        client,
        url,
        {"body": "Hello", "translations-0-locale": "not a code!", "translations-0-body": "x"},
    )
    assert bad.status_code == 400
    assert "not a language code" in field_errors(bad.text)["body"]
    saved = post_form(
        client,
        url,
        {
            "body": "New approved text.",
            "translations-0-locale": "de",
            "translations-0-body": "",  # removes German
            "translations-1-locale": "fr",
            "translations-1-body": "Texte approuvé.",
            "expected_resolution_at": "2026-11-25T16:30",
        },
    )
    assert saved.status_code == 302
    with db_session(app) as session:
        note = session.scalars(sa.select(SupportNote)).one()
        assert {w.locale: w.body for w in note.wordings} == {
            "en": "New approved text.",
            "fr": "Texte approuvé.",
        }
        assert note.expected_resolution_at is not None
        assert note.updated_by == "comms@example.com"
    detail = client.get(f"/admin/incidents/{world.incident}")
    assert "New approved text." in parse(detail.text).one("id", "support-wording").text
    # The public page never shows it.
    public = client.get(f"/incidents/{world.incident}")
    assert "New approved text." not in public.text
    assert "Texte approuvé." not in public.text


def test_deleting_an_incident_deletes_its_note(app, world):
    from statuspage.incidents.services import delete_incident

    with db_session(app) as session:
        incident = session.scalars(
            sa.select(Incident).where(Incident.public_id == world.incident)
        ).one()
        delete_incident(incident)
        assert session.scalar(sa.select(sa.func.count(SupportNote.id))) == 0
        assert session.scalar(sa.select(sa.func.count(ApprovedWording.id))) == 0


def test_console_customer_pages_add_edit_import_export(app, world, signed_in, tmp_path):
    app.config["CUSTOMER_IMPORT_DIR"] = str(tmp_path)
    client = signed_in("communicator")
    bad = post_form(client, "/admin/customers/new", {"name": "", "domains": "acme.com"})
    assert bad.status_code == 400
    errors = field_errors(bad.text)
    assert "name" in errors
    assert "already belongs to Acme" in errors["domains"]
    ok = post_form(
        client, "/admin/customers/new", {"name": "Initech", "domains": "Initech.com, initech.io"}
    )
    assert ok.status_code == 302
    assert "initech.com, initech.io" in client.get("/admin/customers?q=initech.io").text
    export = client.get("/admin/customers/export.csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    assert (
        export.text.splitlines()[0] == "id,name,external_id,domains,plan,language,components,notes"
    )
    upload = client.get("/admin/customers/import")
    checked = client.post(
        "/admin/customers/import",
        data={
            "csrf_token": csrf_from(upload.text),
            "file": (io.BytesIO(b"name,domains\nHooli,hooli.com\nBad,acme.com\n"), "c.csv"),
        },
        content_type="multipart/form-data",
    )
    assert checked.status_code == 302
    report = client.get(checked.headers["Location"])
    assert "1 new customer" in report.text
    assert "acme.com already belongs to Acme" in report.text
    with db_session(app) as session:
        assert session.scalar(sa.select(Customer).where(Customer.name == "Hooli")) is None
    done = post_form(client, checked.headers["Location"], {})
    assert done.status_code == 302
    with db_session(app) as session:
        assert session.scalar(sa.select(Customer).where(Customer.name == "Hooli")) is not None


def test_an_invalid_update_due_setting_stops_the_app_naming_it(monkeypatch, tmp_path):
    from statuspage.config import load_config

    monkeypatch.setenv("STATUSPAGE_UPDATE_DUE_MINUTES", "critical=soon")
    with pytest.raises(RuntimeError, match="STATUSPAGE_UPDATE_DUE_MINUTES"):
        load_config(str(tmp_path))
    monkeypatch.setenv("STATUSPAGE_UPDATE_DUE_MINUTES", "critical=5, minor=20")
    assert load_config(str(tmp_path))["UPDATE_DUE_MINUTES"] == "critical=5, minor=20"


def test_the_update_due_setting_moves_the_due_time(app, world, signed_in):
    app.config["UPDATE_DUE_MINUTES"] = "minor=20"
    page = signed_in("support").get("/support/")
    [card] = parse(page.text).by_attr("data-incident-id", world.incident)
    # Minor impact, last update at 12:00: due 20 minutes later instead of the default 60.
    assert "12:20" in card.text


def test_an_alert_gets_its_own_wording_and_support_sees_it(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/internal/{world.alert}/wording"
    assert client.get(url).status_code == 200
    saved = post_form(client, url, {"body": "The database is failing over; expect errors."})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/support/internal/{world.alert}")
    now = parse(client.get("/support/").text)
    [card] = now.by_attr("data-incident-id", world.alert)
    assert "The database is failing over; expect errors." in card.text
    # Communicators get the edit links on the support view; support does not.
    assert url in client.get("/support/").text
    assert url not in signed_in("support").get("/support/").text
