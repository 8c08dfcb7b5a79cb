"""The approved customer wording and ETA of an incident, edited by communicators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.models import Role
from ..errors import ValidationError
from ..incidents import services as incident_services
from ..support import services
from ..support.queries import public_card
from ..themes.render import current_page
from . import bp
from .access import requires
from .customer_forms import TRANSLATION_ROWS, WordingForm
from .helpers import apply_errors
from .view_support import actor, page_zone, time_text

# Service error fields, by the form field that shows them.
_FORM_FIELD = {"wording": "body"}


@bp.route("/incidents/<incident_id>/wording", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_wording(incident_id: str) -> ResponseReturnValue:
    """Edit what support tells customers (per language) and the expected resolution."""
    incident = incident_services.find_incident(incident_id)
    if incident is None:
        abort(404)
    default = current_page().default_language
    note = services.note_of(incident)
    texts = {w.locale: w.body for w in note.wordings} if note else {}
    translations = [{"locale": k, "body": v} for k, v in sorted(texts.items()) if k != default]
    form = WordingForm(
        zone=page_zone(),
        data={
            "body": texts.get(default, ""),
            "translations": translations + [{}] * TRANSLATION_ROWS,
            "expected_resolution_at": note.expected_resolution_at if note else None,
        },
    )
    if form.validate_on_submit():
        wording = {default: form.body.data or ""}
        errors = {}
        for entry in form.translations.entries:
            locale = (entry.form.locale.data or "").strip()
            body = entry.form.body.data or ""
            if not locale and not body.strip():
                continue
            if locale.replace("-", "_").lower() == default.lower():
                errors["body"] = _("Write the %(code)s text in the first box.", code=default)
                continue
            wording[locale] = body
        try:
            if errors:
                raise ValidationError(errors)
            services.save_note(
                incident,
                wording=wording,
                expected_resolution_at=form.expected_resolution_at.data,
                **actor(),
            )
        except ValidationError as exc:
            apply_errors(
                form, ValidationError({_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()})
            )
        else:
            flash(_("The customer wording was saved; support sees it now."), "success")
            return redirect(url_for("admin.incident_detail", incident_id=incident.public_id))
    status = 400 if form.is_submitted() else 200
    card = public_card(incident.public_id, default)
    return render_template(
        "admin/incidents/wording.html",
        form=form,
        incident_id=incident.public_id,
        incident_name=incident.name,
        default_locale=default,
        card=card,
        when=time_text(page_zone()),
    ), status
