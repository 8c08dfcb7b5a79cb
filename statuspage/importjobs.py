"""CSV import jobs kept between the dry run and the run, as files in the instance folder.

A checked upload and its report are written as `<id>.csv` and `<id>.json` in one
folder per kind of import; jobs nobody finished are deleted after a week. Used by the
subscriber and the customer imports.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import current_app

ABANDONED_AFTER = timedelta(days=7)
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

Job = TypeVar("Job")


class JobFolder(Generic[Job]):
    """Where one kind of import job lives: config key (or instance subfolder) and job type."""

    def __init__(self, config_key: str, folder: str, job_type: type[Job]) -> None:
        self.config_key = config_key
        self.folder = folder
        self.job_type = job_type

    def path(self) -> Path:
        """Return the folder, creating it if needed."""
        configured = current_app.config.get(self.config_key)
        path = Path(configured) if configured else Path(current_app.instance_path) / self.folder
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def new_id() -> str:
        """Return a fresh, unguessable job id."""
        return secrets.token_urlsafe(24)

    def forget_abandoned(self) -> None:
        """Delete the files of imports nobody touched for a week (checked but never run)."""
        cutoff = time.time() - ABANDONED_AFTER.total_seconds()
        for path in self.path().iterdir():
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

    def save(self, job: Any) -> None:
        """Write a job's report atomically."""
        path = self.path() / f"{job.id}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(job)), encoding="utf-8")
        temporary.replace(path)

    def upload(self, job_id: str) -> Path:
        """Return where a job's checked CSV is kept."""
        return self.path() / f"{job_id}.csv"

    def find(self, job_id: str) -> Job | None:
        """Return a job by id, or None (also for ids that could not be ours)."""
        if not _JOB_ID.match(job_id):
            return None
        path = self.path() / f"{job_id}.json"
        if not path.is_file():
            return None
        return self.job_type(**json.loads(path.read_text(encoding="utf-8")))
