"""Sign-in, sign-out, password change and your own API keys."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from ..accounts import queries, services
from ..errors import ValidationError
from ..extensions import limiter
from . import bp
from .forms import ApiKeyForm, ConfirmForm, PasswordForm, SignInForm
from .helpers import apply_errors
from .nav import register_nav

register_nav("admin.api_keys", _l("API keys"), order=95)
register_nav("admin.password", _l("Password"), order=99)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:320]


def _safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the console home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_account_key)
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(_("Wrong email or password."))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/login.html", form=form), status


@bp.errorhandler(TooManyRequests)
def too_many(exc: TooManyRequests) -> ResponseReturnValue:
    """Explain a rate limit in words, on the page the user was on."""
    form = SignInForm()
    form.form_errors.append(
        _("Too many sign-in attempts. Wait a few minutes, then try again.")
        if request.endpoint == "admin.login"
        else _("Too many requests. Wait a moment, then try again.")
    )
    return render_template("admin/login.html", form=form), 429


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out."""
    ConfirmForm().validate_on_submit() or abort(400)
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    """Change your own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                form.confirm_password.data or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("admin.password"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/password.html", form=form), status


@bp.route("/account/keys", methods=["GET", "POST"])
def api_keys() -> ResponseReturnValue:
    """List your API keys and create a new one (shown once)."""
    form = ApiKeyForm()
    new_secret = None
    if form.validate_on_submit():
        _key, new_secret = services.create_api_key(
            current_user.email, name=form.name.data or "", actor=current_user.email
        )
        form = ApiKeyForm(formdata=None)
    keys = [queries.key_row(k) for k in services.api_keys_of(current_user)]
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "admin/api_keys.html", form=form, keys=keys, new_secret=new_secret, revoke=ConfirmForm()
    )
    return page, status


@bp.post("/account/keys/<key_id>/revoke")
def api_key_revoke(key_id: str) -> ResponseReturnValue:
    """Revoke one of your API keys."""
    ConfirmForm().validate_on_submit() or abort(400)
    key = next((k for k in services.api_keys_of(current_user) if k.public_id == key_id), None)
    if key is None:
        abort(404)
    services.revoke_api_key(key, current_user)
    flash(_("The key %(prefix)s… was revoked.", prefix=key.prefix), "success")
    return redirect(url_for("admin.api_keys"))
