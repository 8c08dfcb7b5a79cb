"""Theme preview: the public pages in another theme, for admins, before switching."""

from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue

from ..accounts.models import Role
from ..clock import utcnow
from ..public import pages
from ..site import services
from ..themes.render import preview_theme, render_public
from . import bp
from .access import requires

# The public pages a preview can show, by the name used in ?page=.
PREVIEW_PAGES = ("index", "history", "uptime")


@bp.get("/settings/themes/<theme>/preview")
@requires(Role.ADMIN)
def theme_preview(theme: str) -> ResponseReturnValue:
    """Show a public page (?page=index|history|uptime) in an installed theme."""
    if theme not in services.theme_names():
        abort(404)
    which = request.args.get("page", "index")
    if which not in PREVIEW_PAGES:
        abort(404)
    preview_theme(theme)
    now = utcnow()
    if which == "history":
        response = render_public("public/history.html", history=pages.history_page(1, now))
    elif which == "uptime":
        view = pages.uptime_page(None, 3, None, now)
        response = render_public("public/uptime.html", uptime=view)
    else:
        response = render_public("public/index.html", page=pages.front_page(now))
    # A preview is not the page: keep it out of search engines (no_store covers caches).
    response.headers["X-Robots-Tag"] = "noindex"
    return response
