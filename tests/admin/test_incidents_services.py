"""The incident services the console added: restore choices, backfill, edits, postmortem, hide."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.models import ComponentStatus, ComponentStatusChange, StatusCause
from statuspage.components.services import create_component, set_component_status
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.incidents.models import IncidentStatus
from statuspage.incidents.services import (
    StaleUpdateError,
    backfill_incident,
    create_incident,
    edit_update,
    publish_postmortem,
    resolve_incident,
    revert_postmortem,
    save_postmortem_draft,
    set_incident_hidden,
)
from statuspage.signals import incident_published, postmortem_published

S = ComponentStatus


@pytest.fixture
def parts(app_ctx):
    return create_component("API"), create_component("Dashboard"), create_component("Email")


def audit_count(action):
    return db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == action)
    )


def test_resolve_restores_exactly_the_chosen_components(parts):
    api, web, mail = parts
    incident = create_incident(
        "Errors", "investigating", "", {api: S.MAJOR_OUTAGE, web: S.PARTIAL_OUTAGE}
    )
    with pytest.raises(ValidationError) as info:
        resolve_incident(incident, "Done.", restore=[mail])
    assert "restore" in info.value.errors
    resolve_incident(incident, "Done.", restore=[web])
    assert (api.status, web.status) == (S.MAJOR_OUTAGE, S.OPERATIONAL)
    with pytest.raises(ValidationError) as info:
        resolve_incident(incident, "Again.")
    assert "status" in info.value.errors


def test_backfill_puts_components_back_to_what_they_had_before(parts, frozen_clock):
    api, _, _ = parts
    set_component_status(
        api,
        S.DEGRADED_PERFORMANCE,
        cause=StatusCause.MANUAL,
        at=frozen_clock.now - timedelta(days=10),
    )
    start = frozen_clock.now - timedelta(days=2)
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw)):
        incident = backfill_incident(
            "Outage",
            "It broke.",
            {api: S.MAJOR_OUTAGE},
            started_at=start,
            resolved_at=start + timedelta(hours=1),
        )
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolved_at == start + timedelta(hours=1)
    assert api.status is S.DEGRADED_PERFORMANCE  # as before the backfill
    assert [p["notify"] for p in published] == [False, False]
    rows = db.session.scalars(
        sa.select(ComponentStatusChange.status)
        .where(ComponentStatusChange.component_id == api.id)
        .order_by(ComponentStatusChange.changed_at)
    ).all()
    assert rows == [S.DEGRADED_PERFORMANCE, S.MAJOR_OUTAGE, S.DEGRADED_PERFORMANCE]


def test_backfill_collects_every_problem_at_once(parts, frozen_clock):
    with pytest.raises(ValidationError) as info:
        backfill_incident(
            "",
            "x" * 20_001,
            started_at=frozen_clock.now - timedelta(hours=1),
            resolved_at=frozen_clock.now - timedelta(hours=2),
        )
    assert set(info.value.errors) == {"name", "body", "resolved_at"}


def test_create_refuses_a_start_in_the_future_but_allows_a_fast_clock(parts, frozen_clock):
    with pytest.raises(ValidationError) as info:
        create_incident(
            "Later", "investigating", "", started_at=frozen_clock.now + timedelta(hours=1)
        )
    assert "started_at" in info.value.errors
    create_incident(
        "Now-ish", "investigating", "", started_at=frozen_clock.now + timedelta(minutes=2)
    )


def test_edit_without_changes_writes_nothing_and_a_stale_version_is_refused(parts, frozen_clock):
    incident = create_incident("Errors", "investigating", "Typo hre.")
    update = incident.updates[0]
    opened_at = update.updated_at
    assert edit_update(update, "Typo hre.") is update
    assert audit_count("incident.update_edit") == 0
    frozen_clock.advance(timedelta(seconds=30))
    edit_update(update, "Typo here.", expected_updated_at=opened_at)
    assert update.updated_at == frozen_clock.now
    with pytest.raises(StaleUpdateError):
        edit_update(update, "Typo there.", expected_updated_at=opened_at)
    assert update.body == "Typo here."
    assert audit_count("incident.update_edit") == 1


def test_backfilled_updates_are_never_notified_again(parts, frozen_clock):
    incident = create_incident(
        "Past",
        "investigating",
        "",
        backfilled=True,
        started_at=frozen_clock.now - timedelta(days=1),
    )
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw)):
        edit_update(incident.updates[0], "Recorded later.", notify_again=True)
    assert published == []


def test_postmortem_draft_publish_revert_round_trip(parts):
    incident = create_incident("Errors", "investigating", "")
    save_postmortem_draft(incident, "Draft while it is still open.")
    assert incident.postmortem_body == "Draft while it is still open."
    assert incident.postmortem_published_at is None
    resolve_incident(incident, "Fixed.")
    sent = []
    with postmortem_published.connected_to(lambda sender, **kw: sent.append(kw)):
        publish_postmortem(incident, "Final text.")
    assert sent == [{"incident_id": incident.id, "notify": False}]
    with pytest.raises(ValidationError):
        revert_postmortem(create_incident("Other", "investigating", ""))
    revert_postmortem(incident)
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.postmortem_body == "Final text."
    save_postmortem_draft(incident, "   ")
    assert incident.postmortem_body is None


def test_hiding_twice_is_recorded_once(parts):
    incident = create_incident("Errors", "investigating", "")
    set_incident_hidden(incident, True)
    set_incident_hidden(incident, True)
    assert audit_count("incident.hide") == 1
