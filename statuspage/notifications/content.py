"""What a notification says: email (subject, text, HTML), SMS and chat text, per language.

Everything is rendered from the event snapshot (`Outgoing.context`, see dispatch.py), never
from the database, so a retry says exactly what the first attempt said. Email bodies come
from the theme's `email/` templates; per-recipient links are left as placeholders so one
rendering serves every recipient of the same event and language (see senders.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..components.models import ComponentStatus
from ..incidents.models import Impact, IncidentStatus
from ..maintenance.models import MaintenanceStatus
from ..markup import markdown_to_text, render_markdown
from ..public.labels import (
    component_status_label,
    impact_label,
    incident_status_label,
    maintenance_status_label,
)
from ..subscribers.services import SMS_CODE_MAX_AGE
from ..subscribers.tokens import CONFIRM_MAX_AGE
from ..themes.loader import DEFAULT_THEME, available_themes, safe_theme_name, themed

# Stand-ins for the per-recipient links; plain ASCII letters so escaping leaves them intact.
MANAGE_MARK = "SPMARKMANAGEURLSP"
UNSUBSCRIBE_MARK = "SPMARKUNSUBSCRIBEURLSP"
SMS_MAX_CHARS = 300
CHAT_BODY_MAX_CHARS = 1500
# "…" is not in the GSM 7-bit alphabet: one would make the whole SMS UCS-2 (70 chars a part).
GSM_ELLIPSIS = "..."

CONFIRMATION = "subscriber.confirmation_requested"
PING = "subscriber.webhook_created"
BROADCAST_TEST = "broadcast.test"
REMINDER_DUE = "reminder.due"


class UnsupportedEvent(ValueError):
    """The event kind has no message for this channel."""


@dataclass(frozen=True)
class UpdateView:
    """One incident or maintenance update as a message shows it."""

    status: str
    when: str
    body_html: Markup
    body_text: str


@dataclass(frozen=True)
class ComponentView:
    """An affected component and its status."""

    name: str
    status: str
    status_value: str


@dataclass(frozen=True)
class MessageView:
    """Everything an email template needs; built once per event and language."""

    kind: str
    lang: str
    page_name: str
    page_url: str
    heading: str
    name: str = ""
    url: str = ""
    status: str = ""
    impact: str = ""
    latest: UpdateView | None = None
    earlier: tuple[UpdateView, ...] = ()
    components: tuple[ComponentView, ...] = ()
    window_local: str = ""
    window_utc: str = ""
    time_zone: str = "UTC"
    postmortem_html: Markup = field(default_factory=Markup)
    postmortem_text: str = ""
    old_status: str = ""
    new_status: str = ""
    confirm_url: str = ""
    expiry_note: str = ""
    # Says the message is (partly) in the page's language: no translation into this one.
    translation_note: str = ""


@dataclass(frozen=True)
class EmailContent:
    """A rendered email; the links in `MANAGE_MARK`/`UNSUBSCRIBE_MARK` are per recipient."""

    subject: str
    text: str
    html: str
    language: str


@dataclass(frozen=True)
class ChatContent:
    """A chat message: title, short Markdown body, link."""

    title: str
    body: str
    url: str


# --------------------------------------------------------------------------- helpers


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _babel_locale(language: str) -> str:
    return language.replace("-", "_") or "en"


def _format_time(at: datetime | None, zone: ZoneInfo, language: str) -> str:
    if at is None:
        return ""
    local = at.astimezone(zone)
    try:
        locale = Locale.parse(_babel_locale(language))
    except (ValueError, LookupError):
        locale = Locale.parse("en")
    day = format_date(local, "medium", locale=locale)
    time = format_time(local, "short", tzinfo=zone, locale=locale)
    # Plain spaces: CLDR's narrow no-break space would force SMS into UCS-2 (70 chars).
    return f"{day}, {time} {zone.key}".replace("\u202f", " ").replace("\xa0", " ")


def _label(kind: str, value: str) -> str:
    """Translate a status value; unknown values are shown as they are."""
    try:
        if kind == "component":
            return component_status_label(ComponentStatus(value))
        if kind == "incident":
            return incident_status_label(IncidentStatus(value))
        if kind == "maintenance":
            return maintenance_status_label(MaintenanceStatus(value))
        if kind == "impact":
            return impact_label(Impact(value))
    except ValueError:
        pass
    return value.replace("_", " ")


def _page(context: Mapping[str, Any]) -> Mapping[str, Any]:
    page = context.get("page")
    return page if isinstance(page, Mapping) else {}


def _page_name(context: Mapping[str, Any]) -> str:
    return str(_page(context).get("name") or "Status")


def _time_zone(context: Mapping[str, Any]) -> ZoneInfo:
    return _zone(_page(context).get("time_zone"))


def _is_maintenance(context: Mapping[str, Any]) -> bool:
    kind = str(context.get("kind", ""))
    incident = context.get("incident") or {}
    return kind.startswith("maintenance.") or incident.get("impact") == "maintenance"


def _update_view(
    update: Mapping[str, Any],
    maintenance: bool,
    zone: ZoneInfo,
    lang: str,
    translated: Mapping[str, Any] | None = None,
) -> UpdateView:
    body = str(update.get("body") or "")
    if translated and (text := translated.get(str(update.get("id")))):
        body = str(text)
    at = _parse_time(update.get("display_at") or update.get("created_at"))
    return UpdateView(
        status=_label("maintenance" if maintenance else "incident", str(update.get("status", ""))),
        when=_format_time(at, zone, lang),
        body_html=render_markdown(body),
        body_text=markdown_to_text(body),
    )


def _newest_update(
    incident: Mapping[str, Any], update_id: Any
) -> tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]:
    """Return the update that caused the event (else the newest) and the earlier ones."""
    updates = [u for u in incident.get("incident_updates") or [] if isinstance(u, Mapping)]
    if not updates:
        return None, []
    index = 0
    if update_id:
        for i, u in enumerate(updates):
            if u.get("id") == update_id:
                index = i
                break
    return updates[index], updates[index + 1 :]


# --------------------------------------------------------------------------- view-model


def build_view(context: Mapping[str, Any], language: str) -> MessageView:
    """Return the view-model of an event in the current (forced) locale."""
    kind = str(context.get("kind", ""))
    page = _page(context)
    page_name = _page_name(context)
    page_url = str(page.get("url") or "")
    zone = _time_zone(context)
    lang = language.replace("_", "-")
    base: dict[str, Any] = {
        "kind": kind,
        "lang": lang,
        "page_name": page_name,
        "page_url": page_url,
        "time_zone": zone.key,
    }
    if kind == CONFIRMATION:
        return MessageView(
            heading=_("Confirm your subscription to %(page)s", page=page_name),
            confirm_url=str(context.get("confirm_url") or ""),
            expiry_note=_("This link expires in %(days)d days.", days=CONFIRM_MAX_AGE.days),
            **base,
        )
    if kind in (PING, BROADCAST_TEST):
        return MessageView(
            heading=_("Test message from %(page)s", page=page_name), url=page_url, **base
        )
    if kind == REMINDER_DUE:
        return _reminder_view(context, base)
    if kind == "component.status_changed":
        component = context.get("component") or {}
        change = context.get("component_update") or {}
        new = str(change.get("new_status") or component.get("status") or "")
        old = str(change.get("old_status") or "")
        name = str(component.get("name") or "")
        return MessageView(
            heading=_(
                "%(component)s is now %(status)s", component=name, status=_label("component", new)
            ),
            name=name,
            url=page_url,
            status=_label("component", new),
            old_status=_label("component", old) if old else "",
            new_status=_label("component", new),
            components=(ComponentView(name, _label("component", new), new),),
            **base,
        )
    incident = context.get("incident")
    if not isinstance(incident, Mapping):
        raise UnsupportedEvent(f"event {kind or '(no kind)'} has no incident to tell about")
    maintenance = _is_maintenance(context)
    latest, earlier = _newest_update(incident, context.get("update_id"))
    status_value = str(incident.get("status") or "")
    if kind == "maintenance.cancelled":
        status = maintenance_status_label(MaintenanceStatus.COMPLETED, cancelled=True)
    else:
        status = _label("maintenance" if maintenance else "incident", status_value)
    components = tuple(
        ComponentView(
            str(c.get("name", "")),
            _label("component", str(c.get("status", ""))),
            str(c.get("status", "")),
        )
        for c in incident.get("components") or []
        if isinstance(c, Mapping)
    )
    window_local = window_utc = ""
    if maintenance:
        start = _parse_time(incident.get("scheduled_for"))
        end = _parse_time(incident.get("scheduled_until"))
        window_local = _window(start, end, zone, language)
        window_utc = _window(start, end, ZoneInfo("UTC"), language)
    name = str(incident.get("name") or "")
    postmortem = str(context.get("postmortem_body") or incident.get("postmortem_body") or "")
    texts, note = _translation(context, language, kind, latest)
    name = str(texts.get("name") or name)
    postmortem = str(texts.get("postmortem_body") or postmortem)
    bodies = texts.get("updates") or {}
    return MessageView(
        heading=_heading(kind, name, status),
        name=name,
        url=str(incident.get("shortlink") or page_url),
        status=status,
        impact=_label("impact", str(incident.get("impact") or "none")),
        latest=_update_view(latest, maintenance, zone, language, bodies) if latest else None,
        earlier=tuple(_update_view(u, maintenance, zone, language, bodies) for u in earlier),
        translation_note=note,
        components=components,
        window_local=window_local,
        window_utc=window_utc,
        postmortem_html=render_markdown(postmortem),
        postmortem_text=markdown_to_text(postmortem),
        **base,
    )


def _translation(
    context: Mapping[str, Any], language: str, kind: str, latest: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any], str]:
    """Return the snapshot's translations into language and a note when the message falls back.

    It falls back when what the message is about (the title, and the update that caused it
    or the postmortem) has no translation into the subscriber's language.
    """
    default = str(context.get("default_language") or "en")
    if _babel_locale(language) == _babel_locale(default) or "default_language" not in context:
        return {}, ""
    every = context.get("translations")
    texts = every.get(_babel_locale(language)) if isinstance(every, Mapping) else None
    texts = texts if isinstance(texts, Mapping) else {}
    bodies = texts.get("updates") or {}
    missing = not texts.get("name")
    if kind == "postmortem.published":
        missing = missing or not texts.get("postmortem_body")
    elif latest is not None and latest.get("body"):
        missing = missing or not bodies.get(str(latest.get("id")))
    if not missing:
        return texts, ""
    from ..i18n import language_name

    note = _(
        "Not available in %(language)s: shown in %(original)s.",
        language=language_name(_babel_locale(language), _babel_locale(language)),
        original=language_name(default, _babel_locale(language)),
    )
    return texts, note


def _reminder_view(context: Mapping[str, Any], base: dict[str, Any]) -> MessageView:
    reminder = context.get("reminder")
    if not isinstance(reminder, Mapping):
        raise UnsupportedEvent("reminder event without a reminder")
    name = str(reminder.get("name") or "")
    status_value = str(reminder.get("status") or "")
    since = _parse_time(reminder.get("since"))
    zone = ZoneInfo(base["time_zone"])
    since_text = _format_time(since, zone, base["lang"].replace("-", "_")) if since else ""
    if reminder.get("type") == "stale_component":
        status = _label("component", status_value)
        heading = _(
            "Reminder: no incident is open for %(component)s (%(status)s)",
            component=name,
            status=status,
        )
        note = _("Not operational since %(since)s.", since=since_text)
    else:
        status = _label("incident", status_value)
        heading = _("Reminder: a public update is due for %(name)s", name=name)
        note = _("Last public update: %(since)s.", since=since_text)
    return MessageView(
        heading=heading,
        name=name,
        url=str(reminder.get("url") or ""),
        status=status,
        expiry_note=note,
        **base,
    )


def _window(start: datetime | None, end: datetime | None, zone: ZoneInfo, language: str) -> str:
    if start is None:
        return ""
    if end is None:
        return _("from %(start)s", start=_format_time(start, zone, language))
    return _(
        "%(start)s to %(end)s",
        start=_format_time(start, zone, language),
        end=_format_time(end, zone, language),
    )


def _heading(kind: str, name: str, status: str) -> str:
    if kind == "maintenance.scheduled":
        return _("Scheduled maintenance: %(name)s", name=name)
    if kind == "maintenance.cancelled":
        return _("Maintenance cancelled: %(name)s", name=name)
    if kind == "maintenance.reminder":
        return _("Reminder: maintenance %(name)s is coming up", name=name)
    if kind == "maintenance.updated":
        return _("Maintenance %(status)s: %(name)s", status=status.lower(), name=name)
    if kind == "postmortem.published":
        return _("Postmortem: %(name)s", name=name)
    return _("%(status)s: %(name)s", status=status, name=name)


# --------------------------------------------------------------------------- email

_TEMPLATES = {
    "incident.created": "incident",
    "incident.updated": "incident",
    "maintenance.scheduled": "maintenance",
    "maintenance.updated": "maintenance",
    "maintenance.cancelled": "maintenance",
    "maintenance.reminder": "maintenance",
    "component.status_changed": "component",
    "postmortem.published": "postmortem",
    CONFIRMATION: "confirm",
    BROADCAST_TEST: "test",
}


def email_theme(app: Flask, context: Mapping[str, Any]) -> str:
    """Return the theme for email: config THEME, then the page's theme, then the default."""
    wanted = app.config.get("THEME") or _page(context).get("theme") or DEFAULT_THEME
    name = safe_theme_name(str(wanted))
    return name if name in available_themes(app) else DEFAULT_THEME


def render_email(
    app: Flask,
    context: Mapping[str, Any],
    language: str,
    *,
    with_manage: bool = True,
    with_unsubscribe: bool = True,
    theme: str | None = None,
) -> EmailContent:
    """Render subject, text and HTML of an event in language (links left as placeholders)."""
    kind = str(context.get("kind", ""))
    stem = _TEMPLATES.get(kind)
    if stem is None:
        raise UnsupportedEvent(f"event {kind or '(no kind)'} is not sent by email")
    theme = theme or email_theme(app, context)
    with app.app_context(), force_locale(language):
        view = build_view(context, language)
        values = {
            "message": view,
            "manage_url": MANAGE_MARK if with_manage else None,
            "unsubscribe_url": UNSUBSCRIBE_MARK if with_unsubscribe else None,
        }
        env = app.jinja_env
        html = env.get_template(themed(f"email/{stem}.html", theme)).render(values)
        text = env.get_template(themed(f"email/{stem}.txt", theme)).render(values)
        subject = _subject(view)
    return EmailContent(subject=subject, text=text.strip() + "\n", html=html, language=view.lang)


def _subject(view: MessageView) -> str:
    if view.kind == CONFIRMATION:
        return view.heading
    return " ".join(f"[{view.page_name}] {view.heading}".split())


# --------------------------------------------------------------------------- SMS and chat


def render_sms(app: Flask, context: Mapping[str, Any], language: str) -> str:
    """Return one short SMS (at most SMS_MAX_CHARS): name, status, link; or the code."""
    with app.app_context(), force_locale(language):
        page = _page_name(context)
        if context.get("kind") == CONFIRMATION:
            text = _(
                "%(page)s: your confirmation code is %(code)s. It expires in %(minutes)d minutes. "
                "If you did not ask for it, ignore this message.",
                page=page,
                minutes=int(SMS_CODE_MAX_AGE.total_seconds() // 60),
                code=str(context.get("code") or ""),
            )
        else:
            view = build_view(context, language)
            text = f"{page}: {view.heading}"
            if view.window_local:
                text += f" ({view.window_local})"
            if view.url:
                # The link goes last and is never cut, so the message always leads somewhere.
                room = SMS_MAX_CHARS - len(view.url) - 1
                text = _shorten(text, room, GSM_ELLIPSIS) + " " + view.url
    return _shorten(text, SMS_MAX_CHARS, GSM_ELLIPSIS)


def render_chat(app: Flask, context: Mapping[str, Any], language: str) -> ChatContent:
    """Return a chat message: title, a short Markdown body and the link."""
    with app.app_context(), force_locale(language):
        page = _page_name(context)
        view = build_view(context, language)
        if view.kind == PING:
            body = _("This endpoint will receive %(page)s updates.", page=page)
        elif view.kind == BROADCAST_TEST:
            body = _("This channel will receive %(page)s updates.", page=page)
        elif view.kind == REMINDER_DUE:
            body = f"**{view.status}**\n\n{view.expiry_note}\n\n{view.url}"
        elif view.kind == CONFIRMATION:
            body = view.confirm_url
        else:
            lines = []
            if view.status:
                lines.append(f"**{view.status}**")
            if view.window_local:
                lines.append(_("Window: %(window)s", window=view.window_local))
            if view.kind == "postmortem.published" and view.postmortem_text:
                lines.append(view.postmortem_text)
            elif view.latest and view.latest.body_text:
                lines.append(view.latest.body_text)
            affected = [f"{c.name}: {c.status}" for c in view.components]
            if affected and view.kind != "component.status_changed":
                lines.append(_("Affected: %(list)s", list=", ".join(affected)))
            body = _shorten("\n\n".join(lines), CHAT_BODY_MAX_CHARS)
            if view.url:
                body += f"\n\n{view.url}"
        title = f"{page}: {view.heading}"
    return ChatContent(title=title, body=body, url=view.url)


def _shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis
