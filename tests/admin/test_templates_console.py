"""Message templates in the console: create, edit, delete, reorder, preview."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.incidents.models import MessageTemplate, TemplateKind, template_component

from .conftest import csrf_from, post_form
from .console_pages import db_session, field_errors, parse, row_counts


@dataclass(frozen=True)
class World:
    api: str
    database: str


@pytest.fixture
def world(app, staff, frozen_clock) -> World:
    from statuspage.components.services import create_component
    from statuspage.site.models import PageSettings

    with db_session(app) as session:
        session.add(PageSettings(name="Acme Status", time_zone="Europe/Berlin"))
        session.commit()
        return World(create_component("API").public_id, create_component("Database").public_id)


def incident_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Slow API",
        "title": "Slow responses from {component}",
        "body": "We are looking into slow responses on {page}.",
        "status": "investigating",
        "components": [world.api],
        "component_status": "degraded_performance",
        "notify": "y",
    }
    data.update(overrides)
    return data


def templates(app) -> list[MessageTemplate]:
    with db_session(app) as session:
        rows = session.scalars(
            sa.select(MessageTemplate).order_by(MessageTemplate.kind, MessageTemplate.position)
        ).all()
        for row in rows:
            _ = row.components
        session.expunge_all()
        return list(rows)


def test_create_incident_template_and_see_the_filled_preview(app, signed_in, world):
    client = signed_in("communicator")
    assert client.get("/admin/templates/new?kind=incident").status_code == 200
    response = post_form(client, "/admin/templates/new?kind=incident", incident_data(world))
    assert response.status_code == 302, field_errors(response.text)
    [template] = templates(app)
    assert template.kind is TemplateKind.INCIDENT
    assert template.title == "Slow responses from {component}"
    assert template.component_status.value == "degraded_performance"
    assert [c.public_id for c in template.components] == [world.api]
    assert template.notify is True

    listing = client.get("/admin/templates").text
    assert "Slow responses from API" in listing  # the filled title
    assert "We are looking into slow responses on Acme Status." in listing
    for variable in ("{component}", "{components}", "{start}", "{end}", "{page}"):
        assert variable in listing
    with db_session(app) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "message_template.create")
        )
        assert entry.actor_label == "comms@example.com"


def test_create_maintenance_template_fills_times_in_the_preview(app, signed_in, world):
    client = signed_in("communicator")
    page = client.get("/admin/templates/new?kind=maintenance")
    assert "component_status" not in page.text
    response = post_form(
        client,
        "/admin/templates/new?kind=maintenance",
        {
            "name": "Upgrade",
            "title": "{component} upgrade from {start}",
            "body": "Until {end}.",
            "status": "scheduled",
            "components": [world.database],
        },
    )
    assert response.status_code == 302, field_errors(response.text)
    [template] = templates(app)
    assert (template.kind, template.status, template.notify) == (
        TemplateKind.MAINTENANCE,
        "scheduled",
        False,
    )
    assert template.component_status is None
    listing = client.get("/admin/templates").text
    # Example window: tomorrow at the next full hour, page time.
    assert "Database upgrade from 2026-11-26 14:00 CET" in listing


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"title": " "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"body": "x" * 20_001}, "body"),
        ({"status": "on_fire"}, "status"),
        ({"status": "postmortem"}, "status"),
        ({"components": ["nosuchcompo"]}, "components"),
        ({"component_status": "on_fire"}, "component_status"),
        ({"component_status": ""}, "component_status"),  # components chosen, no status
    ],
)
def test_bad_input_is_refused_beside_the_field_and_writes_nothing(
    app, signed_in, world, overrides, field
):
    client = signed_in("communicator")
    before = row_counts(app, MessageTemplate, template_component)
    response = post_form(
        client, "/admin/templates/new?kind=incident", incident_data(world, **overrides)
    )
    assert response.status_code == 400
    assert field in field_errors(response.text), field_errors(response.text)
    assert row_counts(app, MessageTemplate, template_component) == before


def test_duplicate_names_are_refused_within_a_kind_only(app, signed_in, world):
    client = signed_in("communicator")
    post_form(client, "/admin/templates/new?kind=incident", incident_data(world))
    before = row_counts(app, MessageTemplate)
    clash = post_form(
        client, "/admin/templates/new?kind=incident", incident_data(world, name="SLOW API")
    )
    assert clash.status_code == 400
    assert field_errors(clash.text) == {
        "name": "Another template of this kind already has this name."
    }
    assert row_counts(app, MessageTemplate) == before
    other_kind = post_form(
        client,
        "/admin/templates/new?kind=maintenance",
        {"name": "Slow API", "title": "x", "status": "in_progress"},
    )
    assert other_kind.status_code == 302


def test_stale_form_is_explained_and_writes_nothing(app, signed_in, world):
    client = signed_in("communicator")
    before = row_counts(app, MessageTemplate)
    response = client.post("/admin/templates/new?kind=incident", data=incident_data(world))
    assert response.status_code == 400
    assert "open too long" in response.text
    assert row_counts(app, MessageTemplate) == before


def test_edit_a_template(app, signed_in, world):
    client = signed_in("communicator")
    post_form(client, "/admin/templates/new?kind=incident", incident_data(world))
    [template] = templates(app)
    url = f"/admin/templates/{template.public_id}"
    page = client.get(url)
    assert 'value="Slow responses from {component}"' in page.text
    response = post_form(
        client,
        url,
        incident_data(
            world,
            title="Errors from {components}",
            components=[world.api, world.database],
            component_status="major_outage",
            notify="",
        ),
    )
    assert response.status_code == 302, field_errors(response.text)
    [template] = templates(app)
    assert template.title == "Errors from {components}"
    assert {c.public_id for c in template.components} == {world.api, world.database}
    assert template.notify is False
    with db_session(app) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "message_template.update")
        )
        assert entry.before["title"] == "Slow responses from {component}"
        assert entry.after["title"] == "Errors from {components}"
    bad = post_form(client, url, incident_data(world, title=""))
    assert bad.status_code == 400
    assert "title" in field_errors(bad.text)


def test_reorder_and_delete(app, signed_in, world):
    client = signed_in("communicator")
    for name in ("First", "Second", "Third"):
        post_form(client, "/admin/templates/new?kind=incident", incident_data(world, name=name))
    first, second, third = templates(app)
    token = csrf_from(client.get("/admin/templates").text)
    client.post(
        f"/admin/templates/{third.public_id}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert [t.name for t in templates(app)] == ["First", "Third", "Second"]
    listing = parse(client.get("/admin/templates").text)
    shown = [n.attrs["data-template-id"] for n in listing.by_attr("data-template-id")]
    assert shown == [first.public_id, third.public_id, second.public_id]

    confirm = client.get(f"/admin/templates/{first.public_id}/delete")
    assert confirm.status_code == 200
    assert client.post(f"/admin/templates/{first.public_id}/delete").status_code == 400
    response = post_form(client, f"/admin/templates/{first.public_id}/delete", {})
    assert response.status_code == 302
    remaining = templates(app)
    assert [(t.name, t.position) for t in remaining] == [("Third", 0), ("Second", 1)]
    with db_session(app) as session:
        assert session.scalar(
            sa.select(sa.func.count()).select_from(template_component)
        ) == 2
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "message_template.delete")
        )
        assert entry.before["name"] == "First"


def test_support_reads_the_wording_but_gets_403_on_writes(app, signed_in, world):
    from statuspage.components.services import find_component
    from statuspage.incidents.template_services import create_template

    with db_session(app):
        template = create_template(
            "incident",
            "Slow API",
            "Slow {component}",
            "Approved wording for {component}.",
            "investigating",
            [find_component(world.api)],
            component_status="degraded_performance",
        )
        template_id = template.public_id
    client = signed_in("support")
    listing = client.get("/admin/templates")
    assert listing.status_code == 200
    assert "Approved wording for API." in listing.text
    assert "Add a template" not in listing.text
    token = csrf_from(listing.text)
    before = row_counts(app, MessageTemplate, template_component)
    gets = [
        "/admin/templates/new?kind=incident",
        f"/admin/templates/{template_id}",
        f"/admin/templates/{template_id}/delete",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in [*gets, f"/admin/templates/{template_id}/move"]:
        response = client.post(url, data={"csrf_token": token, "direction": "up", "name": "X"})
        assert response.status_code == 403, url
    assert row_counts(app, MessageTemplate, template_component) == before


def test_unknown_kind_or_template_is_404(signed_in, world):
    client = signed_in("communicator")
    assert client.get("/admin/templates/new?kind=postmortem").status_code == 404
    assert client.get("/admin/templates/nosuchtempl").status_code == 404
