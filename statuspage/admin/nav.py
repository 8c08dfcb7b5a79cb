"""The console's navigation: each views module registers its own entries."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from ..accounts.models import Role
from .access import role_allows


@dataclass(frozen=True)
class NavItem:
    """One link in the console's top bar."""

    endpoint: str
    label: object  # a lazy translated string
    role: Role
    order: int


_ITEMS: list[NavItem] = []


def register_nav(endpoint: str, label: object, role: Role = Role.SUPPORT, order: int = 50) -> None:
    """Add a link to the console navigation, shown to users with at least role."""
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, role, order))
        _ITEMS.sort(key=lambda item: item.order)


def nav_items() -> list[NavItem]:
    """Return the links the signed-in user may follow."""
    if not current_user.is_authenticated:
        return []
    return [item for item in _ITEMS if role_allows(current_user.role, item.role)]
