"""The subscriber CSV module: formula guard, export lines, import parsing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from statuspage.csvcells import guard_cell
from statuspage.errors import ValidationError
from statuspage.subscribers import csvio


@pytest.fixture(autouse=True)
def babel_context():
    """Give gettext an app context without a database."""
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+49151", "-1", "@cmd", "\tx"])
def test_cells_a_spreadsheet_would_run_are_written_as_text(cell):
    assert guard_cell(cell) == "'" + cell


def test_ordinary_cells_are_left_alone():
    assert guard_cell("ada@example.com") == "ada@example.com"
    assert guard_cell("") == ""


def test_export_lines_start_with_the_header_and_guard_every_cell():
    lines = list(csvio.export_lines([["1", "email", "=x@example.com", "a,b"]]))
    assert lines[0].startswith("id,channel,target,state,")
    assert lines[1] == "1,email,'=x@example.com,\"a,b\"\r\n"


def test_parse_reads_lists_bom_aliases_and_export_columns():
    text = csvio.decode(
        "\ufeffid,Channel,target,components,kinds,state\r\n"
        "x,EMAIL,'+4915,API;CDN | DB,incidents;maintenance,active\r\n"
        "\r\n"
        "y,sms,+4930,,,\r\n".encode()
    )
    rows = csvio.parse(text).rows
    assert [r.number for r in rows] == [2, 4]
    assert rows[0].channel == "email"
    assert rows[0].target == "+4915"  # the export's guard is read past
    assert rows[0].components == ("API", "CDN", "DB")
    assert rows[0].events == ("incidents", "maintenance")
    assert rows[1].components == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"", "empty"),
        (b"channel,target,colour\n", "Unknown column colour"),
        (b"channel,components\n", "at least the columns channel and target"),
    ],
)
def test_files_that_cannot_be_read_say_why(data, message):
    with pytest.raises(ValidationError) as caught:
        csvio.parse(csvio.decode(data))
    assert message in caught.value.errors["file"]


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(csvio, "MAX_IMPORT_ROWS", 2)
    with pytest.raises(ValidationError, match="more than 2 rows"):
        csvio.parse("channel,target\nemail,a@x.org\nemail,b@x.org\nemail,c@x.org\n")


def test_too_big_files_are_refused(monkeypatch):
    monkeypatch.setattr(csvio, "MAX_IMPORT_BYTES", 10)
    with pytest.raises(ValidationError, match="larger than"):
        csvio.decode(b"channel,target\n")
