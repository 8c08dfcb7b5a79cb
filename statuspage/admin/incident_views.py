"""Incidents in the console: list, open (from a template), update, edit, resolve, postmortem."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..clock import utcnow
from ..components.models import Component, ComponentStatus
from ..components.services import find_components
from ..db import unit_of_work
from ..errors import ValidationError
from ..i18n import html_lang, language_name, text_direction
from ..incidents import console_queries
from ..incidents import services as incident_services
from ..incidents.console_queries import ConsoleIncident
from ..incidents.models import Impact, Incident, IncidentStatus, TemplateKind
from ..incidents.services import MAX_BODY_LENGTH, MAX_POSTMORTEM_LENGTH, StaleUpdateError
from ..incidents.template_queries import filled, get_template
from ..incidents.template_services import find_template
from ..incidents.translations import content_languages
from ..internal import queries as internal_queries
from ..internal import services as internal_services
from ..markup import render_markdown
from ..public.formatting import duration_text
from ..public.labels import component_status_label, impact_label, incident_status_label
from ..support.queries import public_card
from ..themes.render import current_page
from . import bp
from .access import requires
from .delivery_views import report_globals
from .forms import ConfirmForm
from .helpers import apply_errors
from .incident_forms import (
    PICKABLE_STATUSES,
    BackfillForm,
    HideForm,
    IncidentCreateForm,
    IncidentUpdateForm,
    PostmortemForm,
    ResolveForm,
    UpdateEditForm,
)
from .nav import register_nav
from .view_support import actor, can_write, page_name, page_zone, time_text

register_nav("admin.incidents", _l("Incidents"), order=10)

POSTMORTEM_OUTLINE = _l(
    "## What happened\n\n\n## Impact on you\n\n\n## Why it happened\n\n\n"
    "## What we are doing so it does not happen again\n"
)


def common(zone: ZoneInfo) -> dict[str, Any]:
    """Return what every incident page's template uses besides its own data."""
    now = utcnow()
    return {
        "when": time_text(zone),
        "zone_name": zone.key,
        "can_write": can_write(),
        "markdown": render_markdown,
        "status_label": incident_status_label,
        "impact_label": impact_label,
        "component_status_label": component_status_label,
        "age": lambda at: duration_text(now - at) if at is not None else "",
        "duration": lambda start, end: duration_text(end - start),
        "impacts": list(Impact),
        "max_body": MAX_BODY_LENGTH,
        "max_postmortem": MAX_POSTMORTEM_LENGTH,
    }


def page_default_language() -> str:
    """Return the page's default language (the approved wording's main locale)."""
    return current_page().default_language


def _found(incident_id: str) -> Incident:
    incident = incident_services.find_incident(incident_id)
    if incident is None:
        abort(404)
    return incident


def _read(incident_id: str) -> ConsoleIncident:
    view = console_queries.incident_detail(incident_id)
    if view is None:
        abort(404)
    return view


def _to_detail(incident_id: str) -> ResponseReturnValue:
    return redirect(url_for("admin.incident_detail", incident_id=incident_id))


def _statuses(changes: Mapping[str, str]) -> dict[Component, str]:
    """Look up the components of public id -> status changes (unknown ids raise)."""
    components = find_components(list(changes))
    return {c: changes[c.public_id] for c in components}


def _publish_languages(
    prefill: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Return the other page languages with what the form holds for each (or prefill)."""
    default = current_page().default_language
    out = []
    for code in content_languages():
        if code == default:
            continue
        given = (prefill or {}).get(code, {})
        name = request.form.get(f"translation-name-{code}", given.get("name", ""))
        body = request.form.get(f"translation-body-{code}", given.get("body", ""))
        out.append(
            {
                "code": code, "name": language_name(code), "lang": html_lang(code),
                "dir": text_direction(code), "name_value": name, "body_value": body,
                "filled": bool(name or body),
            }
        )  # fmt: skip
    return out


def _translations_given(with_name: bool) -> dict[str, dict[str, str | None]]:
    """Return the translations a new incident or update form sent, by locale."""
    out: dict[str, dict[str, str | None]] = {}
    for code in content_languages():
        body = request.form.get(f"translation-body-{code}")
        name = request.form.get(f"translation-name-{code}") if with_name else None
        if body or name:
            out[code] = {"body": body} | ({"name": name} if with_name else {})
    return out


def _now_to_the_minute() -> datetime:
    return utcnow().replace(second=0, microsecond=0)


# --------------------------------------------------------------------------- reading


@bp.get("/incidents")
def incidents() -> ResponseReturnValue:
    """List open incidents, then resolved ones a page at a time."""
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/incidents/list.html",
        listing=console_queries.incident_list(page),
        **common(page_zone()),
    )


@bp.get("/incidents/<incident_id>")
def incident_detail(incident_id: str) -> ResponseReturnValue:
    """Show an incident: facts, components, timeline and what can be done next."""
    incident = _read(incident_id)
    return render_template(
        "admin/incidents/detail.html",
        incident=incident,
        internal_links=internal_queries.internal_links_of(incident_id),
        support=public_card(incident_id, page_default_language()),
        **report_globals([u.public_id for u in incident.updates]),
        **common(page_zone()),
    )


# --------------------------------------------------------------------------- opening


def _prefill_from_template(form: IncidentCreateForm, template_id: str, zone: ZoneInfo) -> None:
    """Fill the whole form from an incident template ({component}, {start}... filled in)."""
    template = get_template(template_id, TemplateKind.INCIDENT)
    if template is None:
        form.form_errors.append(_("That template does not exist any more; start from scratch."))
        return
    offered = {row.public_id for row in form.components.rows}
    wording = filled(template, page_name=page_name(), start=utcnow().astimezone(zone))
    form.template.data = template.public_id
    form.name.data = wording.title
    form.body.data = wording.body
    if template.status in {s.value for s in PICKABLE_STATUSES}:
        form.status.data = template.status
    if template.component_status:
        form.components.data = {
            public_id: template.component_status
            for public_id in template.component_ids
            if public_id in offered
        }
    form.notify.data = template.notify
    # The template's translations prefill the new incident's, with the same variables filled.
    prefill: dict[str, dict[str, str]] = {}
    row = find_template(template.public_id)
    for translation in row.translations if row is not None else []:
        local = dataclasses.replace(
            template, title=translation.title or "", body=translation.body or ""
        )
        texts = filled(local, page_name=page_name(), start=utcnow().astimezone(zone))
        prefill[translation.locale] = {"name": texts.title, "body": texts.body}
    g.template_translations = prefill


def _prefill_from_internal(form: IncidentCreateForm, internal_id: str, zone: ZoneInfo) -> None:
    """Fill the form from an internal incident: plain title, template wording, its components."""
    draft = internal_queries.public_draft(
        internal_id,
        page_name=page_name(),
        start=utcnow().astimezone(zone),
        fallback_title=_("Problems with {components}"),
        fallback_title_plain=_("We are investigating a problem"),
        fallback_body=_(
            "We are investigating reports of problems with {components}. "
            "We will post an update as soon as we know more."
        ),
        fallback_body_plain=_(
            "We are investigating reports of a problem. "
            "We will post an update as soon as we know more."
        ),
    )
    if draft is None:
        form.form_errors.append(_("That internal incident does not exist any more."))
        return
    offered = {row.public_id for row in form.components.rows}
    form.internal.data = draft.internal_id
    form.template.data = draft.template_id or ""
    form.name.data = draft.title
    form.body.data = draft.body
    if draft.status in {s.value for s in PICKABLE_STATUSES}:
        form.status.data = draft.status
    form.components.data = {
        public_id: status
        for public_id, status in draft.component_statuses.items()
        if public_id in offered
    }
    form.notify.data = draft.notify


def _drafted_from(form: IncidentCreateForm) -> str | None:
    """Return the title of the internal incident the form is drafted from, if any."""
    if not form.internal.data:
        return None
    internal = internal_services.find_internal_incident(form.internal.data)
    return internal.title if internal is not None else None


@bp.route("/incidents/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_new() -> ResponseReturnValue:
    """Open an incident; ?template=<id> fills it from a template, ?internal=<id> drafts it."""
    zone = page_zone()
    form = IncidentCreateForm(zone=zone, rows=console_queries.component_rows())
    status = 200
    if request.method == "GET":
        form.started_at.data = _now_to_the_minute()
        form.started_default.data = form.started_at._value()
        if request.args.get("internal"):
            _prefill_from_internal(form, request.args["internal"], zone)
        elif request.args.get("template"):
            _prefill_from_template(form, request.args["template"], zone)
    else:
        if form.validate_on_submit():
            internal = (
                internal_services.find_internal_incident(form.internal.data)
                if form.internal.data
                else None
            )
            try:
                # One transaction: the public incident and its link to the internal one.
                with unit_of_work():
                    incident = incident_services.create_incident(
                        form.name.data or "",
                        form.status.data or "",
                        form.body.data or "",
                        _statuses(form.components.changes()),
                        impact_override=form.impact_override.data or None,
                        started_at=form.started(),
                        notify=bool(form.notify.data),
                        translations=_translations_given(with_name=True),
                        **actor(),
                    )
                    if internal is not None:
                        internal_services.link_incidents(internal, incident, **actor())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("“%(name)s” is published.", name=incident.name), "success")
                return _to_detail(incident.public_id)
        status = 400
    return render_template(
        "admin/incidents/new.html",
        form=form,
        languages=_publish_languages(g.get("template_translations")),
        derived=form.derived(),
        chosen=bool(form.components.chosen_statuses()),
        drafted_from=_drafted_from(form),
        **common(zone),
    ), status


@bp.route("/incidents/backfill", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_backfill() -> ResponseReturnValue:
    """Record a past incident after the fact; it never notifies anyone."""
    zone = page_zone()
    form = BackfillForm(zone=zone, rows=console_queries.component_rows())
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                incident = incident_services.backfill_incident(
                    form.name.data or "",
                    form.body.data or "",
                    _statuses(form.components.changes()),
                    started_at=form.started_at.data,
                    resolved_at=form.resolved_at.data,
                    impact_override=form.impact_override.data or None,
                    resolution_body=form.resolution_body.data or "",
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("“%(name)s” is recorded.", name=incident.name), "success")
                return _to_detail(incident.public_id)
        status = 400
    return render_template(
        "admin/incidents/backfill.html",
        form=form,
        derived=form.derived(),
        chosen=bool(form.components.chosen_statuses()),
        **common(zone),
    ), status


# --------------------------------------------------------------------------- updating


@bp.route("/incidents/<incident_id>/update", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_update(incident_id: str) -> ResponseReturnValue:
    """Post an update: new status, message and component changes."""
    incident = _found(incident_id)
    view = _read(incident_id)
    affected = {c.public_id: c.status.value for c in view.components}
    form = IncidentUpdateForm(rows=console_queries.component_rows(), affected=affected)
    status = 200
    if request.method == "GET":
        # A postmortem's incident is resolved as far as a new update is concerned.
        current = view.status if view.status in PICKABLE_STATUSES else IncidentStatus.RESOLVED
        form.status.data = current.value
    else:
        if form.validate_on_submit():
            try:
                incident_services.post_update(
                    incident,
                    form.status.data or "",
                    form.body.data or "",
                    _statuses(form.components.changes()),
                    notify=bool(form.notify.data),
                    translations={
                        code: texts["body"]
                        for code, texts in _translations_given(with_name=False).items()
                    },
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("The update is published."), "success")
                return _to_detail(incident_id)
        status = 400
    return render_template(
        "admin/incidents/update.html",
        form=form,
        incident=view,
        languages=_publish_languages(),
        **common(page_zone()),
    ), status


@bp.route("/incidents/<incident_id>/updates/<update_id>/edit", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_update_edit(incident_id: str, update_id: str) -> ResponseReturnValue:
    """Correct a posted update (a typo, its time) without notifying again unless asked."""
    incident = _found(incident_id)
    update = incident_services.find_update(incident, update_id)
    if update is None:
        abort(404)
    zone = page_zone()
    form = UpdateEditForm(zone=zone)
    status = 200
    theirs = None
    if request.method == "GET":
        form.body.data = update.body
        form.display_at.data = update.display_at
        form.display_default.data = form.display_at._value()
        form.version.data = update.updated_at.isoformat()
    else:
        if form.validate_on_submit():
            try:
                incident_services.edit_update(
                    update,
                    form.body.data or "",
                    display_at=form.display_time(),
                    notify_again=bool(form.notify_again.data),
                    expected_updated_at=form.expected_version(),
                    **actor(),
                )
            except StaleUpdateError as exc:
                apply_errors(form, exc)
                # Show what the other person saved; sending again (on purpose) overwrites it.
                theirs = update.body
                form.version.data = update.updated_at.isoformat()
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("The update is corrected."), "success")
                return _to_detail(incident_id)
        status = 400
    view = _read(incident_id)
    return render_template(
        "admin/incidents/edit_update.html",
        form=form,
        incident=view,
        update=view.update(update_id),
        theirs=theirs,
        **common(zone),
    ), status


@bp.route("/incidents/<incident_id>/resolve", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_resolve(incident_id: str) -> ResponseReturnValue:
    """Resolve an incident, offering to set its components back to operational."""
    incident = _found(incident_id)
    view = _read(incident_id)
    if not view.is_open:
        flash(_("This incident is already resolved."), "error")
        return _to_detail(incident_id)
    default = {c.public_id for c in incident_services.components_to_restore(incident)}
    candidates = [c for c in view.components if c.status is not ComponentStatus.OPERATIONAL]
    held = {
        c.public_id: _("under maintenance")
        if c.status is ComponentStatus.UNDER_MAINTENANCE
        else _("another open incident affects it")
        for c in candidates
        if c.public_id not in default
    }
    form = ResolveForm()
    form.restore.offer(candidates, held)
    status = 200
    if request.method == "GET":
        form.restore.data = [c.public_id for c in candidates if c.public_id in default]
    else:
        if form.validate_on_submit():
            try:
                incident_services.resolve_incident(
                    incident,
                    form.body.data or "",
                    notify=bool(form.notify.data),
                    restore=find_components(form.restore.data or [], "restore"),
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("“%(name)s” is resolved.", name=view.name), "success")
                return _to_detail(incident_id)
        status = 400
    return render_template(
        "admin/incidents/resolve.html", form=form, incident=view, **common(page_zone())
    ), status


# --------------------------------------------------------------------------- postmortem


def _render_postmortem(
    view: ConsoleIncident, form: PostmortemForm, revert_form: ConfirmForm, status: int
) -> ResponseReturnValue:
    return render_template(
        "admin/incidents/postmortem.html",
        form=form,
        revert_form=revert_form,
        incident=view,
        **common(page_zone()),
    ), status


@bp.route("/incidents/<incident_id>/postmortem", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_postmortem(incident_id: str) -> ResponseReturnValue:
    """Write the postmortem: save a draft, preview it, publish it."""
    incident = _found(incident_id)
    form = PostmortemForm()
    if request.method == "GET":
        form.body.data = incident.postmortem_body or str(POSTMORTEM_OUTLINE)
        return _render_postmortem(_read(incident_id), form, ConfirmForm(formdata=None), 200)
    publishing = request.form.get("action") == "publish"
    if form.validate_on_submit():
        try:
            if publishing:
                incident_services.publish_postmortem(
                    incident, form.body.data or "", notify=bool(form.notify.data), **actor()
                )
            else:
                incident_services.save_postmortem_draft(incident, form.body.data or "", **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if publishing:
                flash(_("The postmortem is published."), "success")
                return _to_detail(incident_id)
            flash(_("The draft is saved."), "success")
            return redirect(url_for("admin.incident_postmortem", incident_id=incident_id))
    return _render_postmortem(_read(incident_id), form, ConfirmForm(formdata=None), 400)


@bp.post("/incidents/<incident_id>/postmortem/revert")
@requires(Role.COMMUNICATOR)
def incident_postmortem_revert(incident_id: str) -> ResponseReturnValue:
    """Take the postmortem off the public page; its text stays as a draft."""
    incident = _found(incident_id)
    revert_form = ConfirmForm()
    if revert_form.validate_on_submit():
        try:
            incident_services.revert_postmortem(incident, **actor())
        except ValidationError as exc:
            revert_form.form_errors.extend(exc.errors.values())
        else:
            flash(_("The postmortem is a draft again."), "success")
            return redirect(url_for("admin.incident_postmortem", incident_id=incident_id))
    form = PostmortemForm(formdata=None, data={"body": incident.postmortem_body or ""})
    return _render_postmortem(_read(incident_id), form, revert_form, 400)


# --------------------------------------------------------------------------- hide and delete


@bp.route("/incidents/<incident_id>/hide", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_hide(incident_id: str) -> ResponseReturnValue:
    """Hide an incident from the public (or show it again), after confirmation."""
    incident = _found(incident_id)
    form = HideForm()
    status = 200
    if request.method == "GET":
        form.hidden.data = "0" if incident.hidden else "1"
    else:
        if form.validate_on_submit():
            hide = form.hidden.data == "1"
            incident_services.set_incident_hidden(incident, hide, **actor())
            if hide:
                flash(_("The incident is hidden from the public."), "success")
            else:
                flash(_("The incident is shown on the public page again."), "success")
            return _to_detail(incident_id)
        status = 400
    return render_template(
        "admin/incidents/hide.html", form=form, incident=_read(incident_id), **common(page_zone())
    ), status


@bp.route("/incidents/<incident_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_delete(incident_id: str) -> ResponseReturnValue:
    """Delete an incident and its updates for good, after confirmation."""
    incident = _found(incident_id)
    form = ConfirmForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            name = incident.name
            incident_services.delete_incident(incident, **actor())
            flash(_("“%(name)s” is deleted.", name=name), "success")
            return redirect(url_for("admin.incidents"))
        status = 400
    return render_template(
        "admin/incidents/delete.html",
        form=form,
        incident=_read(incident_id),
        **common(page_zone()),
    ), status
