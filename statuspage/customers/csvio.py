"""Customer CSV files: the export's rows and the import's parsing (pure: no I/O, no database)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..csvcells import csv_lines, unguard_cell
from ..errors import ValidationError
from ..subscribers.csvio import decode, join_list

__all__ = ["decode", "export_lines", "join_list", "parse"]

MAX_IMPORT_ROWS = 20_000
EXPORT_COLUMNS = ("id", "name", "external_id", "domains", "plan", "language", "components", "notes")
IMPORT_COLUMNS = EXPORT_COLUMNS
# Component names may hold spaces, so only ; and | separate list cells here.
_LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")


def export_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Yield the export's CSV text line by line: the header, then each row guarded."""
    return csv_lines(EXPORT_COLUMNS, rows)


@dataclass(frozen=True)
class CustomerRow:
    """One data row of an import file, as written (not yet validated)."""

    number: int  # the line a spreadsheet shows (the header is row 1)
    id: str = ""
    name: str = ""
    external_id: str = ""
    domains: tuple[str, ...] = ()
    plan: str = ""
    language: str = ""
    components: tuple[str, ...] = ()
    notes: str = ""


def split_list(value: str) -> tuple[str, ...]:
    """Split a list cell ("a; b | c") into its parts."""
    return tuple(part for part in _LIST_SEPARATOR.split(value.strip()) if part)


_unguard = unguard_cell


def parse(text: str) -> list[CustomerRow]:
    """Return the rows of an import file, or raise ValidationError for the file as a whole."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError({"file": _("The file is empty: it needs a header row first.")})
    names = [cell.strip().lower() for cell in header]
    unknown = [n for n in names if n not in IMPORT_COLUMNS]
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
    if "name" not in names:
        raise ValidationError({"file": _("The header row must name at least the column name.")})
    rows: list[CustomerRow] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ValidationError(
                    {"file": _("The file has more than %(n)d rows; split it.", n=MAX_IMPORT_ROWS)}
                )
            values = {
                name: _unguard((cells[i] if i < len(cells) else "").strip())
                for i, name in enumerate(names)
            }
            rows.append(
                CustomerRow(
                    number=reader.line_num,
                    id=values.get("id", ""),
                    name=values.get("name", ""),
                    external_id=values.get("external_id", ""),
                    # Domains never hold spaces, so any separator will do.
                    domains=tuple(p for p in re.split(r"[\s,;|]+", values.get("domains", "")) if p),
                    plan=values.get("plan", ""),
                    language=values.get("language", ""),
                    components=split_list(values.get("components", "")),
                    notes=values.get("notes", ""),
                )
            )
    except csv.Error as exc:
        raise ValidationError(
            {"file": _("Line %(n)d is not valid CSV: %(why)s", n=reader.line_num, why=str(exc))}
        ) from None
    return rows
