"""Internal incidents, integrations and mapping rules in the console, for every role."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from .alerts_world import ALERT_TITLE, AlertsWorld, build_alerts, send_alert
from .conftest import csrf_from
from .incidents_world import counts, read, selected, submit


@pytest.fixture
def world(app, staff, frozen_clock) -> AlertsWorld:
    return build_alerts(app)


def links(app, internal_id):
    from statuspage.internal.queries import internal_detail

    return [p.public_id for p in read(app, lambda: internal_detail(internal_id)).public_incidents]


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("role", ["support", "communicator", "admin"])
def test_every_role_reads_internal_incidents(app, world, signed_in, role):
    client = signed_in(role)

    listing = client.get("/admin/internal")
    detail = client.get(f"/admin/internal/{world.internal}")

    assert listing.status_code == 200
    assert ALERT_TITLE in listing.text
    assert detail.status_code == 200
    assert "7.2% of requests fail" in detail.text  # the timeline
    assert "API" in detail.text  # the mapped component
    draft_button = "Draft public incident" in detail.text
    assert draft_button is (role != "support")


def test_support_changes_nothing(app, world, signed_in):
    client = signed_in("support")
    token = csrf_from(client.get("/admin/internal").text)
    before = counts(app)

    for url, data in [
        (f"/admin/internal/{world.internal}/link", {"incident": world.incident}),
        (f"/admin/internal/{world.internal}/links/{world.incident}/delete", {}),
        ("/admin/integrations", {"kind": "generic", "name": "x"}),
        (f"/admin/integrations/{world.integration}/rotate", {}),
        (f"/admin/integrations/{world.integration}/enabled", {"enabled": "0"}),
        ("/admin/mapping-rules", {"match_key": "a", "match_value": "b"}),
        (f"/admin/incidents/new?internal={world.internal}", {}),
    ]:
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 403, url
    assert client.get(f"/admin/incidents/new?internal={world.internal}").status_code == 403
    assert client.get("/admin/integrations").status_code == 403
    assert counts(app) == before


def test_the_list_and_detail_update_live_through_small_json(app, world, signed_in):
    from statuspage.internal.models import InternalStatus

    client = signed_in("support")
    page = client.get("/admin/internal").text
    version = re.search(r'data-live-version="([^"]+)"', page).group(1)

    same = client.get(f"/admin/internal/live.json?v={version}").json
    assert same == {"version": version, "count": 1, "html": None}

    send_alert(app, world.integration, "e2", status=InternalStatus.ACKNOWLEDGED)
    changed = client.get(f"/admin/internal/live.json?v={version}").json
    assert changed["version"] != version
    assert "Acknowledged" in changed["html"]

    detail = client.get(f"/admin/internal/{world.internal}/live.json").json
    assert detail["status"] == "acknowledged"
    assert detail["html"].count('class="timeline-event"') == 2


def test_unknown_internal_incident_is_404(world, signed_in):
    client = signed_in("support")
    assert client.get("/admin/internal/nope").status_code == 404
    assert client.get("/admin/internal/nope/live.json").status_code == 404


# --------------------------------------------------------------------------- drafting and links


def test_draft_is_prefilled_and_publishing_links_both_ways(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/incidents/new?internal={world.internal}"

    page = client.get(url)

    assert page.status_code == 200
    assert ALERT_TITLE in page.text  # "drafted from ..."
    # The template's plain wording with the mapped component, not the alert's name.
    assert 'value="Errors on API"' in page.text
    assert selected(page.text, f"components-{world.api}") == "major_outage"
    assert selected(page.text, "status") == "identified"

    response = submit(client, "/admin/incidents/new", form_url=url)

    assert response.status_code == 302, response.text
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    assert links(app, world.internal) == [public_id]
    public_page = client.get(f"/admin/incidents/{public_id}").text
    assert f'data-internal-id="{world.internal}"' in public_page
    assert ALERT_TITLE in public_page
    internal_page = client.get(f"/admin/internal/{world.internal}").text
    assert f'data-linked-incident="{public_id}"' in internal_page


def test_draft_without_template_or_components_uses_plain_words(app, world, signed_in):
    from statuspage.extensions import db
    from statuspage.incidents.models import MessageTemplate
    from statuspage.internal.models import MappingRule

    def strip():
        db.session.execute(sa.delete(MessageTemplate))
        db.session.execute(sa.delete(MappingRule))
        db.session.commit()

    read(app, strip)
    send_alert(app, world.integration, "e9", title="other")  # same incident, no new mapping
    client = signed_in("communicator")
    page = client.get(f"/admin/incidents/new?internal={world.internal}")
    # Already mapped to API by the earlier rule: the fallback names it.
    assert 'value="Problems with API"' in page.text


def test_a_failed_publish_links_nothing(app, world, signed_in):
    client = signed_in("communicator")
    url = f"/admin/incidents/new?internal={world.internal}"
    response = submit(client, "/admin/incidents/new", {"name": ""}, form_url=url)
    assert response.status_code == 400
    assert links(app, world.internal) == []
    assert 'name="internal"' in response.text


def test_link_and_unlink_an_existing_public_incident(app, world, signed_in):
    client = signed_in("communicator")
    detail_url = f"/admin/internal/{world.internal}"

    response = submit(
        client, f"{detail_url}/link", {"incident": world.incident}, form_url=detail_url
    )

    assert response.status_code == 302
    assert links(app, world.internal) == [world.incident]
    public_page = client.get(f"/admin/incidents/{world.incident}").text
    assert ALERT_TITLE in public_page

    page = client.get(detail_url).text
    response = client.post(
        f"{detail_url}/links/{world.incident}/delete", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    assert links(app, world.internal) == []


def test_link_refuses_an_unknown_incident(app, world, signed_in):
    client = signed_in("communicator")
    detail_url = f"/admin/internal/{world.internal}"
    response = submit(client, f"{detail_url}/link", {"incident": "nope"}, form_url=detail_url)
    assert response.status_code == 400
    assert "Choose an incident from the list." in response.text
    assert links(app, world.internal) == []


# --------------------------------------------------------------------------- integrations


def test_admin_creates_an_integration_and_sees_its_secret_once(app, world, signed_in):
    from statuspage.extensions import db
    from statuspage.internal.models import Integration

    client = signed_in("admin")
    response = submit(client, "/admin/integrations", {"kind": "pagerduty", "name": "PD"})

    assert response.status_code == 200
    secret = re.search(r'id="shown-secret">([^<]+)<', response.text).group(1)
    url = re.search(r'id="shown-url">([^<]+)<', response.text).group(1)
    stored = read(
        app, lambda: db.session.scalar(sa.select(Integration).where(Integration.name == "PD"))
    )
    assert stored.secret == secret
    assert url.endswith(f"/hooks/pagerduty?i={stored.public_id}")
    again = client.get("/admin/integrations").text
    assert "PD" in again
    assert secret not in again


def test_integration_form_errors(app, world, signed_in):
    client = signed_in("admin")
    before = counts(app)
    bad_kind = submit(client, "/admin/integrations", {"kind": "nagios", "name": "N"})
    no_name = submit(client, "/admin/integrations", {"kind": "generic", "name": " "})
    duplicate = submit(client, "/admin/integrations", {"kind": "generic", "name": "Prometheus"})
    assert [bad_kind.status_code, no_name.status_code, duplicate.status_code] == [400, 400, 400]
    assert "Choose a source from the list." in bad_kind.text
    assert "Give the integration a name." in no_name.text
    assert "already exists" in duplicate.text
    assert counts(app) == before


def test_rotate_and_disable_from_the_console(app, world, signed_in):
    from statuspage.internal.services import find_integration

    client = signed_in("admin")
    page = client.get("/admin/integrations").text
    old = read(app, lambda: find_integration(world.integration).secret)

    rotated = client.post(
        f"/admin/integrations/{world.integration}/rotate", data={"csrf_token": csrf_from(page)}
    )
    assert rotated.status_code == 200
    new = re.search(r'id="shown-secret">([^<]+)<', rotated.text).group(1)
    assert "The previous secret keeps working until" in rotated.text
    state = read(app, lambda: find_integration(world.integration))
    assert (state.secret, state.previous_secret) == (new, old)

    disabled = client.post(
        f"/admin/integrations/{world.integration}/enabled",
        data={"csrf_token": csrf_from(page), "enabled": "0"},
    )
    assert disabled.status_code == 302
    assert read(app, lambda: find_integration(world.integration).enabled) is False


def test_mapping_rules_are_added_and_deleted(app, world, signed_in):
    from statuspage.internal.queries import rule_rows

    client = signed_in("admin")
    response = submit(
        client,
        "/admin/mapping-rules",
        {
            "integration": world.integration,
            "match_key": "job",
            "match_value": "api",
            "component": world.api,
        },
    )
    assert response.status_code == 302
    rules = read(app, rule_rows)
    assert [(r.match_key, r.integration_name) for r in rules] == [
        ("service", None),
        ("job", "Prometheus"),
    ]
    empty = submit(client, "/admin/mapping-rules", {"match_value": ""})
    assert empty.status_code == 400
    assert "Give the value the label must have." in empty.text

    page = client.get("/admin/mapping-rules").text
    deleted = client.post(
        f"/admin/mapping-rules/{rules[1].public_id}/delete", data={"csrf_token": csrf_from(page)}
    )
    assert deleted.status_code == 302
    assert len(read(app, rule_rows)) == 1
