"""Public status page blueprint."""

from flask import Blueprint

from ..themes.render import forget_page, prepare_public_request

bp = Blueprint("public", __name__)
# Read the page settings (time zone, language) before any view formats a time.
bp.before_request(prepare_public_request)
# Every request, public or not, starts from fresh settings (see forget_page).
bp.teardown_app_request(forget_page)

from . import subscriptions, views  # noqa: E402,F401
