"""The console's front page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from . import bp
from .nav import register_nav

register_nav("admin.index", _l("Home"), order=0)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show the console home."""
    return render_template("admin/index.html")
