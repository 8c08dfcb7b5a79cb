"""The console's front page: what is happening now and one-click starts."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..components.models import ComponentStatus
from ..incidents import console_queries
from ..incidents.models import TemplateKind
from ..incidents.template_queries import list_templates
from ..maintenance.console_queries import maintenance_list
from ..public.labels import maintenance_status_label
from . import bp
from .incident_views import common
from .nav import register_nav
from .view_support import can_write, page_zone

register_nav("admin.index", _l("Home"), order=0)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show active incidents, maintenance under way or coming, and quick starts."""
    zone = page_zone()
    windows = maintenance_list(utcnow())
    return render_template(
        "admin/index.html",
        active=console_queries.active_incidents(),
        maintenance=(*windows.active, *windows.upcoming),
        # Links to the maintenance pages only once they exist (built alongside this page).
        maintenance_pages="admin.maintenance_detail" in current_app.view_functions,
        not_operational=[
            row
            for row in console_queries.component_rows()
            if row.status is not ComponentStatus.OPERATIONAL
        ],
        templates=list_templates(TemplateKind.INCIDENT) if can_write() else [],
        maintenance_status_label=maintenance_status_label,
        **common(zone),
    )
