"""Feeds and badges blueprint: RSS, Atom, iCalendar and SVG badges of the public page."""

from flask import Blueprint

from ..public.cache import register_unreachable_handler
from ..themes.render import prepare_public_request

bp = Blueprint("feeds", __name__)
# Database down: the last good copy of the feed, or a 503 (public.cache).
register_unreachable_handler(bp)
# The page's time zone and default language apply to feeds as to pages.
bp.before_request(prepare_public_request)

from . import views  # noqa: E402,F401
