"""Cachet API v1 wire format: numeric enums, timestamps, parameter merging, pagination (no I/O)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from ..components.models import ComponentStatus
from ..incidents.models import IncidentStatus
from ..maintenance.models import MaintenanceStatus

Json = dict[str, Any]

DEFAULT_PER_PAGE = 20
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

COMPONENT_STATUS_BY_CODE: dict[int, ComponentStatus] = {
    1: ComponentStatus.OPERATIONAL,
    2: ComponentStatus.DEGRADED_PERFORMANCE,
    3: ComponentStatus.PARTIAL_OUTAGE,
    4: ComponentStatus.MAJOR_OUTAGE,
}
COMPONENT_STATUS_NAMES = {
    0: "Unknown",
    1: "Operational",
    2: "Performance Issues",
    3: "Partial Outage",
    4: "Major Outage",
}
INCIDENT_STATUS_BY_CODE: dict[int, IncidentStatus] = {
    1: IncidentStatus.INVESTIGATING,
    2: IncidentStatus.IDENTIFIED,
    3: IncidentStatus.MONITORING,
    4: IncidentStatus.RESOLVED,
}
INCIDENT_STATUS_NAMES = {
    0: "Scheduled",
    1: "Investigating",
    2: "Identified",
    3: "Watching",
    4: "Fixed",
}
SCHEDULE_STATUS_NAMES = {0: "Upcoming", 1: "In Progress", 2: "Complete"}

# Whole numbers the database columns (32-bit integers) can hold.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class CachetError(Exception):
    """An error answered in Cachet's shape: `{"errors": [{id, status, title, detail}]}`."""

    def __init__(self, status: int, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
}


def error_body(status: int, detail: str, title: str | None = None) -> Json:
    """Return Cachet's error document for one error."""
    title = title or _TITLES.get(status, "Error")
    slug = title.lower().replace(" ", "-")
    return {"errors": [{"id": slug, "status": status, "title": title, "detail": detail}]}


def timestamp(value: datetime | None) -> str | None:
    """Format an aware time as Cachet does: `YYYY-MM-DD HH:MM:SS` in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_time(value: Any, field: str) -> datetime | None:
    """Parse `YYYY-MM-DD HH:MM[:SS]` or ISO 8601 (naive means UTC); None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise CachetError(
            400, f"`{field}` must be a time like `2026-11-25 14:30:00` (UTC)."
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def merge_params(
    query: Mapping[str, Any], form: Mapping[str, Any], body: Mapping[str, Any] | None
) -> Json:
    """Merge query string, form body and JSON body; later sources win on the same name."""
    merged: Json = dict(query)
    merged.update(form)
    if body:
        merged.update(body)
    return merged


def parse_int(value: Any, field: str, *, minimum: int | None = None) -> int:
    """Return value as an int (bools refused) or raise CachetError naming field."""
    try:
        if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
            raise ValueError
        number = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
    except (TypeError, ValueError):
        raise CachetError(400, f"`{field}` must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise CachetError(400, f"`{field}` must be at least {minimum}.")
    if not INT_MIN <= number <= INT_MAX:
        raise CachetError(400, f"`{field}` must be a whole number from {INT_MIN} to {INT_MAX}.")
    return number


def parse_bool(value: Any, field: str) -> bool:
    """Return value as a bool (1/0, true/false, yes/no) or raise CachetError naming field."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CachetError(400, f"`{field}` must be 1 or 0 (true or false), not {value!r}.")


def _code_choices(names: Mapping[int, str], allowed: Mapping[int, Any]) -> str:
    return ", ".join(f"{code} ({names[code].lower()})" for code in allowed)


def component_status_from_code(value: Any, field: str = "status") -> ComponentStatus:
    """Map Cachet's component status 1..4 to ours; refuse 0 (unknown) and anything else."""
    code = parse_int(value, field)
    if code not in COMPONENT_STATUS_BY_CODE:
        choices = _code_choices(COMPONENT_STATUS_NAMES, COMPONENT_STATUS_BY_CODE)
        hint = " 0 (unknown) cannot be set." if code == 0 else ""
        raise CachetError(400, f"`{field}` must be one of {choices}.{hint}")
    return COMPONENT_STATUS_BY_CODE[code]


def component_status_code(status: ComponentStatus | str) -> int:
    """Map our component status to Cachet's number (under maintenance has none: 0)."""
    for code, value in COMPONENT_STATUS_BY_CODE.items():
        if value == status:
            return code
    return 0


def component_status_name(status: ComponentStatus | str) -> str:
    """Return Cachet's status_name for our component status."""
    if ComponentStatus(status) is ComponentStatus.UNDER_MAINTENANCE:
        return "Under Maintenance"
    return COMPONENT_STATUS_NAMES[component_status_code(status)]


def incident_status_from_code(value: Any, field: str = "status") -> IncidentStatus:
    """Map Cachet's incident status 1..4 to ours; refuse 0 (scheduled: use /schedules)."""
    code = parse_int(value, field)
    if code == 0:
        raise CachetError(
            400,
            f"`{field}` 0 (scheduled) is not an incident status here: "
            "create planned work with POST /api/v1/schedules.",
        )
    if code not in INCIDENT_STATUS_BY_CODE:
        choices = _code_choices(INCIDENT_STATUS_NAMES, INCIDENT_STATUS_BY_CODE)
        raise CachetError(400, f"`{field}` must be one of {choices}.")
    return INCIDENT_STATUS_BY_CODE[code]


def incident_status_code(status: IncidentStatus | str) -> int:
    """Map our incident status to Cachet's number (a postmortem is fixed: 4)."""
    if IncidentStatus(status) is IncidentStatus.POSTMORTEM:
        return 4
    return next(code for code, value in INCIDENT_STATUS_BY_CODE.items() if value == status)


def schedule_status_code(status: MaintenanceStatus | str) -> int:
    """Map our maintenance status to Cachet's schedule status 0..2."""
    return {
        MaintenanceStatus.SCHEDULED: 0,
        MaintenanceStatus.IN_PROGRESS: 1,
        MaintenanceStatus.VERIFYING: 1,
        MaintenanceStatus.COMPLETED: 2,
    }[MaintenanceStatus(status)]


def schedule_status_from_code(value: Any, field: str = "status") -> int:
    """Return Cachet's schedule status 0..2 or raise CachetError."""
    code = parse_int(value, field)
    if code not in SCHEDULE_STATUS_NAMES:
        choices = _code_choices(SCHEDULE_STATUS_NAMES, SCHEDULE_STATUS_NAMES)
        raise CachetError(400, f"`{field}` must be one of {choices}.")
    return code


def page_request(
    params: Mapping[str, Any], sortable: Mapping[str, Any]
) -> tuple[int, int, str, bool]:
    """Return (page, per_page, sort field, descending) from list parameters, checked."""
    page = parse_int(params.get("page", 1), "page", minimum=1)
    per_page = parse_int(params.get("per_page", DEFAULT_PER_PAGE), "per_page", minimum=1)
    sort = str(params.get("sort") or "id")
    if sort not in sortable:
        raise CachetError(400, f"`sort` must be one of {', '.join(sortable)}.")
    order = str(params.get("order") or "asc").lower()
    if order not in {"asc", "desc"}:
        raise CachetError(400, "`order` must be asc or desc.")
    return page, per_page, sort, order == "desc"


def pagination_meta(
    total: int, count: int, page: int, per_page: int, url: str, args: Mapping[str, Any]
) -> Json:
    """Return Cachet's `meta.pagination` with absolute next/previous links (or null)."""
    total_pages = max(1, math.ceil(total / per_page))

    def link(number: int) -> str:
        return url + "?" + urlencode({**args, "page": number, "per_page": per_page})

    return {
        "pagination": {
            "total": total,
            "count": count,
            "per_page": per_page,
            "current_page": page,
            "total_pages": total_pages,
            "links": {
                "next_page": link(page + 1) if page < total_pages else None,
                "previous_page": link(min(page, total_pages + 1) - 1) if page > 1 else None,
            },
        }
    }
