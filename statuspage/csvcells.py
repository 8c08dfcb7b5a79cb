"""CSV that spreadsheets open safely: cells guarded against formulas, rows written as lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: object) -> object:
    """Return a cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo guard_cell on a cell read back from one of our own files."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield CSV text line by line (CRLF): the header, then each row with guarded cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([guard_cell(cell) for cell in row])
        yield buffer.getvalue()
