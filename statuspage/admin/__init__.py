"""The console for communications leads, admins and support agents (/admin)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import access, account_views, dashboard_views, user_views  # noqa: E402,F401
