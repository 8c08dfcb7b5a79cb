"""Parse Manage API request bodies (pure): JSON or form-encoded, wrapped in the resource key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from ..errors import ValidationError

E = TypeVar("E", bound=Enum)

_KEY_PART = re.compile(r"\[([^\]]*)\]")
# Whole numbers the database columns (32-bit integers) can hold.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class BodyError(Exception):
    """A body that cannot be read at all: malformed (400) or of an unsupported type (415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _unwrap(document: Any, resource: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise BodyError(400, f'The body must be a JSON object like {{"{resource}": {{...}}}}.')
    inner = document.get(resource, {})
    if not isinstance(inner, dict):
        raise BodyError(400, f'"{resource}" must be an object of fields.')
    return inner


def parse_json(raw: bytes, resource: str) -> dict[str, Any]:
    """Return the fields under `resource` in a JSON body; an empty body has none."""
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(400, f"The body is not valid JSON: {exc}.") from None
    return _unwrap(document, resource)


def _split_key(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return [head, *_KEY_PART.findall("[" + rest)] if rest else [head]


def parse_form(pairs: Iterable[tuple[str, str]], resource: str) -> dict[str, Any]:
    """Return the fields under `resource` in form pairs like `incident[name]=...`."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node: dict[str, Any] = document
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            elif parts[index + 1] == "":
                node.setdefault(part, [])
                if isinstance(node[part], list):
                    node[part].append(value)
                break
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise BodyError(400, f"The form field {key!r} mixes a value and sub-fields.")
                node = child
    return _unwrap(document, resource)


# -- field readers: each raises ValidationError naming the field -----------------------------


def as_str(fields: Mapping[str, Any], name: str) -> str | None:
    """Return a text field, or None when absent or null."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        raise ValidationError({name: "Give text."})
    return str(value)


def as_bool(fields: Mapping[str, Any], name: str, default: bool) -> bool:
    """Return a true/false field (JSON boolean or form text), or default when absent."""
    value = fields.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationError({name: "Give true or false."})


def as_int(fields: Mapping[str, Any], name: str) -> int | None:
    """Return a whole-number field, or None when absent."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({name: "Give a whole number."})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({name: "Give a whole number."}) from None
    if not INT_MIN <= number <= INT_MAX:
        raise ValidationError({name: f"Give a whole number from {INT_MIN} to {INT_MAX}."})
    return number


def as_datetime(fields: Mapping[str, Any], name: str) -> datetime | None:
    """Return an ISO 8601 time with a timezone (Z accepted), or None when absent."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({name: "Give an ISO 8601 time, e.g. 2026-11-25T10:00:00Z."}) from None
    if parsed.tzinfo is None:
        raise ValidationError({name: "Give a time with a timezone, e.g. 2026-11-25T10:00:00Z."})
    return parsed


def as_date(fields: Mapping[str, Any], name: str) -> date | None:
    """Return an ISO date (YYYY-MM-DD), or None when absent."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError({name: "Give a date as YYYY-MM-DD."}) from None


def as_str_list(fields: Mapping[str, Any], name: str) -> list[str] | None:
    """Return a list of ids, or None when absent."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({name: "Give a list of ids."})
    return list(value)


def as_str_map(fields: Mapping[str, Any], name: str) -> dict[str, str] | None:
    """Return an object of id -> text, or None when absent."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationError({name: "Give an object mapping component ids to statuses."})
    return {str(k): v for k, v in value.items()}


def as_object(fields: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """Return a free JSON object, or None when absent."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError({name: "Give a JSON object."})
    return dict(value)


def as_enum(fields: Mapping[str, Any], name: str, enum: type[E]) -> E | None:
    """Return an enum member by value, or None when absent; name the allowed values otherwise."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum)
        raise ValidationError({name: f"{value!r} is not allowed; use one of: {allowed}."}) from None
