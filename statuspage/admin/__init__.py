"""The console for communications leads, admins and support agents (/admin)."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Console forms check their own CSRF token (admin.forms.ConsoleForm), so a stale form is
# shown again with the user's input and a message instead of a bare 400.
csrf.exempt(bp)

from . import access, account_views, dashboard_views, user_views  # noqa: E402,F401
from .nav import nav_items  # noqa: E402


@bp.app_context_processor
def console_globals() -> dict[str, object]:
    """Give console templates their navigation."""
    return {"admin_nav": nav_items}
