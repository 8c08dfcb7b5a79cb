"""Health and metrics: ``/healthz`` and ``/metrics``.

``/healthz`` needs no authentication and answers JSON::

    {"status": "ok" | "degraded" | "error",
     "database": "ok" | "error",
     "migrations": {"current": rev, "head": rev, "at_head": bool},
     "worker": {"last_seen_at": iso, "age_seconds": float, "state": "ok" | "stale" | "missing"}}

It returns 200 while the database is reachable and migrated to head, else
503. A stale or missing worker makes the status "degraded" but stays 200, so
a load balancer keeps the web process in rotation; alert on it from metrics.
The worker counts as stale after ``WORKER_STALE_AFTER`` seconds.

``/metrics`` serves Prometheus text from a registry owned by the app. It is
open by default, like most exporters: keep it off the public internet at the
proxy, or set ``METRICS_BEARER_TOKEN`` to require
``Authorization: Bearer <token>``. Both routes are exempt from CSRF.
"""

from __future__ import annotations

import hmac
import math

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import csrf, db
from .health import check_health, migration_heads, open_incident_count, worker_state
from .metrics import get_metrics, init_metrics, render_metrics

bp = Blueprint("observability", __name__)
_HEAD_KEY = "statuspage.migration_head"


def init_observability(app: Flask) -> None:
    """Register /healthz and /metrics and start counting requests."""
    # Read the migration head once: the scripts on disk do not change while the app runs.
    app.extensions[_HEAD_KEY] = migration_heads(app)
    init_metrics(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz() -> Response:
    """Report database, migration and worker health."""
    health = check_health(
        current_app.extensions[_HEAD_KEY], float(current_app.config["WORKER_STALE_AFTER"])
    )
    worker = health.worker
    worker_json = {
        "last_seen_at": worker.last_seen_at.isoformat() if worker and worker.last_seen_at else None,
        "age_seconds": round(worker.age_seconds, 3)
        if worker and worker.age_seconds is not None
        else None,
        "state": worker.state if worker else "missing",
    }
    if not health.healthy:
        status = "error"
    elif worker_json["state"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    response = jsonify(
        status=status,
        database="ok" if health.database_ok else "error",
        migrations={
            "current": health.current_revision,
            "head": health.head_revision,
            "at_head": health.at_head,
        },
        worker=worker_json,
    )
    response.status_code = 200 if health.healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """Serve Prometheus metrics, refreshing the gauges read from the database."""
    token = current_app.config.get("METRICS_BEARER_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                "unauthorized\n",
                status=401,
                mimetype="text/plain",
                headers={"WWW-Authenticate": "Bearer"},
            )
    app_metrics = get_metrics()
    try:
        state = worker_state(float(current_app.config["WORKER_STALE_AFTER"]))
        app_metrics.worker_heartbeat_age.set(
            state.age_seconds if state.age_seconds is not None else math.nan
        )
        app_metrics.open_incidents.set(open_incident_count())
        app_metrics.database_up.set(1)
    except SQLAlchemyError:  # a scrape must still answer when the database is down
        current_app.logger.exception("metrics could not read the database")
        db.session.rollback()
        app_metrics.database_up.set(0)
        app_metrics.worker_heartbeat_age.set(math.nan)
        app_metrics.open_incidents.set(math.nan)
    body, content_type = render_metrics(app_metrics)
    return Response(
        body, status=200, headers={"Content-Type": content_type, "Cache-Control": "no-store"}
    )
