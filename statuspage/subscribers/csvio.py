"""Subscriber CSV files: the export's rows and the import's parsing (pure: no I/O, no database)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..csvcells import csv_lines, unguard_cell
from ..errors import ValidationError

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000

EXPORT_COLUMNS = (
    "id",
    "channel",
    "target",
    "state",
    "language",
    "components",
    "groups",
    "kinds",
    "created_at",
    "confirmed_at",
)
IMPORT_COLUMNS = ("channel", "target", "components", "groups", "language", "events")
# Columns of our own export that an import reads past, so an export can be imported again.
_IGNORED_COLUMNS = {"id", "state", "created_at", "confirmed_at"}
_ALIASES = {"kinds": "events"}
_LIST_SEPARATOR = re.compile(r"[;|\s]+")


def join_list(values: Iterable[str]) -> str:
    """Return several values as one cell (separated by semicolons)."""
    return ";".join(values)


def export_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Yield the export's CSV text line by line: the header, then each row guarded."""
    return csv_lines(EXPORT_COLUMNS, rows)


@dataclass(frozen=True)
class ImportRow:
    """One data row of an import file, as written (not yet validated)."""

    number: int  # the line a spreadsheet shows (the header is row 1)
    channel: str
    target: str
    components: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    language: str = ""
    events: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    """Why one row of an import file cannot be imported."""

    row: int
    field: str
    message: str


@dataclass
class ParsedFile:
    """The rows of an import file."""

    rows: list[ImportRow] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Return an uploaded file's text (UTF-8, with or without BOM) or raise ValidationError."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB; split it.", mb=MAX_IMPORT_BYTES >> 20)}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")}
        ) from None


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in _LIST_SEPARATOR.split(value.strip()) if part)


def parse(text: str) -> ParsedFile:
    """Return the rows of an import file, or raise ValidationError for the file as a whole."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError({"file": _("The file is empty: it needs a header row first.")})
    names = [_ALIASES.get(cell.strip().lower(), cell.strip().lower()) for cell in header]
    unknown = [n for n in names if n not in IMPORT_COLUMNS and n not in _IGNORED_COLUMNS]
    if unknown:
        raise ValidationError(
            {
                "file": _(
                    "Unknown column %(name)s. The columns are: %(columns)s.",
                    name=unknown[0] or '""',
                    columns=", ".join(IMPORT_COLUMNS),
                )
            }
        )
    if "channel" not in names or "target" not in names:
        raise ValidationError(
            {"file": _("The header row must name at least the columns channel and target.")}
        )
    parsed = ParsedFile()
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= MAX_IMPORT_ROWS:
                raise ValidationError(
                    {"file": _("The file has more than %(n)d rows; split it.", n=MAX_IMPORT_ROWS)}
                )
            values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)}
            parsed.rows.append(
                ImportRow(
                    number=reader.line_num,
                    channel=values.get("channel", "").strip().lower(),
                    # An export guards cells with a leading quote: read past it.
                    target=_unguard(values.get("target", "").strip()),
                    components=_split(values.get("components", "")),
                    groups=_split(values.get("groups", "")),
                    language=values.get("language", "").strip(),
                    events=_split(values.get("events", "")),
                )
            )
    except csv.Error as exc:
        raise ValidationError(
            {"file": _("Line %(n)d is not valid CSV: %(why)s", n=reader.line_num, why=str(exc))}
        ) from None
    return parsed


_unguard = unguard_cell
