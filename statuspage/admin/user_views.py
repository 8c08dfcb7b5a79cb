"""Staff user management (admins only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts import queries, services
from ..accounts.models import Role
from ..errors import ValidationError
from . import bp
from .access import requires
from .forms import UserCreateForm, UserUpdateForm
from .helpers import apply_errors
from .nav import register_nav

register_nav("admin.users", _l("Users"), Role.ADMIN, order=90)


@bp.route("/users", methods=["GET", "POST"])
@requires(Role.ADMIN)
def users() -> ResponseReturnValue:
    """List staff users and create one."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data or "",
                form.password.data or "",
                form.role.data or "",
                name=form.name.data or "",
                actor=current_user.email,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(email)s can now sign in.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    rows = queries.staff_rows()
    status = 400 if form.is_submitted() else 200
    return render_template("admin/users.html", form=form, users=rows), status


@bp.route("/users/<user_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def user_edit(user_id: str) -> ResponseReturnValue:
    """Change a user's role or deactivate them."""
    user = services.user_by_public_id(user_id)
    if user is None:
        abort(404)
    form = UserUpdateForm(data={"role": user.role.value, "active": user.active})
    if form.validate_on_submit():
        try:
            services.update_user(
                user, role=form.role.data or "", active=bool(form.active.data), actor=current_user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(email)s was updated.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_edit.html", form=form, user=queries.staff_row(user)), status
