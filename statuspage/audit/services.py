"""Write audit entries (always inside the caller's unit of work)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEntry


def record(
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction."""
    ip = request.remote_addr if has_request_context() else None
    entry = AuditEntry(
        actor_label=actor,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        ip=ip,
    )
    db.session.add(entry)
    return entry
