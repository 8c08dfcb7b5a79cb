"""Subscribers in the console: list, counts, add, edit, remove, quarantine, CSV in and out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..accounts.models import Role
from ..audit.services import record
from ..components.models import Component
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..subscribers import console_queries, csvio, imports, queries, services
from ..subscribers.console_queries import Filters
from ..subscribers.models import Channel, EventKind, Scope, Subscriber, SubscriberState
from . import bp
from .access import requires, role_allows
from .forms import ConfirmForm
from .helpers import apply_errors
from .nav import register_nav
from .subscriber_forms import (
    CHANNEL_LABELS,
    KIND_LABELS,
    ImportStartForm,
    ImportUploadForm,
    SubscriberAddForm,
    SubscriberEditForm,
)
from .view_support import actor, can_write, page_zone, time_text

register_nav("admin.subscribers", _l("Subscribers"), order=45)

PAGE_SIZE = 50
STATE_LABELS = {
    SubscriberState.UNCONFIRMED: _l("Unconfirmed"),
    SubscriberState.ACTIVE: _l("Active"),
    SubscriberState.QUARANTINED: _l("Quarantined"),
    SubscriberState.UNSUBSCRIBED: _l("Unsubscribed"),
}
# Service error fields, by the console form field that shows them.
_FORM_FIELD = {
    "type": "channel",
    "email": "target",
    "phone_number": "target",
    "endpoint": "target",
    "events": "kinds",
    "phone_country": "phone_country",
    "country": "phone_country",
}
_URL_CHANNELS = frozenset(Channel) - {Channel.EMAIL, Channel.SMS}


def _is_admin() -> bool:
    return role_allows(current_user.role, Role.ADMIN)


def shown_target(subscriber: Subscriber) -> str:
    """Return the address as the console shows it: URLs (they carry credentials) masked."""
    if subscriber.channel in _URL_CHANNELS:
        return services.mask_target(subscriber.channel, subscriber.target)
    return subscriber.target


@dataclass(frozen=True)
class SubscriberRow:
    """One subscriber as the list shows it."""

    public_id: str
    channel: Channel
    channel_label: str
    target: str
    state: SubscriberState
    state_label: str
    language: str
    follows: str
    kinds: str
    created_at: str
    failures: int


def _follows(subscriber: Subscriber) -> str:
    if subscriber.scope is Scope.ALL:
        return _("Everything")
    if subscriber.scope is Scope.INCIDENT:
        name = subscriber.incident.name if subscriber.incident else ""
        return _("Incident: %(name)s", name=name)
    names = [c.name for c in subscriber.components] + [
        _("%(name)s (group)", name=g.name) for g in subscriber.groups
    ]
    return ", ".join(names)


def _row(subscriber: Subscriber, when: Any) -> SubscriberRow:
    return SubscriberRow(
        public_id=subscriber.public_id,
        channel=subscriber.channel,
        channel_label=str(CHANNEL_LABELS[subscriber.channel]),
        target=shown_target(subscriber),
        state=subscriber.state,
        state_label=str(STATE_LABELS[subscriber.state]),
        language=subscriber.language or "",
        follows=_follows(subscriber),
        kinds=", ".join(str(KIND_LABELS[k]) for k in EventKind if k in subscriber.kinds),
        created_at=when(subscriber.created_at),
        failures=subscriber.failure_count,
    )


def _subscriber(subscriber_id: str) -> Subscriber:
    found = queries.find_subscriber(subscriber_id)
    if found is None:
        abort(404)
    return found


def _components() -> list[Component]:
    from ..components.models import Component as ComponentModel

    return list(
        db.session.scalars(
            db.select(ComponentModel).order_by(ComponentModel.position, ComponentModel.id)
        )
    )


def _groups() -> list[Any]:
    from ..components.models import ComponentGroup

    return list(
        db.session.scalars(
            db.select(ComponentGroup).order_by(ComponentGroup.position, ComponentGroup.id)
        )
    )


def _filters() -> tuple[Filters, dict[str, str]]:
    """Read the list's filters from the query string (unknown values are ignored)."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "channel", "state", "component")}
    channel = args["channel"] if args["channel"] in {c.value for c in Channel} else ""
    state = args["state"] if args["state"] in {s.value for s in SubscriberState} else ""
    component = None
    if args["component"]:
        component = db.session.scalar(
            db.select(Component).where(Component.public_id == args["component"])
        )
    filters = Filters(
        search=args["q"][:200] or None,
        channel=Channel(channel) if channel else None,
        state=SubscriberState(state) if state else None,
        component=component,
    )
    shown = {
        "q": args["q"][:200],
        "channel": channel,
        "state": state,
        "component": component.public_id if component else "",
    }
    return filters, shown


@bp.get("/subscribers")
def subscribers() -> ResponseReturnValue:
    """List subscribers with search, filters, counts per state, channel and component."""
    filters, shown = _filters()
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    total = console_queries.count_filtered(filters)
    when = time_text(page_zone())
    rows = [
        _row(s, when) for s in console_queries.page_of(filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    ]
    by_state_channel = queries.counts_by_state_and_channel()
    query = {k: v for k, v in shown.items() if v}
    return render_template(
        "admin/subscribers/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        query=query,
        shown=shown,
        channels=CHANNEL_LABELS,
        states=STATE_LABELS,
        by_state={
            s: sum(n for (state, _c), n in by_state_channel.items() if state is s)
            for s in SubscriberState
        },
        by_channel={
            c: sum(n for (_s, channel), n in by_state_channel.items() if channel is c)
            for c in Channel
        },
        per_component=console_queries.counts_per_component(),
        components=_components(),
        can_write=can_write(),
    )


# --------------------------------------------------------------------------- export


@bp.get("/subscribers/export.csv")
@requires(Role.COMMUNICATOR)
def subscribers_export() -> ResponseReturnValue:
    """Download every filtered subscriber as CSV (streamed)."""
    filters, shown = _filters()
    full_urls = _is_admin()
    with unit_of_work():
        record(
            current_user.email,
            "subscriber.export",
            "subscriber",
            None,
            None,
            {k: v for k, v in shown.items() if v} or None,
            actor_id=current_user.id,
        )
    # Keep the filter's component by id: the stream outlives this request's session objects.
    component_id = filters.component.public_id if filters.component else None

    def rows() -> Any:
        component = None
        if component_id is not None:
            component = db.session.scalar(
                db.select(Component).where(Component.public_id == component_id)
            )
        for s in console_queries.iter_filtered(
            Filters(filters.search, filters.channel, filters.state, component)
        ):
            yield [
                s.public_id,
                s.channel.value,
                s.target if full_urls else shown_target(s),
                s.state.value,
                s.language or "",
                csvio.join_list(c.public_id for c in s.components),
                csvio.join_list(g.public_id for g in s.groups),
                csvio.join_list(k.value for k in EventKind if k in s.kinds),
                s.created_at.isoformat() if s.created_at else "",
                s.confirmed_at.isoformat() if s.confirmed_at else "",
            ]

    from flask import stream_with_context

    response = Response(
        stream_with_context(csvio.export_lines(rows())), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
    return response


# --------------------------------------------------------------------------- add / edit


def _offer(form: Any) -> None:
    form.offer(
        [(c.public_id, c.name) for c in _components()],
        [(g.public_id, g.name) for g in _groups()],
    )


def _chosen(form: Any) -> tuple[list[Component], list[Any]]:
    components = {c.public_id: c for c in _components()}
    groups = {g.public_id: g for g in _groups()}
    return (
        [components[i] for i in form.components.data or [] if i in components],
        [groups[i] for i in form.groups.data or [] if i in groups],
    )


def _kinds(form: Any) -> frozenset[EventKind]:
    return frozenset(EventKind(k) for k in form.kinds.data or [] if k in set(EventKind))


def _show_errors(form: Any, exc: ValidationError) -> None:
    apply_errors(form, ValidationError({_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()}))


@bp.route("/subscribers/new", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def subscriber_new() -> ResponseReturnValue:
    """Add a subscriber on any channel (admins may add Apprise URLs)."""
    allow_apprise = _is_admin()
    form = SubscriberAddForm(
        data=None
        if request.method == "POST"
        else {
            "kinds": [k.value for k in EventKind],
        }
    )
    form.offer_channels(allow_apprise)
    _offer(form)
    if form.validate_on_submit():
        components, groups = _chosen(form)
        try:
            result = services.subscribe(
                form.channel.data or "",
                form.target.data,
                components=components or None,
                groups=groups or None,
                kinds=_kinds(form),
                language=form.language.data,
                phone_country=form.phone_country.data or None,
                skip_confirmation=bool(form.consent.data),
                staff=True,
                allow_apprise=allow_apprise,
                **actor(),
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            subscriber = result.subscriber
            if not result.created:
                flash(_("This address was already subscribed; its choices changed."), "success")
            elif subscriber.state is SubscriberState.UNCONFIRMED:
                flash(_("Subscriber added; we asked them to confirm."), "success")
            else:
                flash(_("Subscriber added."), "success")
            if result.webhook_secret:
                return render_template(
                    "admin/subscribers/secret.html",
                    secret=result.webhook_secret,
                    subscriber_id=subscriber.public_id,
                )
            return redirect(url_for("admin.subscribers"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/subscribers/form.html", form=form, subscriber=None), status


@bp.route("/subscribers/<subscriber_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def subscriber_edit(subscriber_id: str) -> ResponseReturnValue:
    """Change what a subscriber follows, which kinds of updates and the language."""
    subscriber = _subscriber(subscriber_id)
    form = SubscriberEditForm(
        data={
            "components": [c.public_id for c in subscriber.components],
            "groups": [g.public_id for g in subscriber.groups],
            "kinds": [k.value for k in EventKind if k in subscriber.kinds],
            "language": subscriber.language or "",
        }
    )
    _offer(form)
    if form.validate_on_submit():
        components, groups = _chosen(form)
        keep_incident = subscriber.scope is Scope.INCIDENT and not (components or groups)
        try:
            services.update_subscriber(
                subscriber,
                components=None if keep_incident else components,
                groups=None if keep_incident else groups,
                kinds=_kinds(form),
                language=form.language.data,
                **actor(),
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            flash(_("Subscriber saved."), "success")
            return redirect(url_for("admin.subscribers"))
    status = 400 if form.is_submitted() else 200
    when = time_text(page_zone())
    return render_template(
        "admin/subscribers/form.html",
        form=form,
        subscriber=_row(subscriber, when),
        confirm=ConfirmForm(),
    ), status


@bp.route("/subscribers/<subscriber_id>/delete", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def subscriber_delete(subscriber_id: str) -> ResponseReturnValue:
    """Confirm, then delete a subscriber and its address for good."""
    subscriber = _subscriber(subscriber_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_subscriber(subscriber, **actor())
        flash(_("The subscriber was removed."), "success")
        return redirect(url_for("admin.subscribers"))
    status = 400 if form.is_submitted() else 200
    when = time_text(page_zone())
    return render_template(
        "admin/subscribers/delete.html", form=form, subscriber=_row(subscriber, when)
    ), status


@bp.post("/subscribers/<subscriber_id>/quarantine")
@requires(Role.COMMUNICATOR)
def subscriber_quarantine(subscriber_id: str) -> ResponseReturnValue:
    """Stop sending to a subscriber until someone reactivates it."""
    subscriber = _subscriber(subscriber_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.quarantine(subscriber, **actor())
    flash(_("The subscriber is quarantined: nothing is sent to it."), "success")
    return redirect(request.referrer or url_for("admin.subscribers"))


@bp.post("/subscribers/<subscriber_id>/reactivate")
@requires(Role.COMMUNICATOR)
def subscriber_reactivate(subscriber_id: str) -> ResponseReturnValue:
    """Make a quarantined or unsubscribed subscriber active again."""
    subscriber = _subscriber(subscriber_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.reactivate(subscriber, **actor())
    except ValidationError as exc:
        flash(" ".join(exc.errors.values()), "error")
    else:
        flash(_("The subscriber is active again."), "success")
    return redirect(request.referrer or url_for("admin.subscribers"))


# --------------------------------------------------------------------------- import


def _job(import_id: str) -> imports.ImportJob:
    job = imports.find_import(import_id)
    if job is None:
        abort(404)
    return job


@bp.route("/subscribers/import", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def subscribers_import() -> ResponseReturnValue:
    """Upload a CSV file and see the dry run's report (nothing is imported yet)."""
    # The console's usual limit is 1 MB; an import file may be up to 5 MB.
    limit = csvio.MAX_IMPORT_BYTES + 64 * 1024
    request.max_content_length = limit
    try:
        # Refuse by the announced length before reading anything of the body.
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        form = ImportUploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = ImportUploadForm(formdata=None)
        form.file.errors = [
            _("The file is larger than %(mb)d MB; split it.", mb=csvio.MAX_IMPORT_BYTES >> 20)
        ]
        return render_template("admin/subscribers/import.html", form=form), 413
    if submitted:
        upload = form.file.data
        try:
            job = imports.check_file(
                upload.read(csvio.MAX_IMPORT_BYTES + 1),
                upload.filename or "",
                allow_apprise=_is_admin(),
                actor=current_user.email,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("admin.subscribers_import_job", import_id=job.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/subscribers/import.html", form=form), status


@bp.route("/subscribers/import/<import_id>", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def subscribers_import_job(import_id: str) -> ResponseReturnValue:
    """Show a file's dry-run report and start its import; then show the import's progress."""
    job = _job(import_id)
    form = ImportStartForm()
    if form.is_submitted():
        if form.validate():
            if job.state == imports.State.CHECKED:
                imports.start_import(job, consent=bool(form.consent.data), **actor())
            return redirect(url_for("admin.subscribers_import_job", import_id=job.id))
        status = 400
    else:
        status = 200
    return render_template(
        "admin/subscribers/import_job.html", job=job, form=form, step=ConfirmForm()
    ), status


@bp.post("/subscribers/import/<import_id>/step")
@requires(Role.COMMUNICATOR)
def subscribers_import_step(import_id: str) -> ResponseReturnValue:
    """Import the next batch of a started import; answer its progress (JSON) or go back."""
    job = _job(import_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not ConfirmForm().validate_on_submit():
        if wants_json:
            return jsonify(error=_("The page is too old; reload it.")), 400
        abort(400)
    job = imports.import_next_batch(job, allow_apprise=_is_admin(), **actor())
    if wants_json:
        return jsonify(job.status())
    return redirect(url_for("admin.subscribers_import_job", import_id=job.id))


@bp.get("/subscribers/import/<import_id>/status")
@requires(Role.COMMUNICATOR)
def subscribers_import_status(import_id: str) -> ResponseReturnValue:
    """Answer an import's progress as JSON."""
    return jsonify(_job(import_id).status())
