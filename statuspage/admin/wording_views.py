"""The approved customer wording and ETA of an incident (public or internal), by communicators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.models import Role
from ..errors import ValidationError
from ..extensions import db
from ..incidents import services as incident_services
from ..incidents.models import Incident
from ..internal.models import InternalIncident
from ..support import services
from ..themes.render import current_page
from . import bp
from .access import requires
from .customer_forms import TRANSLATION_ROWS, WordingForm
from .helpers import apply_errors
from .view_support import actor, page_zone

# Service error fields, by the form field that shows them.
_FORM_FIELD = {"wording": "body"}


def _edit(target: Incident | InternalIncident, name: str, back: str) -> ResponseReturnValue:
    """Show and save the wording form of one incident."""
    default = current_page().default_language
    note = services.note_of(target)
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
                target,
                wording=wording,
                expected_resolution_at=form.expected_resolution_at.data,
                **actor(),
            )
        except ValidationError as exc:
            shown = {_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()}
            apply_errors(form, ValidationError(shown))
        else:
            flash(_("The customer wording was saved; support sees it now."), "success")
            return redirect(back)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/incidents/wording.html",
        form=form,
        action=request.path,
        back=back,
        incident_name=name,
        default_locale=default,
    ), status


@bp.route("/incidents/<incident_id>/wording", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_wording(incident_id: str) -> ResponseReturnValue:
    """Edit what support tells customers about a public incident, and its expected end."""
    incident = incident_services.find_incident(incident_id)
    if incident is None:
        abort(404)
    back = url_for("admin.incident_detail", incident_id=incident.public_id)
    return _edit(incident, incident.name, back)


@bp.route("/internal/<internal_incident_id>/wording", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def internal_incident_wording(internal_incident_id: str) -> ResponseReturnValue:
    """Edit what support tells customers about an alert not (yet) told publicly."""
    incident = db.session.scalar(
        sa.select(InternalIncident).where(InternalIncident.public_id == internal_incident_id)
    )
    if incident is None:
        abort(404)
    back = url_for("support.internal_incident", internal_incident_id=incident.public_id)
    return _edit(incident, incident.title, back)
