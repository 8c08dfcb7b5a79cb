"""Groups and components in the console: create, edit, reorder, hide, set status, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    StatusCause,
)

from .conftest import csrf_from, post_form
from .console_pages import component_statuses, db_session, field_errors, public_order, row_counts

MODELS = (Component, ComponentGroup, ComponentStatusChange)


@dataclass(frozen=True)
class World:
    core: str  # group: API, Database
    edge: str  # group: CDN
    api: str
    database: str
    cdn: str
    status_page: str  # ungrouped, last


@pytest.fixture
def world(app, staff, frozen_clock) -> World:
    from statuspage.components.services import create_component, create_group

    with db_session(app):
        core = create_group("Core")
        edge = create_group("Edge")
        api = create_component("API", group=core)
        database = create_component("Database", group=core)
        cdn = create_component("CDN", group=edge)
        status_page = create_component("Status page")
        return World(
            core.public_id,
            edge.public_id,
            api.public_id,
            database.public_id,
            cdn.public_id,
            status_page.public_id,
        )


def positions(app) -> dict[str, int]:
    with db_session(app) as session:
        rows = session.execute(sa.select(Component.name, Component.position)).all()
        groups = session.execute(sa.select(ComponentGroup.name, ComponentGroup.position)).all()
        return dict(rows) | {f"group:{n}": p for n, p in groups}


def move(client, url: str, direction: str):
    token = csrf_from(client.get("/admin/components").text)
    return client.post(url, data={"csrf_token": token, "direction": direction})


def test_list_shows_groups_and_components_in_page_order(signed_in, world):
    page = signed_in("support").get("/admin/components")
    assert page.status_code == 200
    text = page.text
    markers = [
        f'data-group-id="{world.core}"',
        f'data-component-id="{world.api}"',
        f'data-component-id="{world.database}"',
        f'data-group-id="{world.edge}"',
        f'data-component-id="{world.cdn}"',
        f'data-component-id="{world.status_page}"',
    ]
    order = [text.index(marker) for marker in markers]
    assert order == sorted(order)
    # Support sees no write controls.
    assert "Add a component" not in text
    assert "/status" not in text


def test_create_group_and_component_through_the_forms(app, signed_in, world):
    client = signed_in("communicator")
    new_group = client.get("/admin/components/groups/new")
    assert new_group.status_code == 200
    response = post_form(
        client,
        "/admin/components/groups/new",
        {"name": "Regions", "description": "Where it runs", "visible": "y", "collapsed": "y"},
    )
    assert response.status_code == 302, field_errors(response.text)
    with db_session(app) as session:
        regions = session.scalar(sa.select(ComponentGroup).where(ComponentGroup.name == "Regions"))
        assert (regions.collapsed, regions.visible, regions.description) == (
            True,
            True,
            "Where it runs",
        )
        regions_id = regions.public_id

    form = client.get("/admin/components/new")
    # New components start today in the page's zone.
    assert 'value="2026-11-25"' in form.text
    response = post_form(
        client,
        "/admin/components/new",
        {
            "name": "EU West",
            "group": regions_id,
            "start_date": "2026-11-01",
            "showcase": "y",
            "visible": "y",
        },
    )
    assert response.status_code == 302, field_errors(response.text)
    with db_session(app) as session:
        eu = session.scalar(sa.select(Component).where(Component.name == "EU West"))
        assert eu.group.public_id == regions_id
        assert eu.start_date == date(2026, 11, 1)
        assert eu.only_show_if_degraded is False
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "component.create")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry.actor_label == "comms@example.com"
    # Groups and ungrouped components share one order; the new group went last.
    assert public_order(client.get("/").text) == ["Core", "Edge", "Status page", "Regions"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "api", "group": "CORE"}, "name"),  # duplicate in the group, any case
        ({"name": "Cache", "group": "nosuchgroup"}, "group"),
        ({"name": "Cache", "start_date": "someday"}, "start_date"),
        ({"name": "Cache", "description": "x" * 2001}, "description"),
    ],
)
def test_component_form_refuses_bad_input_and_writes_nothing(app, signed_in, world, data, field):
    client = signed_in("communicator")
    if data.get("group") == "CORE":
        data = {**data, "group": world.core}
    before = row_counts(app, *MODELS)
    response = post_form(client, "/admin/components/new", data)
    assert response.status_code == 400
    assert field in field_errors(response.text), field_errors(response.text)
    assert row_counts(app, *MODELS) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "EDGE"}, "name"), ({"name": "x" * 201}, "name")],
)
def test_group_form_refuses_bad_input_and_writes_nothing(app, signed_in, world, data, field):
    client = signed_in("communicator")
    before = row_counts(app, *MODELS)
    response = post_form(client, "/admin/components/groups/new", data)
    assert response.status_code == 400
    assert field in field_errors(response.text)
    assert row_counts(app, *MODELS) == before


def test_duplicate_name_is_allowed_in_another_group_but_not_when_moving_in(
    app, signed_in, world
):
    client = signed_in("communicator")
    ok = post_form(client, "/admin/components/new", {"name": "API", "group": world.edge})
    assert ok.status_code == 302
    before = row_counts(app, *MODELS)
    clash = post_form(
        client, f"/admin/components/{world.cdn}", {"name": "Database", "group": world.core}
    )
    assert clash.status_code == 400
    assert field_errors(clash.text) == {
        "name": "This group already has a component with this name."
    }
    assert row_counts(app, *MODELS) == before


def test_editing_moves_a_component_to_the_end_of_its_new_group(app, signed_in, world):
    client = signed_in("communicator")
    page = client.get(f"/admin/components/{world.api}")
    assert 'value="API"' in page.text
    response = post_form(
        client,
        f"/admin/components/{world.api}",
        {"name": "Public API", "group": world.edge, "visible": "y", "showcase": "y"},
    )
    assert response.status_code == 302, field_errors(response.text)
    assert positions(app) == {
        "Database": 0,  # the old group closed the gap
        "CDN": 0,
        "Public API": 1,
        "Status page": 2,
        "group:Core": 0,
        "group:Edge": 1,
    }
    with db_session(app) as session:
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "component.update"))
        assert (entry.before["name"], entry.after["name"]) == ("API", "Public API")
        assert entry.after["group"] == world.edge


def test_group_edit_saves_and_refuses_duplicates(app, signed_in, world):
    client = signed_in("communicator")
    url = f"/admin/components/groups/{world.edge}"
    assert post_form(client, url, {"name": "Core"}).status_code == 400
    response = post_form(client, url, {"name": "Edge network", "collapsed": "y"})
    assert response.status_code == 302
    with db_session(app) as session:
        edge = session.scalar(
            sa.select(ComponentGroup).where(ComponentGroup.public_id == world.edge)
        )
        assert (edge.name, edge.collapsed, edge.visible) == ("Edge network", True, False)


def test_set_status_manually_is_recorded_and_shown_on_the_public_page(app, signed_in, world):
    client = signed_in("communicator")
    prefix = f"status-{world.api}"
    token = csrf_from(client.get("/admin/components").text)
    response = client.post(
        f"/admin/components/{world.api}/status",
        data={
            f"{prefix}-csrf_token": token,
            f"{prefix}-status": "partial_outage",
            f"{prefix}-note": "Error rate up in eu-west",
        },
    )
    assert response.status_code == 302
    with db_session(app) as session:
        [change] = session.scalars(sa.select(ComponentStatusChange)).all()
        assert change.cause is StatusCause.MANUAL
        assert change.status.value == "partial_outage"
        assert change.incident_id is None
        assert change.actor_id is not None
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "component.status"))
        assert entry.actor_label == "comms@example.com"
        assert entry.after["note"] == "Error rate up in eu-west"
    assert component_statuses(client.get("/").text)[world.api] == "partial_outage"


@pytest.mark.parametrize(
    ("data", "field"), [({"status": "on_fire"}, "status"), ({"note": "x" * 1001}, "note")]
)
def test_set_status_refuses_bad_input_beside_the_field(app, signed_in, world, data, field):
    client = signed_in("communicator")
    prefix = f"status-{world.api}"
    token = csrf_from(client.get("/admin/components").text)
    before = row_counts(app, *MODELS)
    payload = {"status": "major_outage", **data}
    response = client.post(
        f"/admin/components/{world.api}/status",
        data={f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in payload.items()}},
    )
    assert response.status_code == 400
    assert f"{prefix}-{field}" in field_errors(response.text)
    assert row_counts(app, *MODELS) == before


def test_set_status_without_token_writes_nothing(app, signed_in, world):
    client = signed_in("communicator")
    before = row_counts(app, *MODELS)
    response = client.post(
        f"/admin/components/{world.api}/status",
        data={f"status-{world.api}-status": "major_outage"},
    )
    assert response.status_code == 400
    assert "open too long" in response.text
    assert row_counts(app, *MODELS) == before


def test_reorder_changes_the_public_order_and_keeps_positions_dense(app, signed_in, world):
    client = signed_in("communicator")
    assert public_order(client.get("/").text) == ["Core", "Edge", "Status page"]
    move(client, f"/admin/components/{world.status_page}/move", "up")
    move(client, f"/admin/components/groups/{world.core}/move", "down")
    assert public_order(client.get("/").text) == ["Status page", "Core", "Edge"]
    # Moving past the end does nothing.
    move(client, f"/admin/components/groups/{world.edge}/move", "down")
    assert public_order(client.get("/").text) == ["Status page", "Core", "Edge"]

    move(client, f"/admin/components/{world.database}/move", "up")
    public = client.get("/").text
    assert public.index("Database") < public.index('class="component-name">API')
    assert positions(app) == {
        "Database": 0,
        "API": 1,
        "CDN": 0,
        "Status page": 0,
        "group:Core": 1,
        "group:Edge": 2,
    }


def test_move_needs_a_direction(app, signed_in, world):
    client = signed_in("communicator")
    before = positions(app)
    assert move(client, f"/admin/components/{world.api}/move", "sideways").status_code == 400
    assert positions(app) == before


def test_hidden_components_and_groups_disappear_from_the_public_page(app, signed_in, world):
    client = signed_in("communicator")
    token = csrf_from(client.get("/admin/components").text)
    hide = client.post(
        f"/admin/components/{world.api}/visibility", data={"csrf_token": token, "visible": "0"}
    )
    assert hide.status_code == 302
    statuses = component_statuses(client.get("/").text)
    assert world.api not in statuses
    assert world.database in statuses

    client.post(
        f"/admin/components/groups/{world.edge}/visibility",
        data={"csrf_token": token, "visible": "0"},
    )
    assert world.cdn not in component_statuses(client.get("/").text)
    # Still listed in the console, marked hidden.
    console = client.get("/admin/components").text
    assert "CDN" in console
    assert 'data-flag="hidden"' in console

    client.post(
        f"/admin/components/{world.api}/visibility", data={"csrf_token": token, "visible": "1"}
    )
    assert world.api in component_statuses(client.get("/").text)


def test_delete_component_after_confirmation(app, signed_in, world):
    from statuspage.components.services import find_component, set_component_status

    with db_session(app):
        set_component_status(find_component(world.api), "major_outage", cause=StatusCause.MANUAL)
    client = signed_in("communicator")
    confirm = client.get(f"/admin/components/{world.api}/delete")
    assert confirm.status_code == 200
    assert "Delete “API”?" in confirm.text
    stale = client.post(f"/admin/components/{world.api}/delete", data={})
    assert stale.status_code == 400
    response = post_form(client, f"/admin/components/{world.api}/delete", {})
    assert response.status_code == 302
    with db_session(app) as session:
        assert session.scalar(sa.select(Component).where(Component.name == "API")) is None
        assert session.scalars(sa.select(ComponentStatusChange)).all() == []
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "component.delete"))
        assert entry.before["name"] == "API"
        assert entry.actor_label == "comms@example.com"
    assert positions(app)["Database"] == 0
    assert world.api not in component_statuses(client.get("/").text)


def test_delete_group_keeps_its_components_where_it_was(app, signed_in, world):
    client = signed_in("communicator")
    response = post_form(client, f"/admin/components/groups/{world.core}/delete", {})
    assert response.status_code == 302
    assert public_order(client.get("/").text) == ["API", "Database", "Edge", "Status page"]
    with db_session(app) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "component_group.delete")
        )
        assert entry.before["components"] == [world.api, world.database]


def test_support_gets_403_on_every_write(app, signed_in, world):
    client = signed_in("support")
    token = csrf_from(client.get("/admin/components").text)
    before = row_counts(app, *MODELS)
    gets = [
        "/admin/components/new",
        "/admin/components/groups/new",
        f"/admin/components/{world.api}",
        f"/admin/components/groups/{world.core}",
        f"/admin/components/{world.api}/delete",
        f"/admin/components/groups/{world.core}/delete",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        *gets,
        f"/admin/components/{world.api}/move",
        f"/admin/components/{world.api}/visibility",
        f"/admin/components/{world.api}/status",
        f"/admin/components/groups/{world.core}/move",
        f"/admin/components/groups/{world.core}/visibility",
    ]
    for url in posts:
        response = client.post(
            url,
            data={"csrf_token": token, "name": "X", "direction": "up", "visible": "0"},
        )
        assert response.status_code == 403, url
    assert row_counts(app, *MODELS) == before
