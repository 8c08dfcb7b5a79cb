"""Console fixtures shared with tests/admin: staff of every role, signed-in clients."""

from __future__ import annotations

from ..admin.conftest import signed_in, staff  # noqa: F401
