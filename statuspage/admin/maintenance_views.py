"""Maintenance in the console: list, schedule, timeline, edit, transitions, cancel."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..clock import utcnow
from ..components.console_queries import component_choices
from ..components.services import find_components
from ..errors import ValidationError
from ..incidents.models import TemplateKind
from ..incidents.template_queries import filled, get_template, list_templates
from ..maintenance import console_queries
from ..maintenance import services as maintenance_services
from ..maintenance.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
from ..markup import render_markdown
from ..public.labels import maintenance_status_label
from . import bp
from .access import requires
from .delivery_views import report_globals
from .helpers import apply_errors
from .maintenance_forms import (
    MaintenanceCancelForm,
    MaintenanceMessageForm,
    MaintenanceNewForm,
    MaintenanceUpdateForm,
    MaintenanceWindowForm,
)
from .nav import register_nav
from .view_support import actor, can_write, default_window, page_name, page_zone, time_text

register_nav("admin.maintenance_list", _l("Maintenance"), order=20)

# Manual transitions: URL action -> (service, the statuses it applies to, its button label).
Transition = Callable[..., MaintenanceUpdate]
TRANSITIONS: dict[str, tuple[Transition, tuple[MaintenanceStatus, ...], Any]] = {
    "start": (
        maintenance_services.start_maintenance,
        (MaintenanceStatus.SCHEDULED,),
        _l("Start now"),
    ),
    "verify": (
        maintenance_services.verify_maintenance,
        (MaintenanceStatus.IN_PROGRESS,),
        _l("Mark as verifying"),
    ),
    "complete": (
        maintenance_services.complete_maintenance,
        (
            MaintenanceStatus.SCHEDULED,
            MaintenanceStatus.IN_PROGRESS,
            MaintenanceStatus.VERIFYING,
        ),
        _l("Complete"),
    ),
}
# Which form a maintenance template's wording fits, by the template's status.
WORDING_FOR = {
    MaintenanceStatus.IN_PROGRESS.value: "start",
    MaintenanceStatus.VERIFYING.value: "verify",
    MaintenanceStatus.COMPLETED.value: "complete",
    MaintenanceStatus.SCHEDULED.value: "update",
}
DONE_MESSAGES = {
    "start": _l("The maintenance is in progress."),
    "verify": _l("The maintenance is being verified."),
    "complete": _l("The maintenance is completed."),
}


def _common(zone: ZoneInfo) -> dict[str, Any]:
    return {
        "when": time_text(zone),
        "zone_name": zone.key,
        "status_label": maintenance_status_label,
        "can_write": can_write(),
        "markdown": render_markdown,
    }


def _found(maintenance_id: str) -> Maintenance:
    maintenance = maintenance_services.find_maintenance(maintenance_id)
    if maintenance is None:
        abort(404)
    return maintenance


@bp.get("/maintenance")
def maintenance_list() -> ResponseReturnValue:
    """List maintenance windows under way, upcoming and past."""
    zone = page_zone()
    return render_template(
        "admin/maintenance/list.html",
        windows=console_queries.maintenance_list(utcnow()),
        **_common(zone),
    )


def _fill_from_template(form: MaintenanceNewForm, template_id: str, zone: ZoneInfo) -> None:
    """Put a template's wording in the form with {start}, {end} and {component} filled.

    The times and components already in the form win over the template's.
    """
    template = get_template(template_id, TemplateKind.MAINTENANCE) if template_id else None
    if template is None:
        form.template.errors = [_("Choose a maintenance template from the list.")]
        return
    offered = {o.public_id: o.name for o in form.components.options}
    if form.components.data:
        chosen = [i for i in form.components.data if i in offered]
    else:
        chosen = [i for i in template.component_ids if i in offered]
        form.components.data = chosen
    default_start, default_end = default_window(zone)
    start = form.scheduled_for.data or default_start
    end = form.scheduled_until.data or default_end
    wording = filled(
        dataclasses.replace(template, component_names=tuple(offered[i] for i in chosen)),
        page_name=page_name(),
        start=start.astimezone(zone),
        end=end.astimezone(zone),
    )
    form.name.data = wording.title
    form.body.data = wording.body
    form.notify.data = template.notify
    form.template.data = template.public_id
    if form.scheduled_for.data is None:
        form.scheduled_for.data = start
    if form.scheduled_until.data is None:
        form.scheduled_until.data = end


@bp.route("/maintenance/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def maintenance_new() -> ResponseReturnValue:
    """Schedule a maintenance window; ?template=<id> prefills it from a template."""
    zone = page_zone()
    form = MaintenanceNewForm(zone=zone, components=component_choices())
    form.offer_templates(
        [(t.public_id, t.name) for t in list_templates(TemplateKind.MAINTENANCE)]
    )
    status = 200
    if request.method == "GET":
        form.scheduled_for.data, form.scheduled_until.data = default_window(zone)
        if request.args.get("template"):
            _fill_from_template(form, request.args["template"], zone)
    elif "fill" in request.form:
        # "Fill from template" writes nothing: it only rewrites the form.
        _fill_from_template(form, form.template.data or "", zone)
    else:
        if form.validate_on_submit():
            try:
                maintenance = maintenance_services.schedule_maintenance(
                    components=find_components(form.components.data or []),
                    notify=bool(form.notify.data),
                    **form.window(),
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("“%(name)s” is scheduled.", name=maintenance.name), "success")
                return redirect(
                    url_for("admin.maintenance_detail", maintenance_id=maintenance.public_id)
                )
        status = 400
    return render_template("admin/maintenance/new.html", form=form, **_common(zone)), status


def _render_detail(
    maintenance_id: str,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    zone = page_zone()
    window = console_queries.maintenance_detail(maintenance_id)
    if window is None:
        abort(404)
    given = dict(forms or {})
    templates = list_templates(TemplateKind.MAINTENANCE)
    if not given and request.args.get("use"):
        _use_wording(window, request.args["use"], given, zone)
    transitions = [
        (action, label, given.get(action) or MaintenanceMessageForm(prefix=action, formdata=None))
        for action, (_service, statuses, label) in TRANSITIONS.items()
        if window.status in statuses
    ]
    update_form = given.get("update") or MaintenanceUpdateForm(prefix="update", formdata=None)
    # A transition that no longer applies (someone else moved the window on) has no form
    # to show its message beside: say it at the top.
    shown = {action for action, _label, _form in transitions} | {"update"}
    problems = [
        message
        for action, form in given.items()
        if action not in shown
        for message in [*form.form_errors, *(e for f in form for e in f.errors)]
    ]
    wording: dict[str, list[tuple[str, str]]] = {}
    for t in templates:
        wording.setdefault(WORDING_FOR.get(t.status, "update"), []).append((t.public_id, t.name))
    return render_template(
        "admin/maintenance/detail.html",
        window=window,
        transitions=transitions,
        update_form=update_form,
        problems=problems,
        wording=wording,
        **report_globals([u.public_id for u in window.updates]),
        **_common(zone),
    ), status


def _use_wording(
    window: console_queries.ConsoleMaintenance,
    template_id: str,
    forms: dict[str, Any],
    zone: ZoneInfo,
) -> None:
    """Put a maintenance template's filled wording in the form its status is for."""
    template = get_template(template_id, TemplateKind.MAINTENANCE)
    if template is None:
        return
    action = WORDING_FOR.get(template.status, "update")
    if action != "update" and window.status not in TRANSITIONS[action][1]:
        action = "update"  # that step is past: offer the words as an update instead
    wording = filled(
        dataclasses.replace(template, component_names=window.component_names),
        page_name=page_name(),
        start=window.scheduled_for.astimezone(zone),
        end=window.scheduled_until.astimezone(zone),
    )
    form: MaintenanceMessageForm | MaintenanceUpdateForm
    if action == "update":
        form = MaintenanceUpdateForm(prefix="update", formdata=None)
        form.notify.data = template.notify
    else:
        form = MaintenanceMessageForm(prefix=action, formdata=None)
    form.body.data = wording.body
    forms[action] = form


@bp.get("/maintenance/<maintenance_id>")
def maintenance_detail(maintenance_id: str) -> ResponseReturnValue:
    """Show a window, its timeline and the next steps; ?use=<template id> fills one in."""
    return _render_detail(maintenance_id)


@bp.route("/maintenance/<maintenance_id>/edit", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def maintenance_edit(maintenance_id: str) -> ResponseReturnValue:
    """Edit a window that has not started yet."""
    maintenance = _found(maintenance_id)
    window = console_queries.maintenance_detail(maintenance_id)
    assert window is not None  # noqa: S101  (found just above)
    if window.cancelled_at is not None:
        flash(_("This maintenance was cancelled, so it can no longer be edited."), "error")
        return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    if not window.editable:
        flash(_("This maintenance has started, so it can no longer be edited."), "error")
        return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    zone = page_zone()
    form = MaintenanceWindowForm(
        zone=zone,
        components=component_choices(),
        data={
            "name": window.name,
            "body": window.announcement,
            "components": list(window.component_ids),
            "scheduled_for": window.scheduled_for,
            "scheduled_until": window.scheduled_until,
            "auto_start": window.auto_start,
            "auto_complete": window.auto_complete,
            "notify_on_start": window.notify_on_start,
            "notify_on_complete": window.notify_on_complete,
            "remind_before_minutes": window.remind_before_minutes,
        },
    )
    if form.validate_on_submit():
        try:
            maintenance_services.update_maintenance(
                maintenance,
                components=find_components(form.components.data or []),
                **form.window(),
                **actor(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("“%(name)s” was saved.", name=maintenance.name), "success")
            return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/maintenance/edit.html", form=form, window=window, **_common(zone)
    ), status


def _transition(maintenance_id: str, action: str) -> ResponseReturnValue:
    maintenance = _found(maintenance_id)
    service = TRANSITIONS[action][0]
    form = MaintenanceMessageForm(prefix=action)
    if form.validate_on_submit():
        try:
            service(maintenance, body=(form.body.data or "").strip() or None, **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(str(DONE_MESSAGES[action]), "success")
            return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    return _render_detail(maintenance_id, {action: form}, 400)


@bp.post("/maintenance/<maintenance_id>/start")
@requires(Role.COMMUNICATOR)
def maintenance_start(maintenance_id: str) -> ResponseReturnValue:
    """Start a scheduled window now."""
    return _transition(maintenance_id, "start")


@bp.post("/maintenance/<maintenance_id>/verify")
@requires(Role.COMMUNICATOR)
def maintenance_verify(maintenance_id: str) -> ResponseReturnValue:
    """Move a window in progress to verifying."""
    return _transition(maintenance_id, "verify")


@bp.post("/maintenance/<maintenance_id>/complete")
@requires(Role.COMMUNICATOR)
def maintenance_complete(maintenance_id: str) -> ResponseReturnValue:
    """Complete a window now."""
    return _transition(maintenance_id, "complete")


@bp.post("/maintenance/<maintenance_id>/updates")
@requires(Role.COMMUNICATOR)
def maintenance_post_update(maintenance_id: str) -> ResponseReturnValue:
    """Post a message on a window's timeline."""
    maintenance = _found(maintenance_id)
    form = MaintenanceUpdateForm(prefix="update")
    if form.validate_on_submit():
        try:
            maintenance_services.post_maintenance_update(
                maintenance, form.body.data or "", notify=bool(form.notify.data), **actor()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The update is published."), "success")
            return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    return _render_detail(maintenance_id, {"update": form}, 400)


@bp.route("/maintenance/<maintenance_id>/cancel", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def maintenance_cancel(maintenance_id: str) -> ResponseReturnValue:
    """Cancel a scheduled or started window, after confirmation, with an optional message."""
    maintenance = _found(maintenance_id)
    window = console_queries.maintenance_detail(maintenance_id)
    assert window is not None  # noqa: S101  (found just above)
    form = MaintenanceCancelForm()
    if request.method == "GET" and not window.cancellable:
        if window.cancelled_at is not None:
            flash(_("This maintenance is already cancelled."), "error")
        else:
            flash(_("This maintenance is completed, so it can no longer be cancelled."), "error")
        return redirect(url_for("admin.maintenance_detail", maintenance_id=maintenance_id))
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                maintenance_services.cancel_maintenance(
                    maintenance,
                    (form.body.data or "").strip() or None,
                    notify=bool(form.notify.data),
                    **actor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                flash(_("“%(name)s” is cancelled.", name=maintenance.name), "success")
                return redirect(
                    url_for("admin.maintenance_detail", maintenance_id=maintenance_id)
                )
        status = 400
    return render_template(
        "admin/maintenance/cancel.html", form=form, window=window, **_common(page_zone())
    ), status
