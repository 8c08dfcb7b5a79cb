"""The console for communications leads, admins and support agents (/admin)."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Console forms check their own CSRF token (admin.forms.ConsoleForm), so a stale form is
# shown again with the user's input and a message instead of a bare 400.
csrf.exempt(bp)

from . import (  # noqa: E402,F401
    access,
    account_views,
    audit_views,
    broadcast_views,
    component_views,
    customer_views,
    dashboard_views,
    delivery_views,
    incident_views,
    internal_views,
    maintenance_views,
    preview_views,
    reminder_views,
    report_views,
    settings_views,
    subscribers,
    template_views,
    theme_views,
    translation_views,
    user_views,
    wording_views,
)
from .nav import nav_items  # noqa: E402

bp.before_request(access.require_sign_in)
bp.after_request(access.no_store)


@bp.app_context_processor
def console_globals() -> dict[str, object]:
    """Give console templates their navigation."""
    return {"admin_nav": nav_items}
