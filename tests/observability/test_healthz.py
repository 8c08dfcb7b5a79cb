"""/healthz: database, migrations and worker heartbeat."""

from datetime import timedelta

import pytest

from statuspage import create_app
from statuspage.db import unit_of_work
from statuspage.worker.models import WorkerHeartbeat


def add_heartbeat(app, seen_at, worker_id="host:1"):
    with app.app_context(), unit_of_work() as session:
        session.add(WorkerHeartbeat(worker_id=worker_id, started_at=seen_at, seen_at=seen_at))


def test_healthy_database_without_worker_is_degraded_but_up(app, client, alembic):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [head] = alembic.heads(app)
    assert response.get_json() == {
        "status": "degraded",
        "database": "ok",
        "migrations": {"current": head, "head": head, "at_head": True},
        "worker": {"last_seen_at": None, "age_seconds": None, "state": "missing"},
    }


def test_fresh_and_stale_heartbeats(app, client, frozen_clock):
    app.config["WORKER_STALE_AFTER"] = 60
    add_heartbeat(app, frozen_clock.now - timedelta(seconds=90), "old:1")
    add_heartbeat(app, frozen_clock.now - timedelta(seconds=10), "new:2")

    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["worker"]["state"] == "ok"
    assert body["worker"]["age_seconds"] == 10.0

    frozen_clock.advance(timedelta(minutes=5))
    response = client.get("/healthz")
    # A stale worker is reported, not fatal: the web process can still serve.
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["worker"]["state"] == "stale"


def test_migrations_behind_head_is_503(app, client, alembic):
    alembic.run(app, "stamp", "base")
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "error"
        assert body["database"] == "ok"
        assert body["migrations"]["current"] is None
        assert body["migrations"]["at_head"] is False
    finally:
        alembic.run(app, "stamp", "head")  # the PostgreSQL database is shared by the run
    assert client.get("/healthz").status_code == 200


def test_unreachable_database_is_503(tmp_path, caplog):
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "error"
    assert body["status"] == "error"
    assert body["migrations"]["at_head"] is False
    assert "health check could not read the database" in caplog.text


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_probes_need_no_session_or_csrf(app, client, path):
    assert client.get(path).status_code in (200, 503)
    # Exempt from CSRF even if someone probes with POST: 405, never a CSRF 400.
    assert client.post(path).status_code == 405
