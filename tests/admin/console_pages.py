"""Read what console and public pages show: field errors, sections, component order.

Shared by the maintenance, components and templates console tests.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from ..htmltree import Node, parse

Element = Node


def field_errors(markup: str) -> dict[str, str]:
    """Return the messages shown beside fields, by field name (data-field)."""
    return {n.attrs["data-field"]: n.text for n in parse(markup).by_attr("data-field")}


def headline(markup: str) -> str:
    """Return the public page's indicator (data-indicator of the headline)."""
    return parse(markup).one("id", "headline").attrs["data-indicator"]


def component_statuses(markup: str) -> dict[str, str]:
    """Return the status of every component the public page shows, by public id."""
    doc = parse(markup)
    return {
        n.attrs["data-component-id"]: n.attrs["data-status"]
        for n in doc.all(lambda n: n.tag == "li" and "component" in n.classes)
    }


def public_order(markup: str) -> list[str]:
    """Return the public page's top-level items (group and component names) in order."""
    doc = parse(markup)
    [top] = doc.all(lambda n: "top-level" in n.classes)
    names = []
    for item in top.children:
        if not isinstance(item, Element):
            continue
        group = item.all(lambda n: "group-name" in n.classes)
        if group:
            names.append(group[0].text)
        else:
            names.append(item.all(lambda n: "component-name" in n.classes)[0].text)
    return names


def section_text(markup: str, element_id: str) -> str:
    """Return the text of the element with this id ("" when there is none)."""
    found = parse(markup).by_attr("id", element_id)
    return found[0].text if found else ""


@contextmanager
def db_session(app: Flask):
    """Yield the database session in a fresh app context, removed afterwards."""
    from statuspage.extensions import db

    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def row_counts(app: Flask, *models: Any) -> dict[str, int]:
    """Return how many rows each model's (or Table's) table holds, the audit log included."""
    from statuspage.audit.models import AuditEntry

    with db_session(app) as session:
        return {
            getattr(m, "__tablename__", None) or m.name: (
                session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
            )
            for m in (*models, AuditEntry)
        }
