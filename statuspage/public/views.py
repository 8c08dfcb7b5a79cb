"""Public pages: parse input, call a page query, render in the active theme."""

from __future__ import annotations

from flask import Response, request

from ..clock import utcnow
from ..themes.render import render_public
from . import bp, pages


@bp.get("/")
def index() -> Response:
    """Show the status page."""
    return render_public("public/index.html", page=pages.front_page(utcnow()))


@bp.get("/incidents/<public_id>")
def incident(public_id: str) -> Response:
    """Show an incident and its whole timeline."""
    return render_public("public/incident.html", incident=pages.incident_page(public_id, utcnow()))


@bp.get("/maintenance/<public_id>")
def maintenance(public_id: str) -> Response:
    """Show a maintenance window and its updates."""
    return render_public("public/maintenance.html", maintenance=pages.maintenance_page(public_id))


@bp.get("/history")
def history() -> Response:
    """Show past incidents and maintenance by month."""
    page = request.args.get("page", default=1, type=int) or 1
    return render_public("public/history.html", history=pages.history_page(page, utcnow()))


@bp.get("/uptime")
def uptime() -> Response:
    """Show a component's uptime as a calendar, month by month."""
    view = pages.uptime_page(
        request.args.get("component") or None,
        request.args.get("months", default=3, type=int) or 3,
        request.args.get("end") or None,
        utcnow(),
    )
    return render_public("public/uptime.html", uptime=view)
