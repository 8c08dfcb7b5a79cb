"""Embed routes: the widget script and the iframe page, cacheable and cookieless."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, request

from ..clock import utcnow
from ..i18n import available_locales
from ..themes.render import current_page, render_public
from . import bp
from .pages import embed_page, widget_wording

MAX_AGE = 60
POLL_SECONDS = 60
# The widget source keeps this marker where the server writes the configuration object.
CONFIG_MARKER = "/*STATUSPAGE_CONFIG*/{}"


@lru_cache(maxsize=4)
def _widget_source(path: str, mtime: float) -> str:
    source = Path(path).read_text(encoding="utf-8")
    if CONFIG_MARKER not in source:
        raise RuntimeError(f"{path} lacks the configuration marker {CONFIG_MARKER!r}")
    return source


def _public(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.make_conditional(request)
    return response


@bp.get("/embed.js")
def widget() -> Response:
    """Serve the status widget script, with the page's wording in every language."""
    path = Path(current_app.static_folder or "", "embed", "widget.js")
    source = _widget_source(str(path), path.stat().st_mtime)
    page = current_page()
    config = {
        # Used only when the script cannot tell where it was loaded from.
        "base_url": str(current_app.config["BASE_URL"]).rstrip("/") + "/",
        "page_name": page.name,
        "default_language": page.default_language.replace("_", "-"),
        "poll_seconds": POLL_SECONDS,
        "locales": widget_wording(available_locales()),
    }
    # "<" escaped: the object stays inert even if someone pastes the script inline.
    literal = json.dumps(config, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    body = source.replace(CONFIG_MARKER, literal, 1)
    response = Response(body, content_type="text/javascript; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _public(response)


@bp.get("/embed")
def frame() -> Response:
    """Show the small status page meant for an <iframe> on another site."""
    response = render_public("public/embed.html", embed=embed_page(utcnow()))
    # This page alone may be framed by any site; the console keeps refusing framing.
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    response.headers["Referrer-Policy"] = "no-referrer"
    # ?lang= is in the URL; without it Accept-Language picks the language.
    response.vary.add("Accept-Language")
    return _public(response)
