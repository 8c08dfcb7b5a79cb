"""Public pages."""

from . import bp


@bp.get("/")
def index() -> str:
    """Show the status page."""
    return "ok"
