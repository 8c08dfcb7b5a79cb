"""The console's front page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from . import bp


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show the console home."""
    return render_template("admin/index.html")
