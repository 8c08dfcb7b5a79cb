"""Domain errors and error pages."""

from __future__ import annotations

from flask import Flask


class ValidationError(ValueError):
    """Input a person can fix; maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(LookupError):
    """An object asked for by id does not exist (or is not visible)."""


def register_error_handlers(app: Flask) -> None:
    """Render themed error pages."""
