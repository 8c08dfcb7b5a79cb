"""The worker's task registry.

A task is a function ``(now) -> int`` returning how many things it did. It
runs once per tick, in the app context, and manages its own transactions
(usually one unit_of_work per item). Add a task with ``@task("name")`` in a
module imported by ``load_builtin_tasks`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_app_context

TaskFunc = Callable[[datetime], int]

_TASKS: dict[str, TaskFunc] = {}


def task(name: str) -> Callable[[TaskFunc], TaskFunc]:
    """Register a function as a worker task under name."""

    def register(func: TaskFunc) -> TaskFunc:
        _TASKS[name] = func
        return func

    return register


EXPORT_TASK = "export.refresh"


def registered_tasks() -> dict[str, TaskFunc]:
    """Return the registered tasks, in registration order.

    The static re-export runs only where STATUSPAGE_EXPORT_DIR is set, so it
    shows up in the worker's task list (and /metrics) only when it does work.
    """
    load_builtin_tasks()
    tasks = dict(_TASKS)
    if has_app_context() and current_app.config.get("EXPORT_DIR"):
        tasks[EXPORT_TASK] = _export_refresh
    return tasks


def load_builtin_tasks() -> None:
    """Register the tasks that ship with statuspage."""
    if "maintenance.transitions" not in _TASKS:
        _TASKS["maintenance.transitions"] = _maintenance_transitions
    if "maintenance.reminders" not in _TASKS:
        _TASKS["maintenance.reminders"] = _maintenance_reminders
    if "reminders.scan" not in _TASKS:
        _TASKS["reminders.scan"] = _reminders_scan
    if "notifications.sweep" not in _TASKS:
        _TASKS["notifications.sweep"] = _notifications_sweep
    if "notifications.plan" not in _TASKS:
        _TASKS["notifications.plan"] = _notifications_plan
    if "notifications.deliver" not in _TASKS:
        _TASKS["notifications.deliver"] = _notifications_deliver
    if "subscribers.purge" not in _TASKS:
        _TASKS["subscribers.purge"] = _subscribers_purge


def _maintenance_transitions(now: datetime) -> int:
    from ..maintenance.services import run_due_transitions

    return run_due_transitions(now)


def _maintenance_reminders(now: datetime) -> int:
    from ..maintenance.services import run_due_reminders

    return run_due_reminders(now)


def _reminders_scan(now: datetime) -> int:
    from ..reminders.services import scan_reminders

    return scan_reminders(now)


def _export_refresh(now: datetime) -> int:
    from ..export.refresh import refresh_export

    return refresh_export(now)
def _notifications_sweep(now: datetime) -> int:
    from ..notifications.engine import sweep_leases

    return sweep_leases(now)


def _notifications_plan(now: datetime) -> int:
    from ..notifications.planner import plan_events

    return plan_events(now)


def _notifications_deliver(now: datetime) -> int:
    from ..notifications.engine import run_deliveries
    from .loop import default_worker_id

    return run_deliveries(now, default_worker_id())


def _subscribers_purge(now: datetime) -> int:
    from ..subscribers.services import purge_subscribers

    return purge_subscribers(now)
