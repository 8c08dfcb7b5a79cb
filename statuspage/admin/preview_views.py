"""Live Markdown preview for the console's message fields (progressive enhancement)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.models import Role
from ..incidents.services import MAX_POSTMORTEM_LENGTH
from ..markup import render_markdown
from . import bp
from .access import requires
from .incident_forms import PreviewForm

# The longest text any console field takes (a postmortem).
MAX_PREVIEW_LENGTH = MAX_POSTMORTEM_LENGTH


@bp.post("/preview")
@requires(Role.COMMUNICATOR)
def preview() -> ResponseReturnValue:
    """Return the sanitized HTML a Markdown text becomes, as JSON {"html": ...}."""
    form = PreviewForm()
    if not form.validate_on_submit():
        message = form.form_errors[0] if form.form_errors else _("Nothing to preview.")
        return jsonify(error=str(message)), 400
    body = form.body.data or ""
    if len(body) > MAX_PREVIEW_LENGTH:
        message = _("Use at most %(count)d characters.", count=MAX_PREVIEW_LENGTH)
        return jsonify(error=message), 400
    return jsonify(html=str(render_markdown(body)))
