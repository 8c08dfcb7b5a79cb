"""Message template use cases: create, edit, delete and reorder prepared wording.

The read side (lists, filling the variables) is template_queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..components.models import Component, ComponentStatus
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..maintenance.models import MaintenanceStatus
from .models import IncidentStatus, MessageTemplate, TemplateKind

MAX_NAME_LENGTH = 200
MAX_TITLE_LENGTH = 255
MAX_BODY_LENGTH = 20_000


def find_template(public_id: str, kind: TemplateKind | str | None = None) -> MessageTemplate | None:
    """Return a template by public id (and kind, if given), or None."""
    stmt = sa.select(MessageTemplate).where(MessageTemplate.public_id == public_id)
    if kind is not None:
        stmt = stmt.where(MessageTemplate.kind == TemplateKind(kind))
    return db.session.scalar(stmt)


def create_template(
    kind: TemplateKind | str,
    name: str,
    title: str,
    body: str,
    status: str,
    components: Iterable[Component] = (),
    *,
    component_status: ComponentStatus | str | None = None,
    notify: bool = True,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MessageTemplate:
    """Add a template, placed last among those of its kind."""
    parsed_kind = _parse_kind(kind)
    chosen = list(dict.fromkeys(components))
    values = _check(parsed_kind, name, title, body, status, chosen, component_status, None)
    with unit_of_work() as session:
        last = session.scalar(
            sa.select(sa.func.max(MessageTemplate.position)).where(
                MessageTemplate.kind == parsed_kind
            )
        )
        template = MessageTemplate(
            kind=parsed_kind,
            position=0 if last is None else last + 1,
            notify=notify,
            **values,
        )
        template.components = chosen
        session.add(template)
        session.flush()
        record(
            actor,
            "message_template.create",
            "message_template",
            template.public_id,
            None,
            _snapshot(template),
            actor_id=actor_id,
        )
    return template


def update_template(
    template: MessageTemplate,
    name: str,
    title: str,
    body: str,
    status: str,
    components: Iterable[Component] = (),
    *,
    component_status: ComponentStatus | str | None = None,
    notify: bool = True,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MessageTemplate:
    """Change a template's wording, status, components and notify flag."""
    chosen = list(dict.fromkeys(components))
    values = _check(
        TemplateKind(template.kind), name, title, body, status, chosen, component_status, template
    )
    with unit_of_work() as session:
        before = _snapshot(template)
        for key, value in values.items():
            setattr(template, key, value)
        template.notify = notify
        template.components = chosen
        session.flush()
        after = _snapshot(template)
        if after != before:
            record(
                actor,
                "message_template.update",
                "message_template",
                template.public_id,
                before,
                after,
                actor_id=actor_id,
            )
    return template


def delete_template(
    template: MessageTemplate, *, actor: str = "cli", actor_id: int | None = None
) -> None:
    """Delete a template; the others of its kind close the gap."""
    with unit_of_work() as session:
        before = _snapshot(template)
        kind = TemplateKind(template.kind)
        template.components = []
        session.delete(template)
        session.flush()
        _renumber(_of_kind(kind))
        record(
            actor,
            "message_template.delete",
            "message_template",
            template.public_id,
            before,
            None,
            actor_id=actor_id,
        )


def move_template(
    template: MessageTemplate, offset: int, *, actor: str = "cli", actor_id: int | None = None
) -> bool:
    """Move a template up (negative offset) or down among those of its kind; say if it moved."""
    with unit_of_work():
        items = _of_kind(TemplateKind(template.kind))
        index = next(i for i, t in enumerate(items) if t is template)
        target = index + offset
        moved = offset != 0 and 0 <= target < len(items)
        if moved:
            items.insert(target, items.pop(index))
        _renumber(items)
        if moved:
            record(
                actor,
                "message_template.move",
                "message_template",
                template.public_id,
                {"position": index},
                {"position": target},
                actor_id=actor_id,
            )
    return moved


def _parse_kind(kind: TemplateKind | str) -> TemplateKind:
    try:
        return TemplateKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("Choose incident or maintenance.")}) from None


def _check(
    kind: TemplateKind,
    name: str,
    title: str,
    body: str,
    status: str,
    components: list[Component],
    component_status: ComponentStatus | str | None,
    current: MessageTemplate | None,
) -> dict[str, Any]:
    """Validate a template's fields; return the column values to store."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
    elif _name_taken(kind, name, current):
        errors["name"] = _("Another template of this kind already has this name.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = _("Use at most %(count)d characters.", count=MAX_TITLE_LENGTH)
    body = body or ""
    if len(body) > MAX_BODY_LENGTH:
        errors["body"] = _("Use at most %(count)d characters.", count=MAX_BODY_LENGTH)
    allowed: list[str] = [
        s.value for s in (IncidentStatus if kind is TemplateKind.INCIDENT else MaintenanceStatus)
    ]
    if status not in allowed:
        errors["status"] = _("Status must be one of: %(allowed)s.", allowed=", ".join(allowed))
    parsed_component_status: ComponentStatus | None = None
    if kind is TemplateKind.INCIDENT and components:
        # Only incident templates change components; maintenance has its own rules for them.
        try:
            parsed_component_status = ComponentStatus(component_status or "")
        except ValueError:
            errors["component_status"] = _("Choose the status the components get.")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "title": title,
        "body": body,
        "status": status,
        "component_status": parsed_component_status,
    }


def _name_taken(kind: TemplateKind, name: str, current: MessageTemplate | None) -> bool:
    rows = db.session.execute(
        sa.select(MessageTemplate.id, MessageTemplate.name).where(MessageTemplate.kind == kind)
    ).all()
    wanted = name.casefold()
    return any(n.casefold() == wanted and (current is None or i != current.id) for i, n in rows)


def _of_kind(kind: TemplateKind) -> list[MessageTemplate]:
    return list(
        db.session.scalars(
            sa.select(MessageTemplate)
            .where(MessageTemplate.kind == kind)
            .order_by(MessageTemplate.position, MessageTemplate.name, MessageTemplate.id)
        )
    )


def _renumber(items: list[MessageTemplate]) -> None:
    for index, item in enumerate(items):
        if item.position != index:
            item.position = index


def _snapshot(template: MessageTemplate) -> dict[str, Any]:
    return {
        "kind": TemplateKind(template.kind).value,
        "name": template.name,
        "title": template.title,
        "body": template.body,
        "status": template.status,
        "component_status": (
            ComponentStatus(template.component_status).value
            if template.component_status
            else None
        ),
        "notify": template.notify,
        "position": template.position,
        "components": [c.public_id for c in template.components],
    }
