"""The worker loop: heartbeat, then every registered task, once per interval."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Any

import sqlalchemy as sa

from ..clock import utcnow
from ..db import unit_of_work
from ..extensions import db
from .models import WorkerHeartbeat
from .tasks import TaskFunc, registered_tasks

log = logging.getLogger("statuspage.worker")


def _safe_rollback() -> None:
    """Roll back the session; a dead connection must not take the loop down with it."""
    try:
        db.session.rollback()
    except Exception:
        log.exception("rollback failed; discarding the session")
        db.session.remove()


def default_worker_id() -> str:
    """Return hostname:pid, unique per worker process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickResult:
    """What one tick did: per task, a count or the error that stopped it."""

    at: datetime
    done: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Say whether every task ran without error."""
        return not self.failed


class Worker:
    """Runs the registered tasks on a fixed interval until told to stop.

    Call it inside an app context. A failing task is logged and rolled back;
    the next task and the next tick run as usual.
    """

    def __init__(
        self,
        *,
        interval: float = 1.0,
        worker_id: str | None = None,
        tasks: Mapping[str, TaskFunc] | None = None,
    ) -> None:
        self.interval = interval
        self.worker_id = worker_id or default_worker_id()
        self.tasks = dict(tasks) if tasks is not None else registered_tasks()
        self.started_at = utcnow()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the loop to end after the current tick."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Say whether stop() was called."""
        return self._stop.is_set()

    def tick(self) -> TickResult:
        """Run every task once, then record the heartbeat."""
        result = TickResult(at=utcnow())
        for name, func in self.tasks.items():
            try:
                count = func(utcnow())
            except Exception as exc:  # one broken task must not stop the others or the loop
                log.exception("task %s failed", name)
                _safe_rollback()
                result.failed[name] = f"{type(exc).__name__}: {exc}"
                continue
            result.done[name] = count
            if count:
                log.info("task %s: %d done", name, count)
        try:
            self.beat()
        except Exception as exc:
            log.exception("could not record the heartbeat")
            result.failed["heartbeat"] = f"{type(exc).__name__}: {exc}"
        finally:
            # End any read transaction so an idle worker holds no connection between ticks.
            _safe_rollback()
        return result

    def beat(self) -> None:
        """Insert or refresh this worker's heartbeat row."""
        with unit_of_work() as session:
            heartbeat = session.get(WorkerHeartbeat, self.worker_id)
            now = utcnow()
            if heartbeat is None:
                session.add(
                    WorkerHeartbeat(
                        worker_id=self.worker_id, started_at=self.started_at, seen_at=now
                    )
                )
            else:
                heartbeat.seen_at = now

    def remove_heartbeat(self) -> None:
        """Delete this worker's heartbeat row (clean exit)."""
        try:
            with unit_of_work() as session:
                session.execute(
                    sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == self.worker_id)
                )
        except Exception:
            log.exception("could not remove the heartbeat")
            _safe_rollback()

    def run(self, *, once: bool = False) -> None:
        """Tick until stop() (or a signal); with once, tick a single time.

        A stopped loop removes its heartbeat; a single tick leaves it, so a
        worker run from cron with --once still shows up in /healthz.
        """
        log.info(
            "worker %s starting (interval %.1fs, tasks: %s)",
            self.worker_id,
            self.interval,
            ", ".join(self.tasks) or "none",
        )
        restore = self._install_signal_handlers()
        try:
            while True:
                result = self.tick()
                if result.failed:
                    log.warning("tick had failures: %s", ", ".join(result.failed))
                if once or self._stop.wait(self.interval):
                    break
        finally:
            restore()
        if not once:
            self.remove_heartbeat()
        log.info("worker %s stopped", self.worker_id)

    def _install_signal_handlers(self) -> Any:
        """Stop after the current tick on SIGTERM/SIGINT; return a function that restores them."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None  # signal handlers can only be set from the main thread
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def handle(signum: int, frame: FrameType | None) -> None:
            log.info("received %s, stopping after this tick", signal.Signals(signum).name)
            self.stop()

        for sig in previous:
            signal.signal(sig, handle)

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
