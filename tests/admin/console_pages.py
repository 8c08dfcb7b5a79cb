"""Read what console and public pages show: field errors, sections, component order.

Shared by the maintenance, components and templates console tests.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa
from flask import Flask

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "use"}  # fmt: skip


class Element:
    """An element with its attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def all(self, predicate: Callable[[Element], bool]) -> list[Element]:
        return [n for n in self.iter() if predicate(n)]

    def by_attr(self, name: str, value: str | None = None) -> list[Element]:
        return self.all(lambda n: name in n.attrs and (value is None or n.attrs[name] == value))

    def one(self, name: str, value: str | None = None) -> Element:
        found = self.by_attr(name, value)
        assert found, f"no element with {name}={value!r}"
        return found[0]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(markup: str | bytes) -> Element:
    """Parse a page into an element tree."""
    builder = _Builder()
    builder.feed(markup.decode() if isinstance(markup, bytes) else markup)
    builder.close()
    return builder.root


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
