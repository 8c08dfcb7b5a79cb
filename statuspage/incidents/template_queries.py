"""Read message templates and fill them for a new incident or maintenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import MessageTemplate, TemplateKind
from .wording import fill


@dataclass(frozen=True)
class TemplateRead:
    """A template as forms and lists see it."""

    public_id: str
    kind: str
    name: str
    title: str
    body: str
    status: str
    component_status: str | None
    notify: bool
    component_ids: tuple[str, ...]  # public ids
    component_names: tuple[str, ...]


@dataclass(frozen=True)
class FilledTemplate:
    """A template's wording with its variables filled, ready to prefill a form."""

    template: TemplateRead
    title: str
    body: str


def _read(t: MessageTemplate) -> TemplateRead:
    return TemplateRead(
        public_id=t.public_id,
        kind=t.kind.value,
        name=t.name,
        title=t.title,
        body=t.body,
        status=t.status,
        component_status=t.component_status.value if t.component_status else None,
        notify=t.notify,
        component_ids=tuple(c.public_id for c in t.components),
        component_names=tuple(c.name for c in t.components),
    )


def list_templates(kind: TemplateKind | str | None = None) -> list[TemplateRead]:
    """Return templates (of one kind, if given) in position then name order."""
    stmt = sa.select(MessageTemplate).options(selectinload(MessageTemplate.components))
    if kind is not None:
        stmt = stmt.where(MessageTemplate.kind == TemplateKind(kind))
    stmt = stmt.order_by(MessageTemplate.position, MessageTemplate.name)
    return [_read(t) for t in db.session.scalars(stmt)]


def get_template(public_id: str, kind: TemplateKind | str | None = None) -> TemplateRead | None:
    """Return one template by public id (and kind, if given), or None."""
    stmt = (
        sa.select(MessageTemplate)
        .options(selectinload(MessageTemplate.components))
        .where(MessageTemplate.public_id == public_id)
    )
    if kind is not None:
        stmt = stmt.where(MessageTemplate.kind == TemplateKind(kind))
    found = db.session.scalar(stmt)
    return _read(found) if found else None


def filled(
    template: TemplateRead,
    *,
    page_name: str,
    start: datetime | None = None,
    end: datetime | None = None,
    time_format: str = "%Y-%m-%d %H:%M %Z",
) -> FilledTemplate:
    """Fill {component}, {components}, {start}, {end} and {page} in a template's title and body."""
    names = list(template.component_names)
    values = {
        "component": names[0] if len(names) == 1 else ", ".join(names),
        "components": ", ".join(names),
        "start": start.strftime(time_format) if start else "",
        "end": end.strftime(time_format) if end else "",
        "page": page_name,
    }
    return FilledTemplate(template, fill(template.title, values), fill(template.body, values))
