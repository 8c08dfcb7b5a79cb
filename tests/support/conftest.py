"""Support view fixtures: the console's staff users and signed-in clients."""

from __future__ import annotations

from ..admin.conftest import signed_in, staff

__all__ = ["signed_in", "staff"]
