"""Page settings: name, address, zone, language, branding, footer, theme, custom CSS."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..errors import ValidationError
from ..site import services
from ..site.css import MAX_CSS_LENGTH
from ..site.queries import get_page_settings
from . import bp
from .access import requires
from .nav import register_nav
from .settings_forms import SettingsForm, apply_settings_errors, form_data

register_nav("admin.settings", _l("Settings"), Role.ADMIN, order=85)


@bp.route("/settings", methods=["GET", "POST"])
@requires(Role.ADMIN)
def settings() -> ResponseReturnValue:
    """Show and change the page settings."""
    form = SettingsForm(data=form_data(services.snapshot(get_page_settings())))
    form.set_choices(services.time_zone_names(), services.language_codes(), services.theme_names())
    if form.validate_on_submit():
        try:
            services.update_settings(
                **form.changes(), actor=current_user.email, actor_id=current_user.id
            )
        except ValidationError as exc:
            apply_settings_errors(form, exc)
        else:
            flash(_("The settings were saved. The public page shows them now."), "success")
            return redirect(url_for("admin.settings"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/settings/edit.html",
        form=form,
        max_css_length=MAX_CSS_LENGTH,
        # STATUSPAGE_THEME wins over the setting (themes.render.active_theme): say so.
        pinned_theme=current_app.config.get("THEME") or None,
        theme_names=services.theme_names(),
    ), status
