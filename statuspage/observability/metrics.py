"""Prometheus metrics kept in a registry owned by each app.

Every app gets its own CollectorRegistry (not prometheus_client's global one)
so several apps in one process, as in the tests, never collide. Under gunicorn
with several worker processes, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR:
each process writes its values there and /metrics sums them over all processes.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from ..signals import incident_published, maintenance_cancelled, maintenance_transitioned

EXTENSION_KEY = "statuspage.metrics"

# Request latency buckets (seconds): the public page should answer in well under 100 ms.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class AppMetrics:
    """The metrics of one app and the signal receivers that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "statuspage_http_requests",
            "HTTP requests answered.",
            ("method", "endpoint", "status"),
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "statuspage_http_request_duration_seconds",
            "Time spent answering HTTP requests.",
            ("endpoint",),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.incident_publishes = Counter(
            "statuspage_incident_publishes",
            "Incident updates published.",
            ("notify",),
            registry=self.registry,
        )
        self.maintenance_transitions = Counter(
            "statuspage_maintenance_transitions",
            "Maintenance windows that changed status.",
            ("status",),
            registry=self.registry,
        )
        self.worker_heartbeat_age = Gauge(
            "statuspage_worker_heartbeat_age_seconds",
            "Seconds since the freshest worker heartbeat (NaN when no worker has run).",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.open_incidents = Gauge(
            "statuspage_open_incidents",
            "Incidents not yet resolved.",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.database_up = Gauge(
            "statuspage_database_up",
            "1 when the last scrape could read the database.",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    # Bound methods, held by this object, so blinker's weak references live as long as the app.
    def on_incident_published(self, sender: Any, **kwargs: Any) -> None:
        """Count a published incident update."""
        self.incident_publishes.labels(notify=str(bool(kwargs.get("notify"))).lower()).inc()

    def on_maintenance_transitioned(self, sender: Any, **kwargs: Any) -> None:
        """Count a maintenance status change."""
        self.maintenance_transitions.labels(status=str(kwargs.get("status"))).inc()

    def on_maintenance_cancelled(self, sender: Any, **kwargs: Any) -> None:
        """Count a cancelled maintenance window as a change to "cancelled"."""
        self.maintenance_transitions.labels(status="cancelled").inc()


def get_metrics(app: Flask | None = None) -> AppMetrics:
    """Return the metrics of app (default: the current app)."""
    target = app or current_app
    metrics: AppMetrics = target.extensions[EXTENSION_KEY]
    return metrics


def init_metrics(app: Flask) -> AppMetrics:
    """Create the app's registry, hook request timing and connect the domain signals."""
    metrics = AppMetrics()
    app.extensions[EXTENSION_KEY] = metrics
    # sender=app: only this app's events count here, even with many apps in one process.
    incident_published.connect(metrics.on_incident_published, sender=app)
    maintenance_transitioned.connect(metrics.on_maintenance_transitioned, sender=app)
    maintenance_cancelled.connect(metrics.on_maintenance_cancelled, sender=app)

    @app.before_request
    def _start_timer() -> None:
        g._metrics_started = time.perf_counter()

    @app.after_request
    def _count_request(response: Response) -> Response:
        started = g.pop("_metrics_started", None)
        # The endpoint, not the path, so unknown URLs cannot blow up label cardinality.
        endpoint = request.endpoint or "unmatched"
        metrics.http_requests.labels(request.method, endpoint, str(response.status_code)).inc()
        if started is not None:
            metrics.http_latency.labels(endpoint).observe(time.perf_counter() - started)
        return response

    return metrics


def render_metrics(metrics: AppMetrics) -> tuple[bytes, str]:
    """Return the exposition text (of every worker process, if several) and its content type."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=directory)
        return generate_latest(combined), CONTENT_TYPE_LATEST
    return generate_latest(metrics.registry), CONTENT_TYPE_LATEST
