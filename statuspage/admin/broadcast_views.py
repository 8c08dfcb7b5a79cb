"""Broadcast channels in the console (admins): list, add, edit, delete, on/off, send a test."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..components.models import Component
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Impact
from ..notifications import broadcasts
from ..notifications.models import BroadcastChannel
from . import bp
from .access import requires
from .broadcast_forms import IMPACT_CHOICES, BroadcastForm
from .delivery_views import kind_label, state_label
from .forms import ConfirmForm
from .helpers import apply_errors
from .nav import register_nav
from .view_support import actor, page_zone, time_text

register_nav("admin.broadcasts", _l("Broadcasts"), role=Role.ADMIN, order=47)

_IMPACT_TEXT = {c.value: c.label for c in IMPACT_CHOICES}


@dataclass(frozen=True)
class BroadcastRow:
    """One broadcast channel as the list shows it (its URL masked)."""

    id: int
    name: str
    url: str
    components: str
    minimum_impact: str
    enabled: bool
    # The newest delivery to it, or a test the worker has not picked up yet.
    last_state: str
    last_state_label: str
    last_kind: str
    last_at: str
    last_error: str
    last_event_id: int | None
    waiting: bool


def _components() -> list[Component]:
    return list(db.session.scalars(db.select(Component).order_by(Component.position, Component.id)))


def _channel(channel_id: int) -> BroadcastChannel:
    found = broadcasts.find_channel(channel_id)
    if found is None:
        abort(404)
    return found


def _rows(channels: list[BroadcastChannel]) -> list[BroadcastRow]:
    when = time_text(page_zone())
    names = {c.id: c.name for c in _components()}
    ids = [c.id for c in channels]
    results = broadcasts.last_results(ids)
    pending = broadcasts.pending_tests(ids)
    rows = []
    for c in channels:
        last = results.get(c.id)
        waiting_event = pending.get(c.id)
        if waiting_event is not None and (last is None or last.event_id < waiting_event):
            state, label, kind, at, error, event_id = (
                "waiting",
                _("Waiting for the worker"),
                kind_label(broadcasts.BROADCAST_TEST),
                "",
                "",
                waiting_event,
            )
        elif last is not None:
            state, label, kind, at, error, event_id = (
                last.state.value,
                state_label(last.state),
                kind_label(last.kind),
                when(last.at),
                last.error,
                last.event_id,
            )
        else:
            state, label, kind, at, error, event_id = ("", _("Nothing sent yet"), "", "", "", None)
        rows.append(
            BroadcastRow(
                id=c.id,
                name=c.name,
                url=broadcasts.mask_url(c.apprise_url),
                components=", ".join(names[i] for i in c.component_ids or [] if i in names)
                or _("Every component"),
                minimum_impact=str(_IMPACT_TEXT.get(Impact(c.minimum_impact).value, "")),
                enabled=c.enabled,
                last_state=state,
                last_state_label=label,
                last_kind=kind,
                last_at=at,
                last_error=error,
                last_event_id=event_id,
                waiting=state in ("waiting", "queued", "sending", "failed"),
            )
        )
    return rows


@bp.get("/broadcasts", endpoint="broadcasts")
@requires(Role.ADMIN)
def broadcasts_list() -> ResponseReturnValue:
    """List broadcast channels with their newest delivery's result."""
    return render_template(
        "admin/broadcasts/list.html",
        rows=_rows(broadcasts.list_channels()),
        form=ConfirmForm(),
    )


def _save(form: BroadcastForm, channel: BroadcastChannel | None) -> BroadcastChannel | None:
    by_public = {c.public_id: c.id for c in _components()}
    values = {
        "component_ids": [by_public[i] for i in form.components.data or [] if i in by_public],
        "minimum_impact": form.minimum_impact.data or Impact.NONE.value,
        "enabled": bool(form.enabled.data),
        **actor(),
    }
    try:
        if channel is None:
            return broadcasts.create_channel(form.name.data, form.apprise_url.data, **values)
        return broadcasts.update_channel(channel, form.name.data, form.apprise_url.data, **values)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@bp.route("/broadcasts/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def broadcast_new() -> ResponseReturnValue:
    """Add a broadcast channel."""
    form = BroadcastForm()
    form.offer(_component_choices())
    if form.validate_on_submit() and _save(form, None) is not None:
        flash(_("Broadcast channel added."), "success")
        return redirect(url_for("admin.broadcasts"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/broadcasts/form.html", form=form, channel=None), status


@bp.route("/broadcasts/<int:channel_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def broadcast_edit(channel_id: int) -> ResponseReturnValue:
    """Change a broadcast channel (the only page that shows its URL in full)."""
    channel = _channel(channel_id)
    ids = {c.id: c.public_id for c in _components()}
    form = BroadcastForm(
        data={
            "name": channel.name,
            "apprise_url": channel.apprise_url,
            "components": [ids[i] for i in channel.component_ids or [] if i in ids],
            "minimum_impact": Impact(channel.minimum_impact).value,
            "enabled": channel.enabled,
        }
    )
    form.offer(_component_choices())
    if form.validate_on_submit() and _save(form, channel) is not None:
        flash(_("Broadcast channel saved."), "success")
        return redirect(url_for("admin.broadcasts"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/broadcasts/form.html", form=form, channel=channel, confirm=ConfirmForm()
    ), status


def _component_choices() -> list[tuple[str, str]]:
    return [(c.public_id, c.name) for c in _components()]


@bp.route("/broadcasts/<int:channel_id>/delete", methods=["GET", "POST"])
@requires(Role.ADMIN)
def broadcast_delete(channel_id: int) -> ResponseReturnValue:
    """Confirm, then delete a broadcast channel."""
    channel = _channel(channel_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        broadcasts.delete_channel(channel, **actor())
        flash(_("The broadcast channel was deleted."), "success")
        return redirect(url_for("admin.broadcasts"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/broadcasts/delete.html",
        form=form,
        channel=channel,
        url=broadcasts.mask_url(channel.apprise_url),
    ), status


@bp.post("/broadcasts/<int:channel_id>/enable")
@requires(Role.ADMIN)
def broadcast_enable(channel_id: int) -> ResponseReturnValue:
    """Turn a broadcast channel on or off (form field `enabled`: 1 or 0)."""
    channel = _channel(channel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    enabled = request.form.get("enabled", "1") == "1"
    broadcasts.set_enabled(channel, enabled, **actor())
    if enabled:
        flash(_("The broadcast channel is on."), "success")
    else:
        flash(_("The broadcast channel is off: nothing is sent to it."), "success")
    return redirect(url_for("admin.broadcasts"))


@bp.post("/broadcasts/<int:channel_id>/test")
@requires(Role.ADMIN)
def broadcast_test(channel_id: int) -> ResponseReturnValue:
    """Ask the worker to send a test message to the channel."""
    channel = _channel(channel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not channel.enabled:
        flash(_("Turn the channel on before sending a test."), "error")
        return redirect(url_for("admin.broadcasts"))
    broadcasts.send_test(channel, **actor())
    flash(_("Test queued: the worker sends it within seconds."), "success")
    return redirect(url_for("admin.broadcasts"))
