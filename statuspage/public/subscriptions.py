"""Public subscribing: /subscribe, confirmation, the manage page and one-click unsubscribe.

Choices the brief left open:
- No enumeration: every answer to a subscribe request depends only on the channel. A webhook
  answer always shows a signing secret: the real one when the endpoint was just created, else
  a decoy of the same shape. Rotating the real secret instead would hand the signing key of an
  existing endpoint to anyone who knows its URL (and break its owner's verification); a decoy
  costs the owner of an existing endpoint nothing, and the page says that an endpoint that was
  already subscribed keeps its secret.
- No manage link is shown after subscribing (it would hand an existing subscription to whoever
  typed its address); every message carries it.
- The confirm, code and unsubscribe forms need no CSRF token: the signed, purpose-bound token
  in their URL is the authority, and RFC 8058 one-click must work with no cookie at all.
  /subscribe, the manage form and the resend form check CSRF (Flask-WTF).
- An SMS subscriber confirms with the code only; the code page answers the same for an address
  that was already confirmed (never "done"), so it cannot tell who is subscribed.
"""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from ..errors import NotFoundError, ValidationError
from ..extensions import csrf, limiter
from ..incidents import services as incidents
from ..incidents.queries import get_incident
from ..subscribers import queries, services
from ..subscribers.models import Channel, Scope, Subscriber, SubscriberState
from ..subscribers.targets import normalise_email
from ..subscribers.tokens import Purpose, TokenError, load_token, make_token
from ..themes.render import render_public
from . import bp
from . import subscription_pages as pages
from .subscription_forms import CodeForm, ManageForm, ResendForm, SubscribeForm

_TARGET_FIELDS = ("email", "phone_number", "endpoint", "type")


# -- helpers -----------------------------------------------------------------------------


def _private(response: Response) -> Response:
    # Forms carry a CSRF token and pages a personal token: never cache them anywhere.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _render(template: str, status: int = 200, **context: Any) -> Response:
    return _private(render_public(template, status=status, **context))


def _ip_limit() -> str:
    return pages.rate("SUBSCRIBE_RATE_LIMIT")


def _target_limit() -> str:
    return pages.rate("SUBSCRIBE_TARGET_RATE_LIMIT")


def _code_limit() -> str:
    return pages.rate("SUBSCRIBE_CODE_RATE_LIMIT")


def form_target_key() -> str:
    """Key the per-address limit by the address a form or JSON body asks for."""
    if request.is_json:
        body = request.get_json(silent=True)
        fields = body.get("subscriber") if isinstance(body, dict) else None
        fields = fields if isinstance(fields, dict) else {}
        for name in ("email", "phone_number", "endpoint"):
            value = fields.get(name)
            if isinstance(value, str) and value:
                channel = {"email": "email", "phone_number": "sms"}.get(name, "webhook")
                return pages.target_key(channel, value)
        return pages.target_key("none", "")
    channel = request.form.get("channel", "email")[:32]
    target = request.form.get("target") or request.form.get("email") or ""
    return pages.target_key(channel, target)


def _code_key() -> str:
    token = (request.view_args or {}).get("token", "")
    try:
        return "subscribe-code:" + load_token(str(token), Purpose.CONFIRM)
    except TokenError:
        return "subscribe-code:invalid"


ip_limit = limiter.shared_limit(_ip_limit, scope="subscribe-ip", methods=["POST"])
target_limit = limiter.shared_limit(
    _target_limit, scope="subscribe-target", key_func=form_target_key, methods=["POST"]
)


def _subscriber(token: str, purpose: Purpose) -> Subscriber:
    subscriber = queries.find_subscriber(load_token(token, purpose))
    if subscriber is None:  # deleted between the two reads
        raise TokenError("gone")
    return subscriber


def _bad_link(error: TokenError) -> Response:
    expired = error.reason == "expired"
    if expired:
        message = _("This link has expired. Ask for a new one below.")
    elif error.reason == "revoked":
        message = _("This link is no longer valid; use the one in your latest message.")
    else:
        message = _("This link is not valid; copy the whole link from the message.")
    return _render(
        "public/subscriptions/bad_link.html",
        status=400,
        message=message,
        expired=expired,
        form=ResendForm(formdata=None),
    )


def _language_default() -> str:
    locale = str(get_locale() or "en")
    codes = [choice.value for choice in pages.language_choices()]
    return locale if locale in codes else (codes[0] if codes else "en")


def _prepare(form: Any, tree: pages.ComponentTreeView) -> None:
    form.components.choices = pages.component_choices(tree)
    form.groups.choices = pages.group_choices(tree)
    form.language.choices = pages.language_choices()


def _apply(form: Any, error: ValidationError, target_field: str | None = None) -> None:
    for name, message in error.errors.items():
        if target_field and name in _TARGET_FIELDS:
            name = target_field
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)


# -- subscribe ---------------------------------------------------------------------------


def _following(incident_id: str | None) -> Any:
    if not incident_id:
        return None
    try:
        return get_incident(incident_id)
    except NotFoundError:
        return None


def _subscribed(channel: Channel, result: services.SubscribeResult | None) -> pages.SubscribedView:
    code_url = secret = None
    if channel is Channel.SMS and result is not None:
        code_url = url_for(
            "public.subscription_code", token=make_token(result.subscriber, Purpose.CONFIRM)
        )
    if channel is Channel.WEBHOOK:
        secret = pages.webhook_secret_for(result)
    return pages.SubscribedView(
        channel=channel.value,
        outcome=str(pages.outcome_for(channel)),
        code_url=code_url,
        webhook_secret=secret,
    )


@bp.route("/subscribe", methods=["GET", "POST"])
@ip_limit
@target_limit
def subscribe() -> ResponseReturnValue:
    """Show the subscribe form and subscribe an address."""
    tree = pages.component_tree()
    form = SubscribeForm()
    _prepare(form, tree)
    if request.method == "GET":
        form.language.data = _language_default()
        form.incident.data = (request.args.get("incident") or "")[:64]
    incident = _following(form.incident.data)
    if form.is_submitted() and form.website.data:
        # A bot filled the honeypot: answer like a success, store nothing.
        known = {c.value for c in Channel}
        channel = Channel(form.channel.data if form.channel.data in known else "email")
        return _render("public/subscriptions/subscribed.html", result=_subscribed(channel, None))
    if form.validate_on_submit():
        channel = Channel(form.channel.data)
        try:
            picked, groups = pages.chosen(
                "all" if incident else form.scope.data or "all",
                form.components.data or [],
                form.groups.data or [],
            )
            result = services.subscribe(
                channel,
                form.target.data,
                components=picked or None,
                groups=groups or None,
                incident=incidents.find_incident(incident.public_id) if incident else None,
                kinds=pages.kinds(form.events.data or []),
                language=form.language.data,
            )
        except ValidationError as error:
            _apply(form, error, "target")
        else:
            return _render(
                "public/subscriptions/subscribed.html", result=_subscribed(channel, result)
            )
    status = 400 if form.is_submitted() else 200
    return _render(
        "public/subscriptions/subscribe.html",
        status=status,
        form=form,
        tree=tree,
        incident=incident,
    )


csrf.exempt(subscribe)


@bp.post("/subscriptions/resend")
@ip_limit
@target_limit
def subscription_resend() -> ResponseReturnValue:
    """Send a new confirmation link to an email address waiting for confirmation."""
    form = ResendForm()
    if form.validate_on_submit():
        try:
            address = normalise_email(form.email.data or "")
        except ValidationError as error:
            _apply(form, error, "email")
        else:
            found = queries.find_live_subscriber(Channel.EMAIL, address)
            if found is not None and found.state is SubscriberState.UNCONFIRMED:
                services.resend_confirmation(found, actor="public")
            return _render("public/subscriptions/resent.html")
    return _render(
        "public/subscriptions/bad_link.html",
        status=400,
        message=_("Check the address and send the form again."),
        expired=True,
        form=form,
    )


csrf.exempt(subscription_resend)


# -- confirm -----------------------------------------------------------------------------


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
def subscription_confirm(token: str) -> ResponseReturnValue:
    """Show a confirm button (link scanners prefetch GETs); POST confirms the subscription."""
    try:
        subscriber = _subscriber(token, Purpose.CONFIRM)
    except TokenError as error:
        return _bad_link(error)
    if subscriber.channel is Channel.SMS:
        return redirect(url_for("public.subscription_code", token=token))
    if request.method == "POST":
        try:
            services.confirm(subscriber)
        except ValidationError as error:
            return _render(
                "public/subscriptions/bad_link.html",
                status=400,
                message=next(iter(error.errors.values())),
                expired=False,
                form=None,
            )
        return _render(
            "public/subscriptions/confirmed.html",
            manage_url=url_for(
                "public.subscription_manage", token=make_token(subscriber, "manage")
            ),
        )
    return _render("public/subscriptions/confirm.html", target=subscriber.target)


csrf.exempt(subscription_confirm)


@bp.route("/subscriptions/<token>/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, key_func=_code_key, methods=["POST"])
def subscription_code(token: str) -> ResponseReturnValue:
    """Ask for the code texted to a new SMS subscriber; POST checks it."""
    try:
        subscriber = _subscriber(token, Purpose.CONFIRM)
    except TokenError as error:
        return _bad_link(error)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            if subscriber.state is not SubscriberState.UNCONFIRMED:
                # Same answer as a wrong code: this page must not tell who is subscribed.
                raise ValidationError(
                    {"code": _("This code is wrong or has expired; ask for a new one.")}
                )
            services.confirm_code(subscriber, form.code.data or "")
        except ValidationError as error:
            _apply(form, error)
        else:
            return _render(
                "public/subscriptions/confirmed.html",
                manage_url=url_for(
                    "public.subscription_manage", token=make_token(subscriber, "manage")
                ),
            )
    status = 400 if form.is_submitted() else 200
    return _render("public/subscriptions/code.html", status=status, form=form)


csrf.exempt(subscription_code)


# -- manage ------------------------------------------------------------------------------


@bp.route("/subscriptions/<token>", methods=["GET", "POST"])
def subscription_manage(token: str) -> ResponseReturnValue:
    """Show and change what a subscriber follows, which updates and in which language."""
    try:
        subscriber = _subscriber(token, Purpose.MANAGE)
    except TokenError as error:
        return _bad_link(error)
    tree = pages.component_tree()
    form = ManageForm()
    _prepare(form, tree)
    saved = False
    gone = subscriber.state is SubscriberState.UNSUBSCRIBED
    if not form.is_submitted():
        form.scope.data = "all" if subscriber.scope is Scope.ALL else "components"
        form.components.data = [c.public_id for c in subscriber.components]
        form.groups.data = [g.public_id for g in subscriber.groups]
        form.events.data = sorted(k.value for k in subscriber.kinds)
        form.language.data = subscriber.language or _language_default()
    elif not gone and form.validate():
        try:
            picked, groups = pages.chosen(
                form.scope.data or "all", form.components.data or [], form.groups.data or []
            )
            services.update_subscriber(
                subscriber,
                components=picked,
                groups=groups,
                kinds=pages.kinds(form.events.data or []),
                language=form.language.data,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            saved = True
    status = 400 if form.is_submitted() and not saved and not gone else 200
    view = pages.manage_view(
        subscriber, url_for("public.unsubscribe", token=make_token(subscriber, "unsubscribe"))
    )
    return _render(
        "public/subscriptions/manage.html",
        status=status,
        form=form,
        tree=tree,
        subscription=view,
        saved=saved,
    )


csrf.exempt(subscription_manage)


# -- unsubscribe -------------------------------------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """Show an unsubscribe button; POST unsubscribes (RFC 8058 one-click, idempotent)."""
    try:
        subscriber = _subscriber(token, Purpose.UNSUBSCRIBE)
    except TokenError as error:
        return _bad_link(error)
    if request.method == "POST":
        services.unsubscribe(subscriber)
        return _render("public/subscriptions/unsubscribed.html")
    if subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _render("public/subscriptions/unsubscribed.html")
    return _render("public/subscriptions/unsubscribe.html", target=subscriber.target)


csrf.exempt(unsubscribe)


# -- errors ------------------------------------------------------------------------------


@bp.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests) -> ResponseReturnValue:
    """Explain a rate limit in words (Flask-Limiter adds Retry-After)."""
    return _render(
        "public/error.html",
        status=429,
        code=429,
        title=_("Too many requests"),
        message=_(
            "This form was sent too often from here or for this address. Nothing was "
            "changed; wait a while (up to an hour), then try again."
        ),
    )
