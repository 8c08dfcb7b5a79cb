"""Incident services: timelines, component statuses, impact, validation and signals."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from statuspage.components.models import ComponentStatus, ComponentStatusChange, StatusCause
from statuspage.components.services import create_component
from statuspage.db import unit_of_work
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.incidents.models import Impact, IncidentStatus, IncidentUpdateComponent
from statuspage.incidents.services import (
    create_incident,
    post_update,
    publish_postmortem,
    resolve_incident,
)
from statuspage.signals import incident_published

S = ComponentStatus


@pytest.fixture
def parts(app_ctx):
    return create_component("API"), create_component("Dashboard"), create_component("Email")


def carried(update):
    rows = db.session.scalars(
        sa.select(IncidentUpdateComponent).where(IncidentUpdateComponent.update_id == update.id)
    )
    return {(r.component.name, r.old_status, r.new_status) for r in rows}


def test_incident_timeline_drives_components_impact_and_timestamps(parts, frozen_clock):
    api, web, _ = parts
    t0 = frozen_clock.now
    incident = create_incident("API errors", "investigating", "Looking into it.",
                               {api: S.DEGRADED_PERFORMANCE})
    first = incident.updates[0]
    assert incident.impact is Impact.MINOR
    assert api.status is S.DEGRADED_PERFORMANCE
    assert carried(first) == {("API", S.OPERATIONAL, S.DEGRADED_PERFORMANCE)}

    frozen_clock.advance(timedelta(minutes=10))
    identified = post_update(incident, IncidentStatus.IDENTIFIED, "Found it.",
                             {api: S.MAJOR_OUTAGE, web: S.PARTIAL_OUTAGE})
    assert incident.identified_at == t0 + timedelta(minutes=10)
    assert incident.impact is Impact.CRITICAL
    assert [c.name for c in incident.components] == ["API", "Dashboard"]
    assert carried(identified) == {
        ("API", S.DEGRADED_PERFORMANCE, S.MAJOR_OUTAGE),
        ("Dashboard", S.OPERATIONAL, S.PARTIAL_OUTAGE),
    }

    frozen_clock.advance(timedelta(minutes=10))
    post_update(incident, "monitoring", "Fix deployed.", {api: S.DEGRADED_PERFORMANCE,
                                                          web: S.OPERATIONAL})
    assert incident.monitoring_at == t0 + timedelta(minutes=20)
    # The impact is the worst the incident reached.
    assert incident.impact is Impact.CRITICAL
    assert incident.resolved_at is None

    frozen_clock.advance(timedelta(minutes=10))
    resolved = resolve_incident(incident, "All good.")
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolved_at == t0 + timedelta(minutes=30)
    assert (api.status, web.status) == (S.OPERATIONAL, S.OPERATIONAL)
    assert carried(resolved) == {("API", S.DEGRADED_PERFORMANCE, S.OPERATIONAL)}
    assert len(incident.updates) == 4

    history = db.session.scalars(
        sa.select(ComponentStatusChange).where(ComponentStatusChange.component_id == api.id)
        .order_by(ComponentStatusChange.changed_at)
    ).all()
    assert [(h.status, h.cause, h.incident_id) for h in history] == [
        (S.DEGRADED_PERFORMANCE, StatusCause.INCIDENT, incident.id),
        (S.MAJOR_OUTAGE, StatusCause.INCIDENT, incident.id),
        (S.DEGRADED_PERFORMANCE, StatusCause.INCIDENT, incident.id),
        (S.OPERATIONAL, StatusCause.INCIDENT, incident.id),
    ]


def test_impact_override_wins_over_components(parts):
    api, _, _ = parts
    incident = create_incident("Heads up", "investigating", "", {api: S.DEGRADED_PERFORMANCE},
                               impact_override=Impact.CRITICAL)
    post_update(incident, "identified", "", {api: S.MAJOR_OUTAGE})
    assert incident.impact is Impact.CRITICAL
    assert incident.impact_override is Impact.CRITICAL


def test_incident_without_components_has_no_impact(app_ctx):
    incident = create_incident("Questions about invoices", "investigating", "Looking.")
    assert incident.impact is Impact.NONE
    assert incident.components == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"body": "x" * 20_001}, "body"),
        ({"status": "on_fire"}, "status"),
        ({"impact_override": "apocalyptic"}, "impact_override"),
    ],
)
def test_create_incident_validation_names_the_field(parts, kwargs, field):
    args = {"name": "API errors", "status": "investigating", "body": "Looking."} | kwargs
    with pytest.raises(ValidationError) as info:
        create_incident(args["name"], args["status"], args["body"], {},
                        impact_override=kwargs.get("impact_override"))
    assert field in info.value.errors


def test_body_of_exactly_the_limit_is_accepted(parts):
    incident = create_incident("Long story", "investigating", "x" * 20_000)
    assert len(incident.updates[0].body) == 20_000


def test_unknown_component_status_is_rejected(parts):
    api, _, _ = parts
    with pytest.raises(ValidationError) as info:
        create_incident("API errors", "investigating", "", {api: "melting"})
    assert "components" in info.value.errors
    assert api.status is S.OPERATIONAL


def test_backfilled_incident_is_past_and_never_notifies(app, parts, frozen_clock):
    api, _, _ = parts
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        incident = create_incident(
            "Outage last week", "investigating", "Recorded after the fact.",
            {api: S.MAJOR_OUTAGE}, started_at=frozen_clock.now - timedelta(days=7),
            backfilled=True, notify=True,
        )
        resolve_incident(incident, "It was fixed.",
                         display_at=frozen_clock.now - timedelta(days=7, minutes=-40))

    assert incident.backfilled is True
    assert [u.notify for u in incident.updates] == [False, False]
    assert [p["notify"] for p in published] == [False, False]
    assert all(u.display_at < frozen_clock.now for u in incident.updates)
    assert incident.impact is Impact.CRITICAL
    assert api.status is S.OPERATIONAL


def test_backfill_in_the_future_is_rejected(parts, frozen_clock):
    with pytest.raises(ValidationError) as info:
        create_incident("Later", "resolved", "", {},
                        started_at=frozen_clock.now + timedelta(hours=1), backfilled=True)
    assert "started_at" in info.value.errors

    incident = create_incident("Earlier", "investigating", "",
                               started_at=frozen_clock.now - timedelta(hours=1), backfilled=True)
    with pytest.raises(ValidationError) as info:
        post_update(incident, "resolved", "", display_at=frozen_clock.now + timedelta(minutes=1))
    assert "display_at" in info.value.errors


def test_update_cannot_predate_the_incident(parts, frozen_clock):
    incident = create_incident("API errors", "investigating", "")
    with pytest.raises(ValidationError) as info:
        post_update(incident, "identified", "", display_at=frozen_clock.now - timedelta(hours=1))
    assert "display_at" in info.value.errors


def test_published_signal_after_commit_with_notify_flag(app, parts):
    api, _, _ = parts
    published = []
    with incident_published.connected_to(lambda sender, **kw: published.append(kw), sender=app):
        incident = create_incident("API errors", "investigating", "", {api: S.MAJOR_OUTAGE})
        [first] = incident.updates
        update = post_update(incident, "identified", "", notify=False)

        def rolled_back():
            with unit_of_work():
                post_update(incident, "monitoring", "never published")
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            rolled_back()

    assert published == [
        {"incident_id": incident.id, "update_id": first.id, "notify": True},
        {"incident_id": incident.id, "update_id": update.id, "notify": False},
    ]
    assert incident.status is IncidentStatus.IDENTIFIED


def test_resolve_leaves_components_another_open_incident_holds(parts):
    api, web, _ = parts
    first = create_incident("API errors", "investigating", "", {api: S.MAJOR_OUTAGE,
                                                                 web: S.DEGRADED_PERFORMANCE})
    create_incident("API still broken", "identified", "", {api: S.MAJOR_OUTAGE})
    resolve_incident(first, "Dashboard is fine.")
    assert api.status is S.MAJOR_OUTAGE
    assert web.status is S.OPERATIONAL


def test_reopening_clears_resolved_at(parts):
    incident = create_incident("API errors", "investigating", "")
    post_update(incident, "resolved", "Fixed.")
    assert incident.resolved_at is not None
    post_update(incident, "investigating", "It is back.")
    assert incident.resolved_at is None
    assert incident.status.is_open


def test_postmortem_needs_a_resolved_incident(parts, frozen_clock):
    incident = create_incident("API errors", "investigating", "")
    with pytest.raises(ValidationError) as info:
        publish_postmortem(incident, "## What happened")
    assert "status" in info.value.errors

    resolve_incident(incident, "Fixed.")
    with pytest.raises(ValidationError) as info:
        publish_postmortem(incident, "  ")
    assert "body" in info.value.errors

    publish_postmortem(incident, "## What happened\n\nA bad deploy.")
    assert incident.status is IncidentStatus.POSTMORTEM
    assert incident.postmortem_published_at == frozen_clock.now
    assert incident.postmortem_body.startswith("## What happened")
