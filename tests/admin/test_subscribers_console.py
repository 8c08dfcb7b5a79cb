"""Subscribers in the console: list, filters, counts, add, edit, remove, quarantine, CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.subscribers.models import Channel, Subscriber, SubscriberState

from ..htmltree import parse
from .conftest import csrf_from, post_form
from .console_pages import db_session, field_errors

SLACK = "https://hooks.slack.com/services/T0001/B0001/abcdefghijkl"


@dataclass(frozen=True)
class World:
    api: str  # in group Core
    database: str  # in group Core
    cdn: str  # no group
    core: str
    everything: str  # all@example.com follows everything
    chose_api: str  # api@example.com chose API
    chose_core: str  # core@example.com chose the group Core
    pending: str  # an unconfirmed SMS subscriber
    slack: str


@pytest.fixture
def world(app, staff, tmp_path) -> World:
    from statuspage.components.services import create_component, create_group
    from statuspage.subscribers.services import subscribe

    app.config["SUBSCRIBER_IMPORT_DIR"] = str(tmp_path / "imports")
    with db_session(app):
        core = create_group("Core")
        api = create_component("API", group=core)
        database = create_component("Database", group=core)
        cdn = create_component("CDN")

        def add(channel: str, target: str, **kwargs: object) -> str:
            kwargs.setdefault("skip_confirmation", True)
            return subscribe(channel, target, staff=True, **kwargs).subscriber.public_id  # type: ignore[arg-type]

        return World(
            api=api.public_id,
            database=database.public_id,
            cdn=cdn.public_id,
            core=core.public_id,
            everything=add("email", "all@example.com"),
            chose_api=add("email", "api@example.com", components=[api]),
            chose_core=add("email", "core@example.com", groups=[core]),
            pending=add("sms", "+49 151 12345678", skip_confirmation=False),
            slack=add("slack", SLACK),
        )


def subscriber(app, public_id: str) -> dict[str, object] | None:
    with db_session(app) as session:
        found = session.scalar(sa.select(Subscriber).where(Subscriber.public_id == public_id))
        if found is None:
            return None
        return {
            "state": found.state,
            "target": found.target,
            "language": found.language,
            "components": [c.name for c in found.components],
            "groups": [g.name for g in found.groups],
            "kinds": sorted(k.value for k in found.kinds),
        }


def by_target(app, target: str) -> Subscriber | None:
    with db_session(app) as session:
        found = session.scalar(sa.select(Subscriber).where(Subscriber.target == target))
        if found is not None:
            session.expunge(found)
        return found


def listed(markup: str) -> list[str]:
    """Return the addresses the list shows, in order."""
    doc = parse(markup)
    return [n.text.strip() for n in doc.all(lambda n: "target" in n.classes and n.tag == "td")]


def audit_actions(app) -> list[str]:
    with db_session(app) as session:
        return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# --------------------------------------------------------------------------- list


def test_the_list_shows_counts_per_state_channel_and_component(app, world, signed_in):
    client = signed_in("communicator")
    page = client.get("/admin/subscribers")
    assert page.status_code == 200
    doc = parse(page.text)
    states = {
        n.attrs["data-state"]: n.all(lambda m: "count" in m.classes)[0].text
        for n in doc.one("id", "counts-by-state").by_attr("data-state")
    }
    assert states == {"unconfirmed": "1", "active": "4", "quarantined": "0", "unsubscribed": "0"}
    channels = {
        n.attrs["data-channel"]: n.all(lambda m: "count" in m.classes)[0].text
        for n in doc.one("id", "counts-by-channel").by_attr("data-channel")
    }
    assert channels["email"] == "3"
    assert channels["sms"] == "1"
    assert channels["slack"] == "1"
    per_component = {
        n.attrs["data-component-id"]: {
            m.attrs["data-count"]: m.text for m in n.by_attr("data-count")
        }
        for n in doc.one("id", "counts-by-component").by_attr("data-component-id")
    }
    # Active only: everything (all@ and the Slack hook), API directly, Core through the group.
    assert per_component[world.api] == {
        "direct": "1",
        "via_group": "1",
        "everything": "2",
        "total": "4",
    }
    assert per_component[world.database]["total"] == "3"
    assert per_component[world.cdn] == {
        "direct": "0",
        "via_group": "0",
        "everything": "2",
        "total": "2",
    }
    # Chat URLs carry credentials: the list masks them; email addresses are shown.
    shown = listed(page.text)
    assert "all@example.com" in shown
    assert "https://hooks.slack.com/***" in shown
    assert SLACK not in page.text


def test_the_list_filters_by_search_channel_state_and_component(app, world, signed_in):
    client = signed_in("communicator")
    assert set(listed(client.get("/admin/subscribers?q=API@").text)) == {"api@example.com"}
    assert listed(client.get("/admin/subscribers?channel=sms").text) == ["+4915112345678"]
    unconfirmed = client.get("/admin/subscribers?state=unconfirmed").text
    assert listed(unconfirmed) == ["+4915112345678"]
    cdn = set(listed(client.get(f"/admin/subscribers?component={world.cdn}").text))
    # Every state: the unconfirmed SMS subscriber follows everything too.
    assert cdn == {"all@example.com", "https://hooks.slack.com/***", "+4915112345678"}
    api = set(listed(client.get(f"/admin/subscribers?component={world.api}&channel=email").text))
    assert api == {"all@example.com", "api@example.com", "core@example.com"}
    # Unknown filter values are ignored rather than failing.
    page = client.get("/admin/subscribers?channel=pigeon&state=x&component=nope&page=zz")
    assert page.status_code == 200
    assert len(listed(page.text)) == 5


def test_support_reads_the_list_but_cannot_change_anything(app, world, signed_in):
    client = signed_in("support")
    page = client.get("/admin/subscribers")
    assert page.status_code == 200
    assert "all@example.com" in listed(page.text)
    assert "/admin/subscribers/new" not in page.text
    token = csrf_from(page.text)
    for url in (
        f"/admin/subscribers/{world.everything}/quarantine",
        f"/admin/subscribers/{world.everything}/delete",
        "/admin/subscribers/new",
    ):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 403, url
    assert client.get("/admin/subscribers/export.csv").status_code == 403
    assert client.get("/admin/subscribers/import").status_code == 403
    assert subscriber(app, world.everything)["state"] is SubscriberState.ACTIVE  # type: ignore[index]


# --------------------------------------------------------------------------- add / edit


@pytest.mark.parametrize(
    ("channel", "target", "stored", "state"),
    [
        ("email", "New@Example.com", "new@example.com", SubscriberState.UNCONFIRMED),
        ("sms", "+44 20 7946 0958", "+442079460958", SubscriberState.UNCONFIRMED),
        ("webhook", "https://hooks.example.org/status", None, SubscriberState.ACTIVE),
        ("slack", "https://hooks.slack.com/services/T1/B1/xyz", None, SubscriberState.ACTIVE),
        ("discord", "https://discord.com/api/webhooks/123/abc-DEF", None, SubscriberState.ACTIVE),
    ],
)
def test_a_communicator_adds_a_subscriber_on_each_channel(
    app, world, signed_in, channel, target, stored, state
):
    client = signed_in("communicator")
    response = post_form(
        client,
        "/admin/subscribers/new",
        {"channel": channel, "target": target, "components": [world.cdn], "kinds": ["incidents"]},
    )
    assert response.status_code in (200, 302), response.text
    found = by_target(app, stored or target)
    assert found is not None
    assert found.state is state
    assert found.channel is Channel(channel)
    if channel == "webhook":
        # The signing secret is shown once, on the page that follows.
        assert re.search(r"whsec_[0-9a-f]{64}", response.text)
    assert "subscriber.create" in audit_actions(app)


def test_consent_skips_the_confirmation(app, world, signed_in):
    client = signed_in("communicator")
    post_form(
        client,
        "/admin/subscribers/new",
        {
            "channel": "email",
            "target": "agreed@example.com",
            "kinds": ["incidents"],
            "consent": "y",
        },
    )
    found = by_target(app, "agreed@example.com")
    assert found is not None
    assert found.state is SubscriberState.ACTIVE
    assert found.skip_confirmation


def test_bad_input_is_shown_beside_the_fields(app, world, signed_in):
    client = signed_in("communicator")
    response = post_form(
        client, "/admin/subscribers/new", {"channel": "email", "target": "not-an-address"}
    )
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert "target" in errors
    assert 'value="not-an-address"' in response.text
    no_kinds = post_form(
        client, "/admin/subscribers/new", {"channel": "email", "target": "x@example.com"}
    )
    assert no_kinds.status_code == 400
    assert "kinds" in field_errors(no_kinds.text)
    slack = post_form(
        client,
        "/admin/subscribers/new",
        {"channel": "slack", "target": "https://example.com/x", "kinds": ["incidents"]},
    )
    assert slack.status_code == 400
    assert "Slack" in field_errors(slack.text)["target"]
    # Apprise URLs are for admins: a communicator is not even offered the channel.
    apprise = post_form(
        client,
        "/admin/subscribers/new",
        {"channel": "apprise", "target": "json://example.com/x", "kinds": ["incidents"]},
    )
    assert apprise.status_code == 400
    assert "channel" in field_errors(apprise.text)
    assert by_target(app, "json://example.com/x") is None


def test_an_admin_may_add_an_apprise_url(app, world, signed_in):
    client = signed_in("admin")
    response = post_form(
        client,
        "/admin/subscribers/new",
        {"channel": "apprise", "target": "json://example.com/hook", "kinds": ["incidents"]},
    )
    assert response.status_code == 302, response.text
    found = by_target(app, "json://example.com/hook")
    assert found is not None
    assert found.state is SubscriberState.ACTIVE


def test_edit_changes_components_groups_kinds_and_language(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/subscribers/{world.chose_api}"
    page = client.get(url)
    assert page.status_code == 200
    response = post_form(
        client,
        url,
        {
            "components": [world.cdn],
            "groups": [world.core],
            "kinds": ["maintenance", "postmortems"],
            "language": "pt-br",
        },
    )
    assert response.status_code == 302, response.text
    assert subscriber(app, world.chose_api) == {
        "state": SubscriberState.ACTIVE,
        "target": "api@example.com",
        "language": "pt_BR",
        "components": ["CDN"],
        "groups": ["Core"],
        "kinds": ["maintenance", "postmortems"],
    }
    bad = post_form(client, url, {"kinds": ["incidents"], "language": "not a language"})
    assert bad.status_code == 400
    assert "language" in field_errors(bad.text)
    assert "subscriber.update" in audit_actions(app)


def test_remove_asks_first_then_deletes(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/subscribers/{world.everything}/delete"
    page = client.get(url)
    assert page.status_code == 200
    assert "all@example.com" in page.text
    assert subscriber(app, world.everything) is not None
    response = post_form(client, url, {})
    assert response.status_code == 302
    assert subscriber(app, world.everything) is None
    assert "subscriber.delete" in audit_actions(app)
    assert client.get(url).status_code == 404


def test_quarantine_and_reactivate(app, world, signed_in):
    client = signed_in("communicator")
    post_form(
        client,
        f"/admin/subscribers/{world.everything}/quarantine",
        {},
        form_url="/admin/subscribers",
    )
    assert subscriber(app, world.everything)["state"] is SubscriberState.QUARANTINED  # type: ignore[index]
    quarantined = client.get("/admin/subscribers?state=quarantined").text
    assert listed(quarantined) == ["all@example.com"]
    assert "Reactivate" in quarantined
    post_form(
        client,
        f"/admin/subscribers/{world.everything}/reactivate",
        {},
        form_url="/admin/subscribers",
    )
    assert subscriber(app, world.everything)["state"] is SubscriberState.ACTIVE  # type: ignore[index]
    actions = audit_actions(app)
    assert "subscriber.quarantine" in actions
    assert "subscriber.reactivate" in actions


# --------------------------------------------------------------------------- export


def export_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get("/admin/subscribers/export.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_has_every_filtered_row_and_guards_against_formulas(app, world, signed_in):
    from statuspage.subscribers.services import subscribe

    with db_session(app):
        subscribe("email", "=1+2@example.com", staff=True, skip_confirmation=True)
    client = signed_in("communicator")
    rows = export_rows(client)
    assert list(rows[0]) == [
        "id",
        "channel",
        "target",
        "state",
        "language",
        "components",
        "groups",
        "kinds",
        "created_at",
        "confirmed_at",
    ]
    by_address = {r["target"]: r for r in rows}
    assert len(rows) == 6
    # A spreadsheet would run this cell as a formula: it is written as text.
    assert "'=1+2@example.com" in by_address
    assert by_address["api@example.com"]["components"] == world.api
    assert by_address["core@example.com"]["groups"] == world.core
    # Phone numbers start with +, which spreadsheets read as a formula too.
    assert by_address["'+4915112345678"]["state"] == "unconfirmed"
    assert by_address["'+4915112345678"]["confirmed_at"] == ""
    assert by_address["all@example.com"]["kinds"] == (
        "incidents;maintenance;component_status;postmortems"
    )
    # A communicator gets chat URLs masked; an admin gets them whole.
    assert "https://hooks.slack.com/***" in by_address
    sms_only = export_rows(client, "?channel=sms")
    assert [r["target"] for r in sms_only] == ["'+4915112345678"]
    assert "subscriber.export" in audit_actions(app)


def test_an_admin_exports_whole_urls(app, world, signed_in):
    client = signed_in("admin")
    assert SLACK in {r["target"] for r in export_rows(client, "?channel=slack")}


# --------------------------------------------------------------------------- import


def upload(client, content: bytes | str, name: str = "people.csv"):
    data = content.encode() if isinstance(content, str) else content
    page = client.get("/admin/subscribers/import")
    return client.post(
        "/admin/subscribers/import",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def job_url(response) -> str:
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def run_import(client, url: str, consent: bool) -> str:
    """Start the import and send its batches as the page's script does; return the final page."""
    page = client.get(url)
    data = {"consent": "y"} if consent else {}
    assert client.post(url, data={"csrf_token": csrf_from(page.text), **data}).status_code == 302
    for _attempt in range(50):
        page = client.get(url)
        doc = parse(page.text)
        if doc.one("id", "import-job").attrs["data-state"] == "done":
            return page.text
        status = client.post(
            url + "/step",
            data={"csrf_token": csrf_from(page.text)},
            headers={"Accept": "application/json"},
        )
        assert status.status_code == 200
        assert status.json["processed"] <= status.json["total"]
    raise AssertionError("the import never finished")


CSV_WITH_ERRORS = (
    "\ufeffchannel,target,components,groups,language,events\r\n"
    "email,ada@example.com,API;CDN,,en,incidents\r\n"
    "email,not-an-email,,,,\r\n"
    "sms,+4915199999999,,Core,de,\r\n"
    "email,all@example.com,,,,\r\n"
    "fax,+4930123456,,,,\r\n"
    "email,bob@example.com,Nope,,,\r\n"
    "email,Ada@example.com,,,,\r\n"
)


def test_the_dry_run_reports_row_errors_and_counts_without_writing(app, world, signed_in):
    client = signed_in("communicator")
    before = by_target(app, "ada@example.com")
    response = upload(client, CSV_WITH_ERRORS)
    page = client.get(job_url(response))
    assert page.status_code == 200
    doc = parse(page.text)
    counts = {
        n.attrs["data-count"]: n.text for n in doc.one("id", "dry-run-counts").by_attr("data-count")
    }
    assert counts["new"].startswith("2 ")  # ada, the SMS number
    assert counts["existing"].startswith("1 ")  # all@example.com
    assert counts["invalid"].startswith("4 ")
    errors = {
        (n.attrs["data-row"], n.attrs["data-field"])
        for n in doc.one("id", "dry-run-errors").by_attr("data-row")
    }
    assert errors == {("3", "target"), ("6", "channel"), ("7", "components"), ("8", "target")}
    assert "already on row 2" in page.text
    assert before is None
    assert by_target(app, "ada@example.com") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00c\x00h", "not UTF-8"),
        ("", "empty"),
        ("email,address\r\n", "Unknown column"),
        ("channel,target\r\n", "no subscribers"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained(app, world, signed_in, content, message):
    client = signed_in("communicator")
    response = upload(client, content)
    assert response.status_code == 400
    assert message in field_errors(response.text)["file"]


def test_import_with_consent_activates_and_reimport_adds_nothing(app, world, signed_in):
    client = signed_in("communicator")
    final = run_import(client, job_url(upload(client, CSV_WITH_ERRORS)), consent=True)
    assert "The import is done." in final
    ada = by_target(app, "ada@example.com")
    assert ada is not None
    assert ada.state is SubscriberState.ACTIVE
    assert ada.language == "en"
    assert subscriber(app, ada.public_id)["components"] == ["API", "CDN"]  # type: ignore[index]
    sms = by_target(app, "+4915199999999")
    assert sms is not None
    assert sms.state is SubscriberState.ACTIVE
    assert "ada@example.com" in listed(client.get("/admin/subscribers?q=ada").text)
    actions = audit_actions(app)
    assert actions.count("subscriber.create") == 5 + 2
    assert "subscriber.import_start" in actions
    assert "subscriber.import" in actions

    # The same file again: everything valid is already there.
    with db_session(app) as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Subscriber))
    again = client.get(job_url(upload(client, CSV_WITH_ERRORS)))
    counts = {
        n.attrs["data-count"]: n.text
        for n in parse(again.text).one("id", "dry-run-counts").by_attr("data-count")
    }
    assert counts["new"].startswith("0 ")
    assert counts["existing"].startswith("3 ")
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == before


def test_import_without_consent_asks_for_confirmation(app, world, signed_in):
    client = signed_in("communicator")
    run_import(
        client,
        job_url(upload(client, "channel,target\nemail,carol@example.com\nslack," + SLACK + "x\n")),
        consent=False,
    )
    carol = by_target(app, "carol@example.com")
    assert carol is not None
    assert carol.state is SubscriberState.UNCONFIRMED
    assert not carol.skip_confirmation
    from statuspage.notifications.models import OutboxEvent

    with db_session(app) as session:
        kinds = list(session.scalars(sa.select(OutboxEvent.kind)))
    assert "subscriber.confirmation_requested" in kinds


def test_a_big_import_runs_in_batches_and_a_second_start_does_nothing(app, world, signed_in):
    from statuspage.subscribers.imports import BATCH_SIZE

    client = signed_in("communicator")
    rows = "".join(f"email,person{i}@example.com\n" for i in range(BATCH_SIZE + 20))
    url = job_url(upload(client, "channel,target\n" + rows))
    page = client.get(url)
    token = csrf_from(page.text)
    assert client.post(url, data={"csrf_token": token, "consent": "y"}).status_code == 302
    first = client.post(
        url + "/step", data={"csrf_token": token}, headers={"Accept": "application/json"}
    ).json
    assert first["processed"] == BATCH_SIZE
    assert first["done"] is False
    assert client.get(url + "/status").json["created"] == BATCH_SIZE
    # Starting again (a second tab) neither restarts nor duplicates.
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    # Without script, the Continue button sends the next batch and shows the page again.
    assert client.post(url + "/step", data={"csrf_token": token}).status_code == 302
    done = client.get(url + "/status").json
    assert done["done"] is True
    assert done["created"] == BATCH_SIZE + 20
    with db_session(app) as session:
        count = session.scalar(sa.select(sa.func.count()).where(Subscriber.target.like("person%")))
    assert count == BATCH_SIZE + 20


def test_an_unknown_import_is_not_found(app, world, signed_in):
    client = signed_in("communicator")
    assert client.get("/admin/subscribers/import/../../secret_key").status_code == 404
    assert client.get("/admin/subscribers/import/" + "a" * 32).status_code == 404
    assert client.get("/admin/subscribers/import/" + "a" * 32 + "/status").status_code == 404


def test_a_file_over_five_megabytes_is_refused_with_a_message(app, world, signed_in):
    client = signed_in("communicator")
    big = b"channel,target\n" + b"email,someone@example.com\n" * 230_000
    token = csrf_from(client.get("/admin/subscribers/import").text)
    # The multipart body is built here: the test client would spool it to a temporary file
    # that it never closes.
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + big + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(
        "/admin/subscribers/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "larger than 5 MB" in field_errors(response.text)["file"]
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 5
