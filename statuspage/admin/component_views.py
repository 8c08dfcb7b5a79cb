"""Groups and components in the console: list, create, edit, reorder, hide, set status, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..clock import utcnow
from ..components import services
from ..components.console_queries import (
    ConsoleComponent,
    ConsoleGroup,
    console_tree,
    find_console_component,
    find_console_group,
    group_choices,
)
from ..components.models import Component, ComponentGroup, StatusCause
from ..errors import ValidationError
from ..public.labels import component_status_label
from . import bp
from .access import requires
from .component_forms import (
    ComponentForm,
    ComponentStatusForm,
    GroupForm,
    MoveForm,
    VisibilityForm,
)
from .forms import ConfirmForm
from .helpers import apply_errors
from .nav import register_nav
from .view_support import actor, can_write, page_zone

register_nav("admin.components", _l("Components"), order=30)


def _group(group_id: str) -> ComponentGroup:
    group = services.find_group(group_id)
    if group is None:
        abort(404)
    return group


def _component(component_id: str) -> Component:
    component = services.find_component(component_id)
    if component is None:
        abort(404)
    return component


def _back() -> ResponseReturnValue:
    return redirect(url_for("admin.components"))


def _status_prefix(public_id: str) -> str:
    return f"status-{public_id}"


def _render_list(
    given: dict[str, ComponentStatusForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    items = console_tree()
    forms: dict[str, ComponentStatusForm] = {}
    writer = can_write()
    if writer:
        for item in items:
            members = item.components if isinstance(item, ConsoleGroup) else (item,)
            for c in members:
                forms[c.public_id] = (given or {}).get(c.public_id) or ComponentStatusForm(
                    prefix=_status_prefix(c.public_id),
                    formdata=None,
                    data={"status": c.status.value},
                )
    return render_template(
        "admin/components/list.html",
        items=items,
        status_forms=forms,
        status_label=component_status_label,
        can_write=writer,
    ), status


@bp.get("/components")
def components() -> ResponseReturnValue:
    """List groups and components in page order, with their status and visibility."""
    return _render_list()


# --------------------------------------------------------------------------- groups


@bp.route("/components/groups/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_group_new() -> ResponseReturnValue:
    """Create a group (placed last)."""
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.create_group(**form.values(), **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The group “%(name)s” was created.", name=group.name), "success")
            return _back()
    status = 400 if form.is_submitted() else 200
    return render_template("admin/components/group_form.html", form=form, group=None), status


@bp.route("/components/groups/<group_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_group_edit(group_id: str) -> ResponseReturnValue:
    """Edit a group."""
    group = _group(group_id)
    shown = find_console_group(group_id)
    form = GroupForm(
        data={
            "name": group.name,
            "description": group.description or "",
            "visible": group.visible,
            "collapsed": group.collapsed,
        }
    )
    if form.validate_on_submit():
        try:
            services.update_group(group, **form.values(), **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The group “%(name)s” was saved.", name=group.name), "success")
            return _back()
    status = 400 if form.is_submitted() else 200
    return render_template("admin/components/group_form.html", form=form, group=shown), status


@bp.post("/components/groups/<group_id>/move")
@requires(Role.COMMUNICATOR)
def component_group_move(group_id: str) -> ResponseReturnValue:
    """Move a group one place up or down."""
    group = _group(group_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_group(group, form.offset, **actor())
    return _back()


@bp.post("/components/groups/<group_id>/visibility")
@requires(Role.COMMUNICATOR)
def component_group_visibility(group_id: str) -> ResponseReturnValue:
    """Show or hide a group on the public page."""
    group = _group(group_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_group_visible(group, form.shown, **actor())
    if form.shown:
        flash(_("“%(name)s” is shown on the public page.", name=group.name), "success")
    else:
        flash(_("“%(name)s” is hidden from the public page.", name=group.name), "success")
    return _back()


@bp.route("/components/groups/<group_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_group_delete(group_id: str) -> ResponseReturnValue:
    """Confirm, then delete a group (its components stay, ungrouped)."""
    group = _group(group_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = group.name
        services.delete_group(group, **actor())
        flash(_("The group “%(name)s” was deleted.", name=name), "success")
        return _back()
    shown = find_console_group(group_id)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/components/delete.html", form=form, group=shown, component=None
    ), status


# --------------------------------------------------------------------------- components


def _component_form(data: dict[str, Any] | None = None) -> ComponentForm:
    form = ComponentForm(data=data)
    form.offer_groups(group_choices())
    return form


def _group_of(form: ComponentForm) -> ComponentGroup | None:
    """Return the chosen group; the form already refused ids that are not offered."""
    if not form.group.data:
        return None
    group = services.find_group(form.group.data)
    if group is None:
        raise ValidationError({"group": _("Choose a group from the list.")})
    return group


@bp.route("/components/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_new() -> ResponseReturnValue:
    """Create a component (operational, placed last in its group)."""
    today = utcnow().astimezone(page_zone()).date()
    form = _component_form({"start_date": today})
    if form.validate_on_submit():
        try:
            component = services.create_component(
                group=_group_of(form), **form.values(), **actor()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The component “%(name)s” was created.", name=component.name), "success")
            return _back()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/components/component_form.html", form=form, component=None
    ), status


@bp.route("/components/<component_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_edit(component_id: str) -> ResponseReturnValue:
    """Edit a component's details."""
    component = _component(component_id)
    shown = find_console_component(component_id)
    form = _component_form(
        {
            "name": component.name,
            "description": component.description or "",
            "group": shown.group_public_id if shown else None,
            "showcase": component.showcase,
            "start_date": component.start_date,
            "visible": component.visible,
            "only_show_if_degraded": component.only_show_if_degraded,
        }
    )
    if form.validate_on_submit():
        try:
            services.update_component(component, group=_group_of(form), **form.values(), **actor())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The component “%(name)s” was saved.", name=component.name), "success")
            return _back()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/components/component_form.html", form=form, component=shown
    ), status


@bp.post("/components/<component_id>/move")
@requires(Role.COMMUNICATOR)
def component_move(component_id: str) -> ResponseReturnValue:
    """Move a component one place up or down within its group."""
    component = _component(component_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_component(component, form.offset, **actor())
    return _back()


@bp.post("/components/<component_id>/visibility")
@requires(Role.COMMUNICATOR)
def component_visibility(component_id: str) -> ResponseReturnValue:
    """Show or hide a component on the public page."""
    component = _component(component_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_component_visible(component, form.shown, **actor())
    if form.shown:
        flash(_("“%(name)s” is shown on the public page.", name=component.name), "success")
    else:
        flash(_("“%(name)s” is hidden from the public page.", name=component.name), "success")
    return _back()


@bp.post("/components/<component_id>/status")
@requires(Role.COMMUNICATOR)
def component_status(component_id: str) -> ResponseReturnValue:
    """Set a component's status by hand (no incident); the note goes to the audit log."""
    component = _component(component_id)
    form = ComponentStatusForm(prefix=_status_prefix(component_id))
    if form.validate_on_submit():
        try:
            change = services.set_component_status(
                component,
                form.status.data or "",
                cause=StatusCause.MANUAL,
                note=form.note.data,
                **actor(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if change is None:
                flash(_("“%(name)s” already had that status.", name=component.name), "info")
            else:
                flash(
                    _(
                        "“%(name)s” is now %(status)s.",
                        name=component.name,
                        status=component_status_label(change.status),
                    ),
                    "success",
                )
            return _back()
    return _render_list({component_id: form}, 400)


@bp.route("/components/<component_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def component_delete(component_id: str) -> ResponseReturnValue:
    """Confirm, then delete a component and its history."""
    component = _component(component_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = component.name
        services.delete_component(component, **actor())
        flash(_("The component “%(name)s” was deleted.", name=name), "success")
        return _back()
    shown: ConsoleComponent | None = find_console_component(component_id)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/components/delete.html", form=form, group=None, component=shown
    ), status
