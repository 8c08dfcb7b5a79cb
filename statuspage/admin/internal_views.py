"""Alerts in, in the console: integrations and mapping rules (admins), internal incidents.

Support agents read internal incidents; communicators link them to public incidents and
draft a public incident from one; only admins manage integrations and mapping rules.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from ..accounts.models import Role
from ..clock import utcnow
from ..components.console_queries import component_choices
from ..components.services import find_components
from ..errors import ValidationError
from ..incidents import services as incident_services
from ..internal import queries, services
from ..internal.cli import hook_url
from ..internal.models import IntegrationKind, InternalStatus
from . import bp
from .access import requires
from .forms import ConfirmForm
from .helpers import apply_errors
from .internal_forms import EnableForm, IntegrationForm, LinkForm, MappingRuleForm
from .nav import register_nav
from .view_support import actor, can_write, page_zone, time_text

register_nav("admin.internal_incidents", _l("Internal"), order=15)
register_nav("admin.integrations", _l("Integrations"), role=Role.ADMIN, order=85)

KIND_LABELS = {
    IntegrationKind.ALERTMANAGER: "Prometheus Alertmanager",
    IntegrationKind.PAGERDUTY: "PagerDuty",
    IntegrationKind.GRAFANA: "Grafana",
    IntegrationKind.OPSGENIE: "Opsgenie",
    IntegrationKind.GENERIC: _l("Generic JSON"),
}
STATUS_LABELS = {
    InternalStatus.TRIGGERED: _l("Triggered"),
    InternalStatus.ACKNOWLEDGED: _l("Acknowledged"),
    InternalStatus.RESOLVED: _l("Resolved"),
}
# How each source proves itself, for the page that shows a new secret.
AUTH_HINTS = {
    IntegrationKind.ALERTMANAGER: _l(
        "In webhook_config, set http_config.authorization.credentials to the secret "
        "(or basic auth with the secret as password)."
    ),
    IntegrationKind.PAGERDUTY: _l(
        "Create a v3 webhook subscription with this URL and paste its signing secret below "
        "after rotating; PagerDuty signs with X-PagerDuty-Signature."
    ),
    IntegrationKind.GRAFANA: _l(
        "In the webhook contact point, set the HMAC secret to the secret "
        "(or an Authorization header: Bearer <secret>)."
    ),
    IntegrationKind.OPSGENIE: _l(
        "In the outgoing webhook integration, add the header X-Webhook-Secret with the secret."
    ),
    IntegrationKind.GENERIC: _l(
        "Sign each body: X-Signature: sha256=<hex HMAC-SHA256(secret, body)>."
    ),
}


def _common() -> dict[str, Any]:
    zone = page_zone()
    return {
        "when": time_text(zone),
        "can_write": can_write(),
        "kind_label": lambda kind: KIND_LABELS.get(IntegrationKind(kind), kind),
        "status_label": lambda status: STATUS_LABELS.get(InternalStatus(status), status),
    }


# --------------------------------------------------------------------------- internal incidents


@bp.get("/internal")
def internal_incidents() -> ResponseReturnValue:
    """List internal incidents, open first; the list refreshes itself while open."""
    rows = queries.internal_rows()
    return render_template(
        "admin/internal/list.html", rows=rows, version=queries.list_version(rows), **_common()
    )


@bp.get("/internal/live.json")
def internal_live() -> ResponseReturnValue:
    """Return the list's rows as HTML with a version, for the page's polling."""
    rows = queries.internal_rows()
    version = queries.list_version(rows)
    html = None
    if request.args.get("v") != version:
        html = render_template("admin/internal/_rows.html", rows=rows, **_common())
    return jsonify(version=version, count=len(rows), html=html)


def _detail(internal_id: str) -> queries.InternalDetail:
    detail = queries.internal_detail(internal_id)
    if detail is None:
        abort(404)
    return detail


@bp.get("/internal/<internal_id>")
def internal_incident(internal_id: str) -> ResponseReturnValue:
    """Show an internal incident: facts, links to public incidents and the raw timeline."""
    detail = _detail(internal_id)
    return _render_detail(detail, LinkForm(formdata=None), 200)


def _render_detail(detail: queries.InternalDetail, form: LinkForm, status: int) -> Any:
    linked = {p.public_id for p in detail.public_incidents}
    form.incident.choices = [
        SelectChoice(i.public_id, i.name) for i in queries.linkable_incidents(linked)
    ]
    return render_template(
        "admin/internal/detail.html", incident=detail, link_form=form, **_common()
    ), status


@bp.get("/internal/<internal_id>/live.json")
def internal_incident_live(internal_id: str) -> ResponseReturnValue:
    """Return the incident's changing parts as HTML with a version, for polling."""
    detail = _detail(internal_id)
    html = None
    if request.args.get("v") != detail.version:
        html = render_template("admin/internal/_live.html", incident=detail, **_common())
    return jsonify(version=detail.version, status=detail.status.value, html=html)


@bp.post("/internal/<internal_id>/link")
@requires(Role.COMMUNICATOR)
def internal_link(internal_id: str) -> ResponseReturnValue:
    """Link an existing public incident to this internal one."""
    internal = services.find_internal_incident(internal_id)
    if internal is None:
        abort(404)
    form = LinkForm()
    detail = _detail(internal_id)
    linked = {p.public_id for p in detail.public_incidents}
    form.incident.choices = [
        SelectChoice(i.public_id, i.name) for i in queries.linkable_incidents(linked)
    ]
    if form.validate():
        incident = incident_services.find_incident(form.incident.data or "")
        if incident is not None:
            services.link_incidents(internal, incident, **actor())
            flash(_("“%(name)s” is linked.", name=incident.name), "success")
            return redirect(url_for("admin.internal_incident", internal_id=internal_id))
        form.incident.errors = [_("Choose an incident from the list.")]
    return _render_detail(detail, form, 400)


@bp.post("/internal/<internal_id>/links/<incident_id>/delete")
@requires(Role.COMMUNICATOR)
def internal_unlink(internal_id: str, incident_id: str) -> ResponseReturnValue:
    """Remove the link between this internal incident and a public one."""
    internal = services.find_internal_incident(internal_id)
    incident = incident_services.find_incident(incident_id)
    if internal is None or incident is None:
        abort(404)
    if not ConfirmForm().validate():
        return _render_detail(_detail(internal_id), LinkForm(formdata=None), 400)
    if services.unlink_incidents(internal, incident, **actor()):
        flash(_("“%(name)s” is no longer linked.", name=incident.name), "success")
    return redirect(url_for("admin.internal_incident", internal_id=internal_id))


# --------------------------------------------------------------------------- integrations


def _integration_form(formdata: Any = None) -> IntegrationForm:
    form = IntegrationForm() if formdata is None else IntegrationForm(formdata=formdata)
    form.kind.choices = [SelectChoice(k.value, str(label)) for k, label in KIND_LABELS.items()]
    return form


def _render_integrations(form: IntegrationForm, status: int, **extra: Any) -> Any:
    rows = queries.integration_rows()
    return render_template(
        "admin/integrations/list.html",
        rows=rows,
        form=form,
        urls={r.public_id: _url_of(r.public_id) for r in rows},
        now=utcnow(),
        **extra,
        **_common(),
    ), status


def _url_of(public_id: str) -> str:
    integration = services.find_integration(public_id)
    return hook_url(integration) if integration is not None else ""


@bp.route("/integrations", methods=["GET", "POST"])
@requires(Role.ADMIN)
def integrations() -> ResponseReturnValue:
    """List alert integrations and create one (its secret is shown once)."""
    form = _integration_form()
    if request.method == "GET":
        return _render_integrations(form, 200)
    if form.validate():
        try:
            integration, secret = services.create_integration(
                form.kind.data or "", form.name.data or "", **actor()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _render_integrations(
                _integration_form(formdata=None),
                200,
                shown_secret=secret,
                shown_for=integration.name,
                shown_url=hook_url(integration),
                shown_hint=AUTH_HINTS[integration.kind],
            )
    return _render_integrations(form, 400)


def _found_integration(integration_id: str) -> Any:
    integration = services.find_integration(integration_id)
    if integration is None or integration.public_id != integration_id:
        abort(404)
    return integration


@bp.post("/integrations/<integration_id>/rotate")
@requires(Role.ADMIN)
def integration_rotate(integration_id: str) -> ResponseReturnValue:
    """Give an integration a new secret; the old one works during the overlap."""
    integration = _found_integration(integration_id)
    if not ConfirmForm().validate():
        return _render_integrations(_integration_form(formdata=None), 400, stale=True)
    secret = services.rotate_secret(integration, **actor())
    return _render_integrations(
        _integration_form(formdata=None),
        200,
        shown_secret=secret,
        shown_for=integration.name,
        shown_url=hook_url(integration),
        shown_hint=AUTH_HINTS[integration.kind],
        shown_until=integration.previous_secret_expires_at,
    )


@bp.post("/integrations/<integration_id>/enabled")
@requires(Role.ADMIN)
def integration_enable(integration_id: str) -> ResponseReturnValue:
    """Enable or disable an integration."""
    integration = _found_integration(integration_id)
    form = EnableForm()
    if not form.validate() or form.enabled.data not in {"0", "1"}:
        return _render_integrations(_integration_form(formdata=None), 400, stale=True)
    enable = form.enabled.data == "1"
    services.set_integration_enabled(integration, enable, **actor())
    if enable:
        flash(_("“%(name)s” accepts alerts again.", name=integration.name), "success")
    else:
        flash(_("“%(name)s” is disabled: it refuses alerts.", name=integration.name), "success")
    return redirect(url_for("admin.integrations"))


# --------------------------------------------------------------------------- mapping rules


def _rule_form() -> MappingRuleForm:
    form = MappingRuleForm()
    form.integration.choices = [SelectChoice("", _("Every integration"))] + [
        SelectChoice(r.public_id, r.name) for r in queries.integration_rows()
    ]
    form.component.choices = [SelectChoice(c.public_id, c.name) for c in component_choices()]
    return form


@bp.route("/mapping-rules", methods=["GET", "POST"])
@requires(Role.ADMIN)
def mapping_rules() -> ResponseReturnValue:
    """List the rules that map alert labels to components, and add one."""
    form = _rule_form()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                components = find_components([form.component.data or ""], "component")
                integration = (
                    _found_integration(form.integration.data) if form.integration.data else None
                )
                services.create_mapping_rule(
                    form.match_key.data or "",
                    form.match_value.data or "",
                    components[0] if components else None,
                    integration,
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("The rule is added."), "success")
                return redirect(url_for("admin.mapping_rules"))
        status = 400
    return render_template(
        "admin/integrations/rules.html", rules=queries.rule_rows(), form=form, **_common()
    ), status


@bp.post("/mapping-rules/<mapping_rule_id>/delete")
@requires(Role.ADMIN)
def mapping_rule_delete(mapping_rule_id: str) -> ResponseReturnValue:
    """Delete a mapping rule."""
    rule = services.find_mapping_rule(mapping_rule_id)
    if rule is None:
        abort(404)
    if not ConfirmForm().validate():
        return render_template(
            "admin/integrations/rules.html",
            rules=queries.rule_rows(),
            form=_rule_form(),
            stale=True,
            **_common(),
        ), 400
    services.delete_mapping_rule(rule, **actor())
    flash(_("The rule is deleted."), "success")
    return redirect(url_for("admin.mapping_rules"))
