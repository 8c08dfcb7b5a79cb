"""An incident world plus alerts: an integration, a mapping rule and an internal incident."""

from __future__ import annotations

from dataclasses import dataclass

from .incidents_world import build, read

ALERT_TITLE = "HighErrorRate on gw-1"


@dataclass(frozen=True)
class AlertsWorld:
    """The incident world plus an integration, a rule and an internal incident."""

    api: str
    incident: str
    template: str
    integration: str
    internal: str


def send_alert(app, integration_id: str, dedup: str, *, status=None, title=ALERT_TITLE):
    from statuspage.internal.parsers import NormalisedAlert
    from statuspage.internal.services import find_integration, ingest

    def run():
        ingest(
            find_integration(integration_id),
            [
                NormalisedAlert(
                    external_id="fp-1",
                    dedup_key=dedup,
                    event_type=status.value if status else "triggered",
                    status=status,
                    title=title,
                    occurred_at=None,
                    labels={"service": "api-gateway"},
                    summary="7.2% of requests fail",
                )
            ],
        )

    read(app, run)


def build_alerts(app) -> AlertsWorld:
    """Build the incident world, then a Prometheus integration whose alert maps to API."""
    from statuspage.components.services import find_components
    from statuspage.internal.queries import internal_rows
    from statuspage.internal.services import create_integration, create_mapping_rule

    base = build(app)

    def setup():
        integration, _secret = create_integration("alertmanager", "Prometheus")
        [api] = find_components([base.api])
        create_mapping_rule("service", "api-gateway", api)
        return integration.public_id

    integration = read(app, setup)
    send_alert(app, integration, "e1")
    [row] = read(app, internal_rows)
    return AlertsWorld(base.api, base.incident, base.template, integration, row.public_id)
