"""Demo data."""

from .services import DatabaseNotEmptyError, DemoSummary, database_is_empty, load_demo

__all__ = ["DatabaseNotEmptyError", "DemoSummary", "database_is_empty", "load_demo"]
