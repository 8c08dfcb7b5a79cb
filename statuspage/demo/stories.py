"""The demo's content: components, past incidents and their timelines (data only)."""

from __future__ import annotations

from dataclasses import dataclass

from ..components.models import ComponentStatus as S
from ..incidents.models import IncidentStatus as IS


@dataclass(frozen=True)
class ComponentSpec:
    """One demo component."""

    key: str
    name: str
    description: str
    showcase: bool = True
    only_show_if_degraded: bool = False
    # Days before today the component went live (None: long before the history starts).
    started_days_ago: int | None = None


@dataclass(frozen=True)
class GroupSpec:
    """One demo group and its components."""

    name: str
    description: str
    components: tuple[ComponentSpec, ...]


@dataclass(frozen=True)
class Step:
    """One update of a story: its status, minutes after the previous one, and its text."""

    status: IS
    after_minutes: int
    body: str


@dataclass(frozen=True)
class Story:
    """A past incident: when it began (local page time), what broke, how it was told."""

    days_ago: int
    local_time: str
    name: str
    hit: dict[str, S]
    steps: tuple[Step, ...]
    backfilled: bool = False
    postmortem: str | None = None


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("Core platform", "The product itself: API, web app and sign-in.", (
        ComponentSpec("api", "API", "REST and GraphQL API at api.acme.example."),
        ComponentSpec("dashboard", "Dashboard", "The web application at app.acme.example."),
        ComponentSpec("auth", "Authentication",
                      "Sign-in, single sign-on (SAML, OIDC) and API keys."),
        ComponentSpec("webhooks", "Webhooks", "Outgoing webhook deliveries to your endpoints."),
    )),
    GroupSpec("Data and storage", "Where your data lives.", (
        ComponentSpec("database", "Database", "Managed PostgreSQL clusters."),
        ComponentSpec("storage", "Object storage", "File uploads and downloads.", showcase=False),
        ComponentSpec("search", "Search", "Full-text search across projects.", started_days_ago=30),
    )),
    GroupSpec("Delivery", "Getting content and messages to your users.", (
        ComponentSpec("cdn", "CDN", "Static assets and cached pages at the edge."),
        ComponentSpec("email", "Email delivery", "Transactional email sent on your behalf."),
        ComponentSpec("sms", "SMS notifications", "Text messages sent on your behalf.",
                      only_show_if_degraded=True),
    )),
    GroupSpec("Regions", "Hosting regions.", (
        ComponentSpec("eu", "EU Central (Frankfurt)", "Workloads hosted in eu-central."),
        ComponentSpec("us", "US East (Virginia)", "Workloads hosted in us-east."),
    )),
)

_POSTMORTEM = """\
## Summary

On the night of the incident, the API and the Dashboard were unavailable for
about 90 minutes, starting at 23:10 CET. Webhook deliveries were delayed for
the same period; none were lost.

## What happened

A routine certificate rotation on our internal load balancers replaced a
certificate chain with one that the API gateways did not trust. The gateways
began rejecting upstream connections as their connection pools recycled, so
the failure grew over about ten minutes instead of happening at once, which
delayed our diagnosis.

## Timeline (CET)

- **23:10** error rates on the API climb above 20%; on-call paged
- **23:24** incident opened; Dashboard confirmed down
- **23:58** cause identified as the certificate rotation
- **00:21** previous certificate chain restored on all load balancers
- **00:40** error rates back to normal; webhook backlog draining
- **01:20** backlog cleared, incident resolved

## What we are changing

1. Certificate rotations now run through a canary gateway first and stop
   automatically when its error rate rises.
2. Gateways alert on TLS handshake failures to upstreams directly, not only on
   customer-facing error rates.
3. The rotation runbook now includes a tested rollback step.

We are sorry for the disruption. If you have questions about how this
affected your account, contact support.
"""

STORIES: tuple[Story, ...] = (
    Story(86, "14:05", "Elevated API error rates", {"api": S.PARTIAL_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "We are seeing elevated error rates (HTTP 502) on a share of API requests and are "
             "investigating."),
        Step(IS.IDENTIFIED, 18,
             "The errors come from one API node pool that ran out of memory after a configuration "
             "change. We are rolling the change back."),
        Step(IS.MONITORING, 40,
             "The rollback is complete and error rates are back to normal. We are monitoring."),
        Step(IS.RESOLVED, 30,
             "This incident has been resolved. Requests that failed can be retried safely."),
    )),
    Story(79, "09:40", "Delayed email delivery", {"email": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "Transactional emails are being delivered with delays of up to **20 minutes**. "
             "No messages have been lost. We are investigating."),
        Step(IS.IDENTIFIED, 25,
             "One of our email providers is throttling our sending IPs. We are moving traffic to "
             "our secondary provider."),
        Step(IS.MONITORING, 90,
             "All email traffic now goes through the secondary provider and the queue is "
             "draining."),
        Step(IS.RESOLVED, 60, "The queue is empty and delivery times are normal again."),
    )),
    Story(71, "16:20", "Dashboard unavailable for some users",
          {"dashboard": S.PARTIAL_OUTAGE, "auth": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "Some users see an error page when opening the Dashboard, and sign-in is slower "
             "than usual. We are investigating."),
        Step(IS.IDENTIFIED, 22,
             "A database index used by session lookups was dropped during a migration. We are "
             "rebuilding it."),
        Step(IS.MONITORING, 35,
             "The index has been rebuilt and the Dashboard loads for everyone again. We are "
             "monitoring."),
        Step(IS.RESOLVED, 45, "This incident has been resolved."),
    )),
    Story(64, "03:15", "Database failover in EU Central",
          {"database": S.MAJOR_OUTAGE, "eu": S.PARTIAL_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "Databases hosted in **EU Central** are not accepting connections. Our team is "
             "working on it."),
        Step(IS.IDENTIFIED, 12,
             "The primary storage volume of the EU Central cluster failed. An automatic failover "
             "to the standby is in progress."),
        Step(IS.MONITORING, 15,
             "The failover completed. Databases accept connections again; some queries are "
             "slower while caches warm up."),
        Step(IS.RESOLVED, 40,
             "Performance is back to normal. No data was lost: the standby was fully in sync."),
    )),
    Story(55, "11:00", "Slow asset loading in North America",
          {"cdn": S.DEGRADED_PERFORMANCE, "us": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "Users in North America may notice slow page loads. We are looking into it with our "
             "CDN provider."),
        Step(IS.IDENTIFIED, 30,
             "Our CDN provider has identified a routing problem at two edge locations and is "
             "rerouting traffic."),
        Step(IS.RESOLVED, 75, "Traffic has been rerouted and load times are normal again."),
    )),
    Story(47, "20:30", "Webhook deliveries delayed", {"webhooks": S.PARTIAL_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "Webhook deliveries are delayed and some are failing. Events are queued and will be "
             "delivered."),
        Step(IS.IDENTIFIED, 20,
             "A deploy reduced the number of delivery workers. We are scaling them back up."),
        Step(IS.MONITORING, 25, "Delivery workers are back to full capacity; the backlog is "
             "draining."),
        Step(IS.RESOLVED, 50,
             "The backlog has been delivered. Failed deliveries were retried automatically; "
             "check your endpoint logs if you rely on ordering."),
    )),
    Story(38, "13:45", "Sign-in failures with single sign-on", {"auth": S.MAJOR_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "Users who sign in with **SAML or OIDC single sign-on** get an error. Password "
             "sign-in and API keys are not affected."),
        Step(IS.IDENTIFIED, 15,
             "An expired signing certificate in our SSO service causes the failures. We are "
             "deploying a new certificate."),
        Step(IS.MONITORING, 20, "The new certificate is live and single sign-on works again."),
        Step(IS.RESOLVED, 30, "This incident has been resolved."),
    )),
    Story(29, "07:50", "Intermittent SMS delivery failures", {"sms": S.PARTIAL_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "Between 07:50 and 09:05 CET some text messages to numbers in Germany were not "
             "delivered by our SMS carrier. We learned of it after the fact and are recording it "
             "here for completeness."),
        Step(IS.RESOLVED, 75,
             "The carrier fixed the problem at 09:05 CET. Messages that failed were not retried; "
             "resend them if they were important."),
    ), backfilled=True),
    Story(23, "15:10", "Search results incomplete", {"search": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "Search may not return items created in the last hour. We are investigating."),
        Step(IS.IDENTIFIED, 20,
             "The indexing queue stalled after a node restart. We are restarting the indexers."),
        Step(IS.MONITORING, 35, "Indexing has caught up. New items appear in search within "
             "seconds again."),
        Step(IS.RESOLVED, 40, "This incident has been resolved."),
    )),
    Story(17, "23:10", "API and Dashboard outage",
          {"api": S.MAJOR_OUTAGE, "dashboard": S.MAJOR_OUTAGE, "webhooks": S.PARTIAL_OUTAGE}, (
        Step(IS.INVESTIGATING, 0,
             "The API and the Dashboard are unavailable. Webhook deliveries are delayed. We are "
             "investigating with high priority."),
        Step(IS.IDENTIFIED, 48,
             "A certificate rotation on our internal load balancers broke connections between "
             "our gateways and the API. We are rolling the certificates back."),
        Step(IS.MONITORING, 53,
             "The rollback is complete. The API and Dashboard are available again; the webhook "
             "backlog is draining.\n\n- API: recovered\n- Dashboard: recovered\n- Webhooks: "
             "draining"),
        Step(IS.RESOLVED, 40,
             "All webhooks have been delivered and everything is operating normally. We will "
             "publish a postmortem."),
    ), postmortem=_POSTMORTEM),
    Story(9, "10:30", "Increased latency on API requests", {"api": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "API response times are higher than usual (p95 around 2 s). We are investigating."),
        Step(IS.MONITORING, 35,
             "We added capacity to the API cluster and latency is improving. We are monitoring."),
        Step(IS.RESOLVED, 30, "Latency is back to normal."),
    )),
    Story(4, "18:40", "Object storage uploads failing",
          {"storage": S.PARTIAL_OUTAGE, "dashboard": S.DEGRADED_PERFORMANCE}, (
        Step(IS.INVESTIGATING, 0,
             "Some file uploads fail with an error. Downloads work. We are investigating."),
        Step(IS.IDENTIFIED, 25,
             "A storage node ran out of disk space. We are moving data to new nodes."),
        Step(IS.MONITORING, 45, "Uploads succeed again. We are monitoring while the rebalance "
             "finishes."),
        Step(IS.RESOLVED, 60, "The rebalance finished and uploads are working normally."),
    )),
)

# Short blips set by hand on the components, with no incident (days ago, local time,
# component key, status, minutes).
BLIPS: tuple[tuple[int, str, str, S, int], ...] = (
    (82, "06:10", "us", S.DEGRADED_PERFORMANCE, 35),
    (33, "02:00", "us", S.PARTIAL_OUTAGE, 20),
    (20, "12:30", "email", S.DEGRADED_PERFORMANCE, 50),
)

@dataclass(frozen=True)
class ActiveIncidentSpec:
    """The incident still open when the demo is loaded."""

    name: str
    component: str
    investigating: str
    identified: str


@dataclass(frozen=True)
class MaintenanceSpec:
    """A maintenance window, days from today (negative: in the past), in local page time."""

    name: str
    body: str
    components: tuple[str, ...]
    days_from_today: int
    local_time: str
    hours: int


ACTIVE_INCIDENT = ActiveIncidentSpec(
    name="Slow Dashboard loading",
    component="dashboard",
    investigating=(
        "Some users report that the Dashboard takes a long time to load. The API is not "
        "affected. We are investigating."
    ),
    identified=(
        "A slow database query on the project overview page causes the delays. We are deploying "
        "a fix and expect it to be live within the hour."
    ),
)

PAST_MAINTENANCE = MaintenanceSpec(
    name="Database engine upgrade",
    body=(
        "We will upgrade our managed PostgreSQL clusters to a new minor version. Expect brief "
        "connection resets (under 30 seconds) during the window. No action is needed."
    ),
    components=("database", "storage"),
    days_from_today=-12,
    local_time="02:00",
    hours=2,
)

UPCOMING_MAINTENANCE = MaintenanceSpec(
    name="CDN edge network upgrade",
    body=(
        "We are upgrading our edge network in Europe. Static assets may load more slowly for a "
        "few minutes at a time during the window.\n\n**No downtime is expected.**"
    ),
    components=("cdn", "eu"),
    days_from_today=2,
    local_time="03:00",
    hours=2,
)


@dataclass(frozen=True)
class TemplateSpec:
    """A message template the communications lead prepared in advance."""

    kind: str
    name: str
    title: str
    body: str
    status: str
    components: tuple[str, ...] = ()
    component_status: S | None = None


TEMPLATES = (
    TemplateSpec(
        "incident",
        "API errors",
        "Elevated error rates on {component}",
        "We are seeing elevated error rates on {component} and are investigating. "
        "Requests may fail intermittently; retries are safe.",
        "investigating",
        ("api",),
        S.PARTIAL_OUTAGE,
    ),
    TemplateSpec(
        "incident",
        "Slow dashboard",
        "Slow page loads on {component}",
        "Some pages of {component} load slowly. We are looking into it.",
        "investigating",
        ("dashboard",),
        S.DEGRADED_PERFORMANCE,
    ),
    TemplateSpec(
        "incident",
        "Full outage",
        "{component} unavailable",
        "{component} is unavailable. Our engineers are working on it and we will post an "
        "update within 30 minutes.",
        "investigating",
        ("api", "dashboard"),
        S.MAJOR_OUTAGE,
    ),
    TemplateSpec(
        "maintenance",
        "Database upgrade",
        "Database maintenance",
        "We will upgrade {component} between {start} and {end}. "
        "Expect short interruptions of a few seconds.",
        "scheduled",
        ("database",),
    ),
)


@dataclass(frozen=True)
class CustomerSpec:
    """A demo customer account and the components it uses."""

    name: str
    external_id: str
    domains: tuple[str, ...]
    plan: str
    language: str
    components: tuple[str, ...]


CUSTOMERS = (
    CustomerSpec("Globex Corporation", "CRM-1001", ("globex.example",), "Enterprise", "en",
                 ("dashboard", "api")),
    CustomerSpec("Initech GmbH", "CRM-1002", ("initech.example",), "Business", "de",
                 ("dashboard",)),
    CustomerSpec("Umbrella Health", "CRM-1003", ("umbrella.example",), "Starter", "fr",
                 ("api", "auth")),
)  # fmt: skip

# The alert behind the active incident, as Grafana would send it in.
ACTIVE_ALERT_TITLE = "Dashboard p95 latency above 2 s"
ACTIVE_ALERT_SERVICE = "dashboard-web"

# What support agents tell customers about the active incident.
ACTIVE_WORDING = {
    "en": (
        "We know the Dashboard is slow to load right now and our engineers are deploying a "
        "fix. Your data and the API are not affected. We will let you know when it is "
        "resolved; you can follow along on the status page."
    ),
    "de": (
        "Wir wissen, dass das Dashboard derzeit langsam lädt, und unsere Techniker spielen "
        "gerade eine Korrektur ein. Ihre Daten und die API sind nicht betroffen. Wir melden "
        "uns, sobald das Problem behoben ist; den Stand sehen Sie auf der Statusseite."
    ),
}
