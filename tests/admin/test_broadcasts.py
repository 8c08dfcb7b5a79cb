"""Broadcast channels in the console: add, edit, delete, roles, masking, and a real test send."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from statuspage.audit.models import AuditEntry
from statuspage.notifications.models import BroadcastChannel, OutboxEvent

from ..htmltree import parse
from ..notifications.receiver import Receiver
from .conftest import csrf_from, post_form, sign_in
from .console_pages import db_session, field_errors

SECRET_URL = "slack://TokenA/TokenB/TokenC/#ops"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def channels(app: Flask) -> list[dict[str, object]]:
    with db_session(app) as session:
        return [
            {
                "id": c.id,
                "name": c.name,
                "url": c.apprise_url,
                "components": list(c.component_ids),
                "impact": c.minimum_impact.value,
                "enabled": c.enabled,
            }
            for c in session.scalars(sa.select(BroadcastChannel).order_by(BroadcastChannel.id))
        ]


def actions(app: Flask) -> list[str]:
    with db_session(app) as session:
        return list(
            session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.action.like("broadcast.%"))
                .order_by(AuditEntry.id)
            )
        )


def add(client, name: str = "Ops chat", url: str = SECRET_URL, **extra: object):
    data = {"name": name, "apprise_url": url, "minimum_impact": "none", "enabled": "y", **extra}
    return post_form(client, "/admin/broadcasts/new", data)


def test_admin_adds_edits_and_deletes_a_channel_with_its_url_masked_in_the_list(
    app, signed_in
) -> None:
    from statuspage.components.services import create_component

    with db_session(app):
        api = create_component("API")
        api_id, api_internal = api.public_id, api.id
    client = signed_in("admin")
    response = add(client, components=[api_id], minimum_impact="major")
    assert response.status_code == 302
    [saved] = channels(app)
    assert saved["url"] == SECRET_URL
    assert saved["components"] == [api_internal]
    assert saved["impact"] == "major"

    listing = client.get("/admin/broadcasts").text
    row = parse(listing).find("tr", **{"data-broadcast-id": str(saved["id"])})
    assert "slack://***" in row.text
    assert "TokenA" not in listing
    assert "Nothing sent yet" in row.text

    # Only the edit form shows the URL in full.
    edit_url = f"/admin/broadcasts/{saved['id']}"
    assert SECRET_URL in client.get(edit_url).text
    response = post_form(
        client,
        edit_url,
        {"name": "Ops", "apprise_url": SECRET_URL, "minimum_impact": "none", "enabled": ""},
    )
    assert response.status_code == 302
    [saved] = channels(app)
    assert saved["name"] == "Ops"
    assert saved["components"] == []
    assert saved["enabled"] is False

    delete_url = f"/admin/broadcasts/{saved['id']}/delete"
    page = client.get(delete_url)
    assert "Delete Ops?" in page.text
    assert "TokenA" not in page.text
    assert post_form(client, delete_url, {}).status_code == 302
    assert channels(app) == []
    assert actions(app) == ["broadcast.create", "broadcast.update", "broadcast.delete"]
    with db_session(app) as session:
        details = " ".join(
            str(e.after) + str(e.before)
            for e in session.scalars(
                sa.select(AuditEntry).where(AuditEntry.action.like("broadcast.%"))
            )
        )
    assert "TokenA" not in details


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"apprise_url": ""}, "apprise_url", "Enter an Apprise URL."),
        ({"apprise_url": "not a url"}, "apprise_url", "Enter an Apprise URL"),
        ({"apprise_url": "nosuchservice://x/y"}, "apprise_url", "Apprise does not recognise"),
    ],
)
def test_bad_input_is_explained_beside_the_field(app, signed_in, data, field, message) -> None:
    client = signed_in("admin")
    response = add(client, **data)
    assert response.status_code == 400
    assert message in field_errors(response.text)[field]
    assert channels(app) == []


def test_communicator_and_support_cannot_see_or_change_channels(app, staff, signed_in) -> None:
    add(signed_in("admin"))
    [saved] = channels(app)
    for role in ("communicator", "support"):
        client = app.test_client()
        sign_in(client, getattr(staff, role))
        token = csrf_from(client.get("/admin/account/password").text)
        assert client.get("/admin/broadcasts").status_code == 403
        assert "/admin/broadcasts" not in client.get("/admin/").text
        for action in ("test", "delete", "enable"):
            response = client.post(
                f"/admin/broadcasts/{saved['id']}/{action}", data={"csrf_token": token}
            )
            assert response.status_code == 403
    assert len(channels(app)) == 1
    assert actions(app) == ["broadcast.create"]


def test_unknown_channel_is_a_404(app, signed_in) -> None:
    client = signed_in("admin")
    assert client.get("/admin/broadcasts/999999").status_code == 404


def test_send_test_is_sent_by_the_worker_and_the_console_shows_sent(
    app, signed_in, receiver: Receiver
) -> None:
    from statuspage.clock import utcnow
    from statuspage.notifications.engine import close_senders, run_deliveries
    from statuspage.notifications.planner import plan_events

    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    port = receiver.url.rsplit(":", 1)[1]
    client = signed_in("admin")
    assert add(client, url=f"json://127.0.0.1:{port}/ops").status_code == 302
    [saved] = channels(app)
    listing = client.get("/admin/broadcasts").text
    response = client.post(
        f"/admin/broadcasts/{saved['id']}/test", data={"csrf_token": csrf_from(listing)}
    )
    assert response.status_code == 302
    # The web request only wrote the event: nothing was sent yet.
    with db_session(app) as session:
        [event] = session.scalars(
            sa.select(OutboxEvent).where(OutboxEvent.kind == "broadcast.test")
        ).all()
        assert event.payload == {"broadcast_channel_id": saved["id"]}
        event_id = event.id
    assert receiver.received == []
    row = parse(client.get("/admin/broadcasts").text).find(
        "tr", **{"data-broadcast-id": str(saved["id"])}
    )
    assert "Waiting for the worker" in row.text

    with app.app_context():
        plan_events(utcnow())
        run_deliveries(utcnow(), "test-worker")
        close_senders(app)
    [got] = [r for r in receiver.received if r.path == "/ops"]
    assert "Test message" in got.body.decode()

    row = parse(client.get("/admin/broadcasts").text).find(
        "tr", **{"data-broadcast-id": str(saved["id"])}
    )
    summary = row.one("data-summary")
    assert summary.attrs["data-state"] == "sent"
    assert summary.text == "Sent"
    status = client.get(f"/admin/deliveries/{event_id}/status").get_json()
    assert (status["state"], status["active"], status["totals"]["sent"]) == ("sent", False, 1)
    assert "broadcast.test" in actions(app)
