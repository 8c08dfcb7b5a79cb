"""/metrics: Prometheus text from a registry each app owns."""

import math
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from statuspage import create_app
from statuspage.components.services import create_component
from statuspage.db import unit_of_work
from statuspage.extensions import db
from statuspage.incidents.services import create_incident, post_update
from statuspage.maintenance.services import schedule_maintenance, start_maintenance
from statuspage.worker.models import WorkerHeartbeat


def scrape(client, **kwargs):
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_requests_are_counted_by_endpoint_and_timed(client):
    client.get("/")
    client.get("/no-such-page")
    samples = scrape(client)
    assert value(samples, "statuspage_http_requests_total", method="GET",
                 endpoint="public.index", status="200") == 1
    assert value(samples, "statuspage_http_requests_total", method="GET",
                 endpoint="unmatched", status="404") == 1
    assert value(samples, "statuspage_http_request_duration_seconds_count",
                 endpoint="public.index") == 1


def test_publishes_transitions_and_gauges(app, client, frozen_clock):
    with app.app_context():
        api = create_component("API")
        incident = create_incident("API errors", "investigating", "", {api: "major_outage"})
        post_update(incident, "identified", "", notify=False)
        window = schedule_maintenance("Upgrade", "", [api], frozen_clock.now,
                                      frozen_clock.now + timedelta(hours=1))
        start_maintenance(window)

    samples = scrape(client)
    assert value(samples, "statuspage_incident_publishes_total", notify="true") == 1
    assert value(samples, "statuspage_incident_publishes_total", notify="false") == 1
    assert value(samples, "statuspage_maintenance_transitions_total", status="scheduled") == 1
    assert value(samples, "statuspage_maintenance_transitions_total", status="in_progress") == 1
    assert value(samples, "statuspage_open_incidents") == 1
    assert value(samples, "statuspage_database_up") == 1
    assert math.isnan(value(samples, "statuspage_worker_heartbeat_age_seconds"))

    with app.app_context(), unit_of_work() as session:
        session.add(WorkerHeartbeat(worker_id="w:1", started_at=frozen_clock.now,
                                    seen_at=frozen_clock.now))
    frozen_clock.advance(timedelta(seconds=42))
    assert value(scrape(client), "statuspage_worker_heartbeat_age_seconds") == 42


def test_each_app_has_its_own_registry(app, client, database_url):
    other = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url})
    with app.app_context():
        create_incident("Only in the first app", "investigating", "")
    first = scrape(client)
    second = scrape(other.test_client())
    assert value(first, "statuspage_incident_publishes_total", notify="true") == 1
    assert value(second, "statuspage_incident_publishes_total", notify="true") is None
    # Both read the same database, so the gauge agrees.
    assert value(second, "statuspage_open_incidents") == 1
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_metrics_can_require_a_bearer_token(app, client):
    app.config["METRICS_BEARER_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert scrape(client, headers={"Authorization": "Bearer s3cret"})
