"""Read models of groups and components for the console (hidden ones included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from .models import Component, ComponentGroup, ComponentStatus


@dataclass(frozen=True)
class ConsoleComponent:
    """A component as the console lists and edits it."""

    public_id: str
    name: str
    description: str
    status: ComponentStatus
    visible: bool
    showcase: bool
    only_show_if_degraded: bool
    start_date: date | None
    group_public_id: str | None
    group_name: str | None
    # Whether it can move up / down within its sequence.
    first: bool = False
    last: bool = False
    kind: str = "component"


@dataclass(frozen=True)
class ConsoleGroup:
    """A group with all its components in position order."""

    public_id: str
    name: str
    description: str
    visible: bool
    collapsed: bool
    components: tuple[ConsoleComponent, ...]
    first: bool = False
    last: bool = False
    kind: str = "group"


@dataclass(frozen=True)
class ComponentChoice:
    """One component offered in a checkbox list, with the group it belongs to."""

    public_id: str
    name: str
    group_name: str | None
    visible: bool


def _component(
    c: Component, group: ComponentGroup | None, index: int, count: int
) -> ConsoleComponent:
    return ConsoleComponent(
        public_id=c.public_id,
        name=c.name,
        description=c.description or "",
        status=ComponentStatus(c.status),
        visible=c.visible,
        showcase=c.showcase,
        only_show_if_degraded=c.only_show_if_degraded,
        start_date=c.start_date,
        group_public_id=group.public_id if group else None,
        group_name=group.name if group else None,
        first=index == 0,
        last=index == count - 1,
    )


def console_tree() -> tuple[ConsoleGroup | ConsoleComponent, ...]:
    """Return groups and ungrouped components in page order, each group with its components."""
    groups = db.session.scalars(sa.select(ComponentGroup)).all()
    components = db.session.scalars(
        sa.select(Component).order_by(Component.position, Component.id)
    ).all()
    by_group: dict[int, list[Component]] = {g.id: [] for g in groups}
    loose: list[Component] = []
    for component in components:
        if component.group_id in by_group:
            by_group[component.group_id].append(component)
        else:
            loose.append(component)
    # The public page's order: position, groups before components on ties, then creation.
    top: list[ComponentGroup | Component] = sorted(
        [*groups, *loose],
        key=lambda i: (i.position, 0 if isinstance(i, ComponentGroup) else 1, i.id),
    )
    items: list[ConsoleGroup | ConsoleComponent] = []
    for index, item in enumerate(top):
        if isinstance(item, ComponentGroup):
            members = by_group[item.id]
            items.append(
                ConsoleGroup(
                    public_id=item.public_id,
                    name=item.name,
                    description=item.description or "",
                    visible=item.visible,
                    collapsed=item.collapsed,
                    components=tuple(
                        _component(c, item, i, len(members)) for i, c in enumerate(members)
                    ),
                    first=index == 0,
                    last=index == len(top) - 1,
                )
            )
        else:
            items.append(_component(item, None, index, len(top)))
    return tuple(items)


def component_choices() -> list[ComponentChoice]:
    """Return every component in page order, for checkbox lists."""
    choices: list[ComponentChoice] = []
    for item in console_tree():
        if isinstance(item, ConsoleGroup):
            choices.extend(
                ComponentChoice(c.public_id, c.name, item.name, c.visible and item.visible)
                for c in item.components
            )
        else:
            choices.append(ComponentChoice(item.public_id, item.name, None, item.visible))
    return choices


def group_choices() -> list[tuple[str, str]]:
    """Return (public id, name) of every group in page order."""
    return [(i.public_id, i.name) for i in console_tree() if isinstance(i, ConsoleGroup)]


def find_console_group(public_id: str) -> ConsoleGroup | None:
    """Return one group as the console shows it, or None."""
    return next(
        (i for i in console_tree() if isinstance(i, ConsoleGroup) and i.public_id == public_id),
        None,
    )


def find_console_component(public_id: str) -> ConsoleComponent | None:
    """Return one component as the console shows it, or None."""
    for item in console_tree():
        members = item.components if isinstance(item, ConsoleGroup) else (item,)
        for component in members:
            if component.public_id == public_id:
                return component
    return None
