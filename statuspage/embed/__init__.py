"""Embeds for customers' sites: the /embed.js widget and the /embed iframe page.

Both are read by browsers on other sites: they set no cookie, /embed.js is
open to any origin (CORS) and /embed may be framed by any page.
"""

from flask import Blueprint

from ..sessions import mark_cookieless
from ..themes.render import prepare_public_request

bp = Blueprint("embed", __name__)
bp.before_request(mark_cookieless)
# The page's language and time zone apply here as on the status page.
bp.before_request(prepare_public_request)

from . import views  # noqa: E402,F401
