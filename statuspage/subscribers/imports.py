"""CSV imports of subscribers: a dry run first, then the import in batches, each its own commit.

The uploaded file waits in the instance folder under a random id (with a small JSON file
saying how far the import got) until the import is done. Rows whose address is already
subscribed are skipped, so running the same file again adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..clock import utcnow
from ..components.models import Component, ComponentGroup
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..importjobs import JobFolder
from . import csvio
from .csvio import ImportRow, RowError
from .models import Channel, EventKind, Subscriber, SubscriberState
from .services import parse_channel, parse_kinds, parse_language, subscribe
from .targets import normalise_target

BATCH_SIZE = 500
# A report longer than this helps nobody; the counts still cover every row.
MAX_REPORTED_ERRORS = 1000
FOLDER = "subscriber-imports"
# Service error fields, by the CSV column a person would fix.
_COLUMN = {
    "type": "channel",
    "email": "target",
    "phone_number": "target",
    "endpoint": "target",
    "events": "events",
    "language": "language",
    "components": "components",
    "groups": "groups",
}


class State:
    """Where an import is: checked (dry run shown), running, done."""

    CHECKED = "checked"
    RUNNING = "running"
    DONE = "done"


@dataclass
class ImportJob:
    """An uploaded file, its dry-run report and how far its import got."""

    id: str
    filename: str
    uploaded_by: str
    uploaded_at: str
    total: int
    new: int
    existing: int
    invalid: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    state: str = State.CHECKED
    consent: bool = False
    next_row: int = 0
    created: int = 0
    skipped: int = 0
    failed: int = 0
    import_errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Say whether the import has gone through every row."""
        return self.state == State.DONE

    @property
    def processed(self) -> int:
        """Return how many rows the import has gone through."""
        return self.next_row

    def status(self) -> dict[str, Any]:
        """Return the progress as the console's status endpoint answers it."""
        return {
            "id": self.id,
            "state": self.state,
            "total": self.total,
            "processed": self.next_row,
            "created": self.created,
            "skipped": self.skipped,
            "failed": self.failed,
            "done": self.done,
        }


@dataclass(frozen=True)
class _Checked:
    channel: Channel
    target: str
    components: list[Component] | None
    groups: list[ComponentGroup] | None
    kinds: frozenset[EventKind] | None
    language: str | None


_JOBS: JobFolder[ImportJob] = JobFolder("SUBSCRIBER_IMPORT_DIR", FOLDER, ImportJob)


def find_import(job_id: str) -> ImportJob | None:
    """Return an import by id, or None (also for ids that could not be ours)."""
    return _JOBS.find(job_id)


class _Lookup:
    """Components and groups by public id or name (case-insensitive), loaded once."""

    def __init__(self) -> None:
        self.components: dict[str, Component] = {}
        self.groups: dict[str, ComponentGroup] = {}
        for component in db.session.scalars(sa.select(Component)):
            self.components[component.public_id] = component
            self.components.setdefault(component.name.casefold(), component)
        for group in db.session.scalars(sa.select(ComponentGroup)):
            self.groups[group.public_id] = group
            self.groups.setdefault(group.name.casefold(), group)

    def find(self, names: Sequence[str], table: dict[str, Any]) -> tuple[list[Any], list[str]]:
        found, missing = [], []
        for name in names:
            item = table.get(name) or table.get(name.casefold())
            if item is None:
                missing.append(name)
            else:
                found.append(item)
        return found, missing


def _check_row(
    row: ImportRow, lookup: _Lookup, *, allow_apprise: bool
) -> tuple[_Checked | None, list[RowError]]:
    """Validate one row with the same rules subscribe() applies; return it resolved or why not."""
    errors: list[RowError] = []

    def fail(exc: ValidationError) -> None:
        for name, message in exc.errors.items():
            errors.append(RowError(row.number, _COLUMN.get(name, name), message))

    channel: Channel | None = None
    target = ""
    try:
        channel = parse_channel(row.channel, field="channel")
        target = normalise_target(
            channel,
            row.target,
            allow_apprise=allow_apprise,
            allow_private=bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE")),
        )
    except ValidationError as exc:
        fail(exc)
    components, missing = lookup.find(row.components, lookup.components)
    if missing:
        errors.append(
            RowError(row.number, "components", _("No component %(name)s.", name=missing[0]))
        )
    groups, missing = lookup.find(row.groups, lookup.groups)
    if missing:
        errors.append(RowError(row.number, "groups", _("No group %(name)s.", name=missing[0])))
    kinds = None
    language = None
    try:
        kinds = parse_kinds(row.events) if row.events else None
    except ValidationError as exc:
        fail(exc)
    try:
        language = parse_language(row.language)
    except ValidationError as exc:
        fail(exc)
    if errors or channel is None:
        return None, errors
    chosen = bool(components or groups)
    return (
        _Checked(
            channel,
            target,
            components if chosen else None,
            groups if chosen else None,
            kinds,
            language,
        ),
        [],
    )


def _live(rows: Sequence[_Checked]) -> set[tuple[Channel, str]]:
    """Return which of these addresses already have a live subscription."""
    if not rows:
        return set()
    found = db.session.execute(
        sa.select(Subscriber.channel, Subscriber.target).where(
            Subscriber.target.in_({r.target for r in rows}),
            Subscriber.state != SubscriberState.UNSUBSCRIBED,
        )
    )
    return {(Channel(channel), target) for channel, target in found}


def _error_dict(error: RowError) -> dict[str, Any]:
    return {"row": error.row, "field": error.field, "message": error.message}


def check_file(data: bytes, filename: str, *, allow_apprise: bool, actor: str) -> ImportJob:
    """Dry-run an uploaded file (nothing is written to the database) and keep it for the import."""
    _JOBS.forget_abandoned()
    text = csvio.decode(data)
    parsed = csvio.parse(text)
    if not parsed.rows:
        raise ValidationError({"file": _("The file has a header row but no subscribers.")})
    lookup = _Lookup()
    job = ImportJob(
        id=_JOBS.new_id(),
        filename=Path(filename or "subscribers.csv").name[:200],
        uploaded_by=actor,
        uploaded_at=utcnow().isoformat(),
        total=len(parsed.rows),
        new=0,
        existing=0,
        invalid=0,
    )
    first_row: dict[tuple[Channel, str], int] = {}
    for start in range(0, len(parsed.rows), BATCH_SIZE):
        checked: list[tuple[ImportRow, _Checked]] = []
        for row in parsed.rows[start : start + BATCH_SIZE]:
            ok, errors = _check_row(row, lookup, allow_apprise=allow_apprise)
            if ok is None:
                job.invalid += 1
                room = MAX_REPORTED_ERRORS - len(job.errors)
                job.errors.extend(_error_dict(e) for e in errors[: max(room, 0)])
            else:
                checked.append((row, ok))
        live = _live([ok for _row, ok in checked])
        for row, ok in checked:
            key = (ok.channel, ok.target)
            if key in first_row:
                job.invalid += 1
                if len(job.errors) < MAX_REPORTED_ERRORS:
                    message = _("This address is already on row %(n)d.", n=first_row[key])
                    job.errors.append(_error_dict(RowError(row.number, "target", message)))
                continue
            first_row[key] = row.number
            if key in live:
                job.existing += 1
            else:
                job.new += 1
    _JOBS.upload(job.id).write_text(text, encoding="utf-8")
    _JOBS.save(job)
    return job


def start_import(
    job: ImportJob, *, consent: bool, actor: str, actor_id: int | None = None
) -> ImportJob:
    """Start importing a checked file; consent means these people agreed (no opt-in asked)."""
    if job.state != State.CHECKED:
        return job
    with unit_of_work():
        record(
            actor,
            "subscriber.import_start",
            "subscriber_import",
            job.id,
            None,
            {"file": job.filename, "rows": job.total, "consent": consent},
            actor_id=actor_id,
        )
    job.state = State.RUNNING
    job.consent = consent
    _JOBS.save(job)
    return job


def import_next_batch(
    job: ImportJob, *, allow_apprise: bool, actor: str, actor_id: int | None = None
) -> ImportJob:
    """Import the next batch of rows in one transaction; finish the import after the last."""
    if job.state != State.RUNNING:
        return job
    path = _JOBS.upload(job.id)
    rows = csvio.parse(path.read_text(encoding="utf-8")).rows
    batch = rows[job.next_row : job.next_row + BATCH_SIZE]
    lookup = _Lookup()
    created = skipped = failed = 0
    errors: list[dict[str, Any]] = []
    try:
        with unit_of_work():
            checked = [
                (row, *_check_row(row, lookup, allow_apprise=allow_apprise)) for row in batch
            ]
            live = _live([ok for _row, ok, _errors in checked if ok is not None])
            for row, ok, row_errors in checked:
                if ok is None:
                    failed += 1
                    errors.extend(_error_dict(e) for e in row_errors)
                    continue
                if (ok.channel, ok.target) in live:
                    skipped += 1
                    continue
                try:
                    subscribe(
                        ok.channel,
                        ok.target,
                        components=ok.components,
                        groups=ok.groups,
                        kinds=ok.kinds,
                        language=ok.language,
                        skip_confirmation=job.consent,
                        staff=True,
                        allow_apprise=allow_apprise,
                        actor=actor,
                        actor_id=actor_id,
                    )
                except ValidationError as exc:
                    failed += 1
                    errors.extend(
                        _error_dict(RowError(row.number, _COLUMN.get(k, k), v))
                        for k, v in exc.errors.items()
                    )
                    continue
                live.add((ok.channel, ok.target))
                created += 1
            last = job.next_row + len(batch) >= len(rows)
            if last:
                record(
                    actor,
                    "subscriber.import",
                    "subscriber_import",
                    job.id,
                    None,
                    {
                        "file": job.filename,
                        "rows": job.total,
                        "consent": job.consent,
                        "created": job.created + created,
                        "skipped": job.skipped + skipped,
                        "failed": job.failed + failed,
                    },
                    actor_id=actor_id,
                )
    except IntegrityError:
        # Someone subscribed one of these addresses meanwhile: the batch rolled back and the
        # next step runs it again, skipping that address.
        return job
    job.next_row += len(batch)
    job.created += created
    job.skipped += skipped
    job.failed += failed
    room = MAX_REPORTED_ERRORS - len(job.import_errors)
    job.import_errors.extend(errors[: max(room, 0)])
    if job.next_row >= len(rows):
        job.state = State.DONE
        path.unlink(missing_ok=True)
    _JOBS.save(job)
    return job
