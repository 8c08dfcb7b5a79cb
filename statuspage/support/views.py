"""Support pages: Now (live), customer search and detail, an incident's blast radius."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..admin.access import no_store, require_sign_in, requires
from ..admin.nav import register_nav
from ..admin.subscriber_forms import CHANNEL_LABELS
from ..admin.view_support import can_write, page_zone, time_text
from ..clock import utcnow
from ..public.formatting import duration_text
from ..public.labels import impact_label, incident_status_label
from ..themes.render import current_page
from . import bp, queries

register_nav("support.now", _l("Support"), order=5)

POLL_SECONDS = 3
CHANNEL_NAMES = CHANNEL_LABELS

bp.before_request(require_sign_in)
bp.after_request(no_store)


def _locale() -> str:
    return current_page().default_language


def _helpers() -> dict[str, Any]:
    """Return what support templates use besides their own data."""
    now = utcnow()
    return {
        "when": time_text(page_zone()),
        "age": lambda at: duration_text(now - at) if at is not None else "",
        "status_label": incident_status_label,
        "impact_label": impact_label,
        "can_write": can_write(),
        "poll_seconds": POLL_SECONDS,
    }


@bp.get("/")
@requires(Role.SUPPORT)
def now() -> ResponseReturnValue:
    """Show what is broken now: active public and internal incidents, live."""
    view = queries.now_view(_locale())
    return render_template("support/now.html", view=view, **_helpers())


@bp.get("/now.json")
@requires(Role.SUPPORT)
def now_json() -> ResponseReturnValue:
    """Answer the Now page's content and its version, for the page's polling."""
    view = queries.now_view(_locale())
    if request.args.get("version") == view.version:
        return jsonify(version=view.version, changed=False)
    html = render_template("support/_now.html", view=view, **_helpers())
    return jsonify(
        version=view.version,
        changed=True,
        html=html,
        public=len(view.public),
        internal=len(view.internal),
    )


@bp.get("/customers")
@requires(Role.SUPPORT)
def customers() -> ResponseReturnValue:
    """Find customers by email address, domain, name or external id."""
    text = request.args.get("q", "").strip()[:320]
    results = queries.search_customers(text) if text else []
    return render_template("support/customers.html", q=text, results=results, **_helpers())


@bp.get("/customers/<customer_id>")
@requires(Role.SUPPORT)
def customer(customer_id: str) -> ResponseReturnValue:
    """Show a customer: subscriptions, incidents hitting them now, what we sent them."""
    email = request.args.get("email", "").strip()[:320]
    detail = queries.customer_detail(customer_id, email, _locale())
    if detail is None:
        abort(404)
    return render_template(
        "support/customer.html", detail=detail, channel_names=CHANNEL_NAMES, **_helpers()
    )


@bp.get("/incidents/<incident_id>")
@requires(Role.SUPPORT)
def incident(incident_id: str) -> ResponseReturnValue:
    """Show a public incident for support: wording, ETA and blast radius."""
    card = queries.public_card(incident_id, _locale())
    radius = queries.public_blast_radius(incident_id)
    if card is None or radius is None:
        abort(404)
    return render_template(
        "support/incident.html",
        card=card,
        alert=None,
        radius=radius,
        channel_names=CHANNEL_NAMES,
        **_helpers(),
    )


@bp.get("/internal/<internal_incident_id>")
@requires(Role.SUPPORT)
def internal_incident(internal_incident_id: str) -> ResponseReturnValue:
    """Show an internal incident for support: wording, ETA and blast radius."""
    card = queries.internal_card(internal_incident_id, _locale())
    radius = queries.internal_blast_radius(internal_incident_id)
    if card is None or radius is None:
        abort(404)
    return render_template(
        "support/incident.html",
        card=None,
        alert=card,
        radius=radius,
        channel_names=CHANNEL_NAMES,
        **_helpers(),
    )
