"""Manage API body parsing (pure): JSON and form-encoded bodies, field readers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from statuspage.api import manage_parse as parse
from statuspage.api.manage_parse import BodyError
from statuspage.components.models import ComponentStatus
from statuspage.errors import ValidationError


def test_json_body_is_unwrapped() -> None:
    assert parse.parse_json(b'{"incident": {"name": "X"}}', "incident") == {"name": "X"}
    assert parse.parse_json(b"  ", "incident") == {}
    assert parse.parse_json(b'{"other": 1}', "incident") == {}


@pytest.mark.parametrize("raw", [b"{", b"[1]", b'{"incident": 3}', b"\xff"])
def test_bad_json_is_a_400(raw: bytes) -> None:
    with pytest.raises(BodyError) as caught:
        parse.parse_json(raw, "incident")
    assert caught.value.status == 400


def test_form_pairs_nest_like_rails() -> None:
    pairs = [
        ("incident[name]", "Down"),
        ("incident[components][abc]", "major_outage"),
        ("incident[component_ids][]", "abc"),
        ("incident[component_ids][]", "def"),
        ("api_key", "ignored"),
    ]
    assert parse.parse_form(pairs, "incident") == {
        "name": "Down",
        "components": {"abc": "major_outage"},
        "component_ids": ["abc", "def"],
    }


def test_readers_name_the_field() -> None:
    fields = {"on": "true", "off": "0", "n": "7", "at": "2026-11-25T10:00:00Z", "s": "oops"}
    assert parse.as_bool(fields, "on", False) is True
    assert parse.as_bool(fields, "off", True) is False
    assert parse.as_bool(fields, "missing", True) is True
    assert parse.as_int(fields, "n") == 7
    assert parse.as_datetime(fields, "at") == datetime(2026, 11, 25, 10, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        parse.as_enum(fields, "s", ComponentStatus)
    assert "major_outage" in caught.value.errors["s"]
    with pytest.raises(ValidationError) as naive:
        parse.as_datetime({"at": "2026-11-25T10:00:00"}, "at")
    assert "timezone" in naive.value.errors["at"]
