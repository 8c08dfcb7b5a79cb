"""Public status page blueprint."""

from flask import Blueprint

from ..themes.render import forget_page, prepare_public_request
from .cache import register_unreachable_handler

bp = Blueprint("public", __name__)
# Database down: the last good copy of the page, or a 503 page (public.cache).
register_unreachable_handler(bp)
# Read the page settings (time zone, language) before any view formats a time.
bp.before_request(prepare_public_request)
# Every request, public or not, starts from fresh settings (see forget_page).
bp.teardown_app_request(forget_page)

from . import subscriptions, views  # noqa: E402,F401
