"""The reminder banner on every console page, and dismissing a reminder."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts.models import Role
from ..clock import utcnow
from ..components.models import ComponentStatus
from ..errors import ValidationError
from ..public.formatting import duration_text
from ..public.labels import component_status_label
from ..reminders.models import ReminderKind
from ..reminders.queries import DueItem, active_reminders
from ..reminders.services import dismiss_reminder
from . import bp
from .access import requires
from .forms import ConfirmForm
from .view_support import actor, can_write


@dataclass(frozen=True)
class BannerItem:
    """One reminder as the console banner shows it."""

    kind: str
    subject: str
    due_at: str
    text: str
    link: str
    link_text: str
    # What a communicator does about it (empty for support).
    action: str = ""
    action_text: str = ""


def _banner_item(item: DueItem, writer: bool) -> BannerItem:
    ago = duration_text(utcnow() - item.since)
    action = action_text = ""
    if item.kind is ReminderKind.UPDATE_DUE:
        text = _(
            "A public update is due for “%(name)s”: the last one was %(ago)s ago.",
            name=item.name,
            ago=ago,
        )
        link = url_for("admin.incident_detail", incident_id=item.public_id)
        link_text = _("Open the incident")
        if writer:
            action = url_for("admin.incident_update", incident_id=item.public_id)
            action_text = _("Post an update")
    else:
        text = _(
            "No incident is open for %(name)s, which has shown “%(status)s” for %(ago)s.",
            name=item.name,
            status=component_status_label(ComponentStatus(item.status)),
            ago=ago,
        )
        # Support may not open the component's edit page: the list shows its status too.
        link = (
            url_for("admin.component_edit", component_id=item.public_id)
            if writer
            else url_for("admin.components")
        )
        link_text = _("See the component")
        if writer:
            action = url_for("admin.incident_new")
            action_text = _("Open an incident")
    return BannerItem(
        kind=item.kind.value,
        subject=item.subject,
        due_at=item.due_at.isoformat(),
        text=text,
        link=link,
        link_text=link_text,
        action=action,
        action_text=action_text,
    )


def console_reminders() -> list[BannerItem]:
    """Return the banner's reminders for the signed-in user (none when signed out)."""
    if not current_user.is_authenticated:
        return []
    writer = can_write()
    return [_banner_item(item, writer) for item in active_reminders(utcnow())]


@bp.app_context_processor
def reminder_globals() -> dict[str, object]:
    """Give console templates the reminder banner and whether the user may dismiss."""
    return {"console_reminders": console_reminders, "reminder_can_act": can_write}


def _back() -> Response:
    target = request.form.get("next") or ""
    # Only a path on this site: never an open redirect.
    if not target.startswith("/admin") or target.startswith("//"):
        target = url_for("admin.index")
    return redirect(target)


@bp.post("/reminders/dismiss")
@requires(Role.COMMUNICATOR)
def reminder_dismiss() -> ResponseReturnValue:
    """Hide a reminder from the banner until it falls due again."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kind = request.form.get("kind", "")
    if kind not in {k.value for k in ReminderKind} or not request.form.get("subject"):
        abort(400, _("This is not a reminder: reload the page and try again."))
    try:
        dismiss_reminder(
            kind,
            request.form.get("subject", ""),
            request.form.get("due_at", ""),
            **actor(),
        )
    except ValidationError as exc:
        flash(" ".join(exc.errors.values()), "error")
        return _back()
    flash(_("Reminder dismissed."), "success")
    return _back()
