"""The worker: heartbeat, tasks, failures, clean stop by signal."""

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.maintenance.models import MaintenanceStatus
from statuspage.maintenance.services import schedule_maintenance
from statuspage.worker.loop import Worker, default_worker_id
from statuspage.worker.models import WorkerHeartbeat
from statuspage.worker.tasks import registered_tasks


def heartbeats():
    db.session.rollback()  # see what other connections committed
    return db.session.scalars(sa.select(WorkerHeartbeat)).all()


def test_builtin_tasks_are_registered():
    assert "maintenance.transitions" in registered_tasks()


def test_worker_once_writes_a_heartbeat_and_healthz_reports_it(app, runner, client, frozen_clock):
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        [beat] = heartbeats()
    assert beat.worker_id == default_worker_id()
    assert beat.seen_at == frozen_clock.now

    frozen_clock.advance(timedelta(seconds=5))
    health = client.get("/healthz").get_json()
    assert health["worker"] == {
        "last_seen_at": (frozen_clock.now - timedelta(seconds=5)).isoformat(),
        "age_seconds": 5.0,
        "state": "ok",
    }
    assert health["status"] == "ok"


def test_a_tick_runs_due_maintenance_transitions(app_ctx, frozen_clock):
    api = create_component("API")
    start = frozen_clock.now + timedelta(minutes=10)
    maintenance = schedule_maintenance("Upgrade", "", [api], start, start + timedelta(hours=1))
    worker = Worker(worker_id="test:1")

    done = worker.tick().done
    assert (done["maintenance.transitions"], done["maintenance.reminders"]) == (0, 0)
    frozen_clock.advance(timedelta(minutes=10))
    done = worker.tick().done
    assert (done["maintenance.transitions"], done["maintenance.reminders"]) == (1, 0)
    assert maintenance.status is MaintenanceStatus.IN_PROGRESS
    assert api.status is ComponentStatus.UNDER_MAINTENANCE
    assert [b.worker_id for b in heartbeats()] == ["test:1"]


def test_a_failing_task_is_logged_and_the_others_still_run(app_ctx, caplog):
    calls = []

    def broken(now):
        db.session.add(WorkerHeartbeat(worker_id="half-written", started_at=now, seen_at=now))
        db.session.flush()
        raise RuntimeError("provider down")

    def fine(now):
        calls.append(now)
        return 3

    worker = Worker(worker_id="test:1", tasks={"broken": broken, "fine": fine})
    with caplog.at_level(logging.ERROR, logger="statuspage.worker"):
        first = worker.tick()
        second = worker.tick()

    assert first.failed == {"broken": "RuntimeError: provider down"}
    assert first.done == {"fine": 3}
    assert not first.ok
    assert second.done == {"fine": 3}
    assert len(calls) == 2
    assert "task broken failed" in caplog.text
    # The failed task's writes were rolled back; the heartbeat still landed.
    assert [b.worker_id for b in heartbeats()] == ["test:1"]


def test_the_loop_stops_cleanly_and_removes_its_heartbeat(app_ctx):
    ticks = []

    def count(now):
        ticks.append(now)
        if len(ticks) == 3:
            worker.stop()
        return 0

    worker = Worker(interval=0.01, worker_id="test:1", tasks={"count": count})
    worker.run()
    assert len(ticks) == 3
    assert heartbeats() == []


def test_sigterm_stops_the_loop_after_the_current_tick(app_ctx):
    ticks = []
    previous = signal.getsignal(signal.SIGTERM)

    def task(now):
        ticks.append(now)
        if len(ticks) == 1:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the tick goes on after the signal arrives
            ticks.append("finished first tick")
        return 0

    worker = Worker(interval=0.01, worker_id="test:1", tasks={"task": task})
    worker.run()
    assert ticks[1] == "finished first tick"
    assert len(ticks) == 2
    assert heartbeats() == []
    assert signal.getsignal(signal.SIGTERM) is previous


def test_worker_process_runs_until_sigterm(app, database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    env |= {"STATUSPAGE_DATABASE_URL": database_url, "STATUSPAGE_SECRET_KEY": "test",
            "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from statuspage.cli import main; main()",
             "worker", "--interval", "0.1"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            with app.app_context():
                deadline = time.monotonic() + 30
                while not heartbeats() and time.monotonic() < deadline:
                    time.sleep(0.1)
                [beat] = heartbeats()
                assert beat.worker_id.endswith(f":{process.pid}")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    with app.app_context():
        assert heartbeats() == []
    assert "stopping after this tick" in log.read_text()


def test_a_tick_survives_an_unreachable_database(tmp_path, caplog):
    from statuspage import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    with app.app_context():
        result = Worker(worker_id="test:1").tick()
    assert set(result.failed) == {
        "maintenance.transitions",
        "maintenance.reminders",
        "reminders.scan",
        "notifications.sweep",
        "notifications.plan",
        "notifications.deliver",
        "subscribers.purge",
        "heartbeat",
    }
    assert "could not record the heartbeat" in caplog.text
