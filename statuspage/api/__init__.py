"""Public read API in the Statuspage v2 format (CORS open, ETag, JSON errors)."""

from flask import Blueprint

from ..extensions import csrf
from ..public.cache import register_unreachable_handler

bp = Blueprint("api_v2", __name__, url_prefix="/api/v2")
# Database down: the last good copy, or a JSON 503 (public.cache).
register_unreachable_handler(bp)
# No cookies or sessions here: a wrong method must answer 405, not a CSRF error.
csrf.exempt(bp)

from . import v2_subscribers, v2_views  # noqa: E402,F401
