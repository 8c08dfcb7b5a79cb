"""Load realistic demo data through the real services, dated relative to utcnow()."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..accounts.services import create_user
from ..audit.services import record
from ..clock import utcnow
from ..components.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    ComponentStatusChange,
    StatusCause,
)
from ..components.services import create_component, create_group, set_component_status
from ..db import unit_of_work
from ..extensions import db
from ..incidents.models import Incident, IncidentStatus, IncidentUpdate
from ..incidents.services import create_incident, post_update, publish_postmortem, resolve_incident
from ..incidents.template_services import create_template
from ..maintenance.models import Maintenance
from ..maintenance.services import complete_maintenance, schedule_maintenance, start_maintenance
from ..site.models import PageSettings
from ..worker.models import WorkerHeartbeat
from . import stories

DEMO_PASSWORD = "statuspage-demo"  # noqa: S105  (published on purpose: it is the demo login)
DEMO_TIME_ZONE = "Europe/Berlin"
DEMO_ACTOR = "demo"
# Fixed seed: the same data every run, relative to the current time.
_SEED = 20261125

_STAFF = (
    ("admin@example.com", Role.ADMIN, "Alex Admin"),
    ("comms@example.com", Role.COMMUNICATOR, "Casey Comms"),
    ("support@example.com", Role.SUPPORT, "Sam Support"),
)

# Tables the wipe keeps: liveness of running workers is not demo data.
_KEEP_TABLES = {WorkerHeartbeat.__tablename__}


class DatabaseNotEmptyError(RuntimeError):
    """The database already holds components, incidents or users."""


@dataclass(frozen=True)
class DemoSummary:
    """What load_demo created."""

    counts: dict[str, int] = field(default_factory=dict)
    active_incident_id: str = ""
    upcoming_maintenance_id: str = ""
    admin_email: str = _STAFF[0][0]
    admin_password: str = DEMO_PASSWORD


def database_is_empty() -> bool:
    """Say whether the database holds no component, incident or user."""
    for model in (Component, Incident, User):
        if db.session.scalar(sa.select(model.id).limit(1)) is not None:
            return False
    return True


def load_demo(force: bool = False) -> DemoSummary:
    """Fill the database with a demo status page; with force, wipe everything first."""
    with unit_of_work():
        # The emptiness check, the wipe and the load are one transaction: all or nothing.
        if not database_is_empty():
            if not force:
                raise DatabaseNotEmptyError(
                    "the database already holds components, incidents or users"
                )
            _wipe()
        return _Loader(utcnow()).load()


def _wipe() -> None:
    """Delete every domain row (children first)."""
    session = db.session()
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in _KEEP_TABLES:
            session.execute(table.delete())
    session.expunge_all()


class _Loader:
    """Builds the demo, oldest event first, so each status change lands in order."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tz = ZoneInfo(DEMO_TIME_ZONE)
        self.today = now.astimezone(self.tz).date()
        self.rng = random.Random(_SEED)  # noqa: S311  (demo data, not security)
        self.components: dict[str, Component] = {}
        self.author: User | None = None

    def local(self, day: date, hhmm: str, jitter: int = 0) -> datetime:
        """Return the UTC instant of a local wall-clock time on day, plus jitter minutes."""
        hours, minutes = (int(part) for part in hhmm.split(":"))
        wall = datetime.combine(day, time(hours, minutes), tzinfo=self.tz)
        return wall.astimezone(UTC) + timedelta(minutes=jitter)

    @property
    def actor(self) -> str:
        return self.author.email if self.author else DEMO_ACTOR

    @property
    def actor_id(self) -> int | None:
        return self.author.id if self.author else None

    def load(self) -> DemoSummary:
        self._settings()
        self._staff()
        self._components()
        self._templates()
        # Every past event, replayed oldest first so each status change lands after the last.
        past: list[tuple[datetime, Callable[[], object]]] = []
        for story in stories.STORIES:
            at = self._story_start(story)
            past.append((at, partial(self._story, story, at)))
        for blip in stories.BLIPS:
            at = self.local(self.today - timedelta(days=blip[0]), blip[1])
            past.append((at, partial(self._blip, blip, at)))
        m = stories.PAST_MAINTENANCE
        at = self.local(self.today + timedelta(days=m.days_from_today), m.local_time)
        past.append((at, partial(self._past_maintenance, m, at)))
        for _at, replay in sorted(past, key=lambda item: item[0]):
            replay()
        active = self._active_incident()
        upcoming = self._upcoming_maintenance()
        self._support(active)
        db.session.flush()
        return DemoSummary(
            counts=_counts(),
            active_incident_id=active.public_id,
            upcoming_maintenance_id=upcoming.public_id,
        )

    def _settings(self) -> None:
        settings = PageSettings(
            name="Acme Cloud",
            url="https://status.acme.example",
            time_zone=DEMO_TIME_ZONE,
            default_language="en",
            theme="default",
            accent_color="#2563eb",
            support_url="https://acme.example/support",
            footer_links=[
                {"label": "Acme Cloud", "url": "https://acme.example"},
                {"label": "Privacy", "url": "https://acme.example/privacy"},
            ],
        )
        db.session.add(settings)
        db.session.flush()
        record(
            DEMO_ACTOR,
            "page_settings.create",
            "page_settings",
            settings.public_id,
            None,
            {"name": settings.name, "time_zone": settings.time_zone},
        )

    def _staff(self) -> None:
        users = [
            create_user(email, DEMO_PASSWORD, role.value, name=name, actor=DEMO_ACTOR)
            for email, role, name in _STAFF
        ]
        self.author = users[1]  # the communications lead posts the incidents

    def _components(self) -> None:
        for group_spec in stories.GROUPS:
            group = create_group(
                group_spec.name,
                description=group_spec.description,
                actor=self.actor,
                actor_id=self.actor_id,
            )
            for spec in group_spec.components:
                start = (
                    self.today - timedelta(days=spec.started_days_ago)
                    if spec.started_days_ago is not None
                    else None
                )
                self.components[spec.key] = create_component(
                    spec.name,
                    group=group,
                    description=spec.description,
                    showcase=spec.showcase,
                    start_date=start,
                    only_show_if_degraded=spec.only_show_if_degraded,
                    actor=self.actor,
                    actor_id=self.actor_id,
                )

    def _templates(self) -> None:
        for spec in stories.TEMPLATES:
            create_template(
                spec.kind,
                spec.name,
                spec.title,
                spec.body,
                spec.status,
                [self.components[key] for key in spec.components],
                component_status=spec.component_status,
                actor=self.actor,
                actor_id=self.actor_id,
            )

    def _story_start(self, story: stories.Story) -> datetime:
        return self.local(
            self.today - timedelta(days=story.days_ago),
            story.local_time,
            jitter=self.rng.randint(-4, 4),
        )

    def _story(self, story: stories.Story, start: datetime) -> None:
        hit = {self.components[key]: status for key, status in story.hit.items()}
        first, *rest = story.steps
        incident = create_incident(
            story.name,
            first.status,
            first.body,
            hit,
            started_at=start,
            notify=False,
            backfilled=story.backfilled,
            actor=self.actor,
            actor_id=self.actor_id,
        )
        at = start
        for step in rest:
            at += timedelta(minutes=max(3, round(step.after_minutes * self.rng.uniform(0.8, 1.25))))
            if step.status is IncidentStatus.RESOLVED:
                resolve_incident(
                    incident,
                    step.body,
                    display_at=at,
                    notify=False,
                    actor=self.actor,
                    actor_id=self.actor_id,
                )
            elif step.status is IncidentStatus.MONITORING:
                post_update(
                    incident,
                    step.status,
                    step.body,
                    _recovering(hit),
                    display_at=at,
                    notify=False,
                    actor=self.actor,
                    actor_id=self.actor_id,
                )
            else:
                post_update(
                    incident,
                    step.status,
                    step.body,
                    hit,
                    display_at=at,
                    notify=False,
                    actor=self.actor,
                    actor_id=self.actor_id,
                )
        if story.postmortem:
            publish_postmortem(
                incident,
                story.postmortem,
                published_at=at + timedelta(days=3),
                actor=self.actor,
                actor_id=self.actor_id,
            )

    def _blip(self, blip: tuple[int, str, str, ComponentStatus, int], start: datetime) -> None:
        _days, _hhmm, key, status, minutes = blip
        component = self.components[key]
        set_component_status(
            component,
            status,
            cause=StatusCause.MANUAL,
            at=start,
            actor=self.actor,
            actor_id=self.actor_id,
        )
        set_component_status(
            component,
            ComponentStatus.OPERATIONAL,
            cause=StatusCause.MANUAL,
            at=start + timedelta(minutes=minutes),
            actor=self.actor,
            actor_id=self.actor_id,
        )

    def _past_maintenance(self, spec: stories.MaintenanceSpec, start: datetime) -> None:
        end = start + timedelta(hours=spec.hours)
        maintenance = schedule_maintenance(
            spec.name,
            spec.body,
            [self.components[key] for key in spec.components],
            start,
            end,
            notify=False,
            display_at=start - timedelta(days=7),
            actor=self.actor,
            actor_id=self.actor_id,
        )
        # Both updates happened when planned: a few seconds of worker lag at most.
        start_maintenance(maintenance, at=start, actor="worker")
        complete_maintenance(
            maintenance, at=end - timedelta(minutes=self.rng.randint(5, 20)), actor="worker"
        )

    def _active_incident(self) -> Incident:
        spec = stories.ACTIVE_INCIDENT
        component = self.components[spec.component]
        started = self.now - timedelta(minutes=47)
        incident = create_incident(
            spec.name,
            IncidentStatus.INVESTIGATING,
            spec.investigating,
            {component: ComponentStatus.DEGRADED_PERFORMANCE},
            started_at=started,
            notify=False,
            actor=self.actor,
            actor_id=self.actor_id,
        )
        post_update(
            incident,
            IncidentStatus.IDENTIFIED,
            spec.identified,
            {component: ComponentStatus.DEGRADED_PERFORMANCE},
            display_at=self.now - timedelta(minutes=18),
            notify=False,
            actor=self.actor,
            actor_id=self.actor_id,
        )
        return incident

    def _support(self, active: Incident) -> None:
        _SupportDemo(self).load(active)

    def _upcoming_maintenance(self) -> Maintenance:
        spec = stories.UPCOMING_MAINTENANCE
        start = self.local(self.today + timedelta(days=spec.days_from_today), spec.local_time)
        return schedule_maintenance(
            spec.name,
            spec.body,
            [self.components[key] for key in spec.components],
            start,
            start + timedelta(hours=spec.hours),
            auto_start=True,
            auto_complete=True,
            remind_before_minutes=60,
            notify=False,
            display_at=self.now - timedelta(days=1),
            actor=self.actor,
            actor_id=self.actor_id,
        )


class _SupportDemo:
    """Customers, the alert behind the active incident and the support wording.

    No subscribers: the demo's worker would try to mail them.
    """

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader

    def load(self, active: Incident) -> None:
        from ..customers.services import CustomerInput, create_customer

        loader = self.loader
        for spec in stories.CUSTOMERS:
            create_customer(
                CustomerInput(
                    name=spec.name,
                    external_id=spec.external_id,
                    domains=spec.domains,
                    plan=spec.plan,
                    language=spec.language,
                    components=[loader.components[key] for key in spec.components],
                ),
                actor=loader.actor,
                actor_id=loader.actor_id,
            )
        self._alert(active)

    def _alert(self, active: Incident) -> None:
        from ..internal.models import IntegrationKind, InternalIncident, InternalStatus, Severity
        from ..internal.parsers import NormalisedAlert
        from ..internal.services import (
            create_integration,
            create_mapping_rule,
            ingest,
            link_incidents,
        )
        from ..support.services import save_note

        loader = self.loader
        actor, actor_id = loader.actor, loader.actor_id
        grafana, _secret = create_integration(
            IntegrationKind.GRAFANA, "Grafana (demo)", actor=actor, actor_id=actor_id
        )
        create_mapping_rule(
            "service",
            stories.ACTIVE_ALERT_SERVICE,
            loader.components["dashboard"],
            actor=actor,
            actor_id=actor_id,
        )
        fired = active.started_at - timedelta(minutes=4)
        external_id = "demo-dashboard-latency"

        def event(key: str, status: InternalStatus, minutes: int) -> NormalisedAlert:
            return NormalisedAlert(
                external_id=external_id,
                dedup_key=key,
                event_type=status.value,
                status=status,
                title=stories.ACTIVE_ALERT_TITLE,
                occurred_at=fired + timedelta(minutes=minutes),
                severity=Severity.P2,
                started_at=fired,
                labels={"service": stories.ACTIVE_ALERT_SERVICE, "team": "web"},
                links=[{"title": "Runbook", "url": "https://runbooks.acme.example/dashboard"}],
                responders=[{"name": "Robin Oncall", "email": "oncall@acme.example"}],
            )

        ingest(
            grafana,
            [
                event("demo-fired", InternalStatus.TRIGGERED, 0),
                event("demo-acknowledged", InternalStatus.ACKNOWLEDGED, 3),
            ],
        )
        internal = db.session.scalars(
            sa.select(InternalIncident).where(
                InternalIncident.integration_id == grafana.id,
                InternalIncident.external_id == external_id,
            )
        ).one()
        link_incidents(internal, active, actor=actor, actor_id=actor_id)
        save_note(
            active,
            wording=stories.ACTIVE_WORDING,
            expected_resolution_at=loader.now + timedelta(minutes=45),
            actor=actor,
            actor_id=actor_id,
        )


def _recovering(hit: dict[Component, ComponentStatus]) -> dict[Component, ComponentStatus]:
    """Return the statuses while a fix is monitored: outages ease to degraded, the rest recover."""
    return {
        component: (
            ComponentStatus.OPERATIONAL
            if status is ComponentStatus.DEGRADED_PERFORMANCE
            else ComponentStatus.DEGRADED_PERFORMANCE
        )
        for component, status in hit.items()
    }


def _counts() -> dict[str, int]:
    def count(model: type) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    return {
        "groups": count(ComponentGroup),
        "components": count(Component),
        "incidents": count(Incident),
        "incident_updates": count(IncidentUpdate),
        "maintenances": count(Maintenance),
        "status_changes": count(ComponentStatusChange),
        "users": count(User),
    }
