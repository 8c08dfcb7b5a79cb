"""Translations of incident content in the console: title, updates, postmortem, templates."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.models import Role
from ..errors import ValidationError
from ..i18n import html_lang, language_in_sentence, language_name, text_direction
from ..incidents import services as incident_services
from ..incidents import template_services
from ..incidents import translations as translation_services
from ..incidents.models import Incident, IncidentStatus, MessageTemplate
from ..markup import render_markdown
from ..public.labels import incident_status_label
from ..themes.render import current_page
from . import bp
from .access import requires
from .forms import ConfirmForm
from .view_support import actor, page_zone, time_text


def _locales() -> list[str]:
    """Return the languages content can be translated into (all but the page default)."""
    default = current_page().default_language
    return [code for code in translation_services.content_languages() if code != default]


def _chosen(locales: list[str]) -> str:
    wanted = request.values.get("locale") or (locales[0] if locales else "")
    if wanted not in locales:
        abort(404)
    return wanted


def _choices(locales: list[str], current: str) -> list[dict[str, object]]:
    return [
        {"code": c, "name": language_name(c), "lang": html_lang(c), "current": c == current}
        for c in locales
    ]


def _incident(incident_id: str) -> Incident:
    incident = incident_services.find_incident(incident_id)
    if incident is None:
        abort(404)
    return incident


@bp.route("/incidents/<incident_id>/translations", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def incident_translations(incident_id: str) -> ResponseReturnValue:
    """Translate an incident's title, each update and the postmortem into one language."""
    incident = _incident(incident_id)
    locales = _locales()
    if not locales:
        abort(404)
    locale = _chosen(locales)
    form = ConfirmForm()
    errors: dict[str, str] = {}
    status = 200
    updates = sorted(incident.updates, key=lambda u: (u.display_at, u.id), reverse=True)
    if request.method == "POST":
        data = translation_services.IncidentTranslationData(
            name=request.form.get("name", ""),
            postmortem_body=request.form.get("postmortem_body", ""),
            updates={u.public_id: request.form.get(f"update-{u.public_id}", "") for u in updates},
        )
        if form.validate_on_submit():
            try:
                translation_services.save_incident_translations(
                    incident,
                    locale,
                    name=data.name,
                    postmortem_body=data.postmortem_body if incident.postmortem_body else None,
                    updates=data.updates,
                    **actor(),
                )
            except ValidationError as exc:
                errors = dict(exc.errors)
            else:
                flash(
                    _(
                        "The %(language)s translation is saved.",
                        language=language_in_sentence(locale),
                    ),
                    "success",
                )
                return redirect(
                    url_for("admin.incident_translations", incident_id=incident_id, locale=locale)
                )
        else:
            errors = {"form": " ".join(form.form_errors) or _("The form expired; send it again.")}
        status = 400
    else:
        data = translation_services.incident_translation_form(incident, locale)
    when = time_text(page_zone())
    return render_template(
        "admin/incidents/translations.html",
        incident=incident,
        updates=[
            {
                "public_id": u.public_id,
                "status": incident_status_label(IncidentStatus(u.status)),
                "when": when(u.display_at),
                "original": render_markdown(u.body),
                "text": data.updates.get(u.public_id, ""),
            }
            for u in updates
        ],
        data=data,
        errors=errors,
        form=form,
        locale=locale,
        lang=html_lang(locale),
        dir=text_direction(locale),
        language=language_in_sentence(locale),
        default_language=language_in_sentence(current_page().default_language),
        choices=_choices(locales, locale),
        postmortem_html=render_markdown(incident.postmortem_body or ""),
        max_name=translation_services.MAX_NAME_LENGTH,
        max_body=translation_services.MAX_BODY_LENGTH,
        max_postmortem=translation_services.MAX_POSTMORTEM_LENGTH,
    ), status


def _template(template_id: str) -> MessageTemplate:
    template = template_services.find_template(template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/templates/<template_id>/translations", methods=["GET", "POST"])
@requires(Role.COMMUNICATOR)
def template_translations(template_id: str) -> ResponseReturnValue:
    """Translate a message template's title and body into one language."""
    template = _template(template_id)
    locales = _locales()
    if not locales:
        abort(404)
    locale = _chosen(locales)
    form = ConfirmForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
        if form.validate_on_submit():
            try:
                translation_services.set_template_translation(
                    template, locale, title=data["title"], body=data["body"], **actor()
                )
            except ValidationError as exc:
                errors = dict(exc.errors)
            else:
                flash(
                    _(
                        "The %(language)s translation is saved.",
                        language=language_in_sentence(locale),
                    ),
                    "success",
                )
                return redirect(
                    url_for("admin.template_translations", template_id=template_id, locale=locale)
                )
        else:
            errors = {"form": " ".join(form.form_errors) or _("The form expired; send it again.")}
        status = 400
    else:
        data = translation_services.template_translation_form(template, locale)
    return render_template(
        "admin/templates/translations.html",
        template=template,
        data=data,
        errors=errors,
        form=form,
        locale=locale,
        lang=html_lang(locale),
        dir=text_direction(locale),
        language=language_in_sentence(locale),
        default_language=language_in_sentence(current_page().default_language),
        choices=_choices(locales, locale),
        original_html=render_markdown(template.body or ""),
        max_name=translation_services.MAX_NAME_LENGTH,
        max_body=translation_services.MAX_BODY_LENGTH,
    ), status
