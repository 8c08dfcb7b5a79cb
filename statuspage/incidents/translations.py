"""Translated incident content: set and remove translations, and pick one for a reader.

The communicator writes an incident, its updates, its postmortem and message templates in
the page's default language; translations into the other page languages are optional. A
reader in another language gets the translation where there is one and the original
otherwise, and is told so (`Localized.is_fallback`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from .models import (
    Incident,
    IncidentTranslation,
    IncidentUpdate,
    IncidentUpdateTranslation,
    MessageTemplate,
    MessageTemplateTranslation,
)
from .queries import IncidentRead, IncidentUpdateRead

# The same limits as the originals (incidents.services, template_services).
MAX_NAME_LENGTH = 255
MAX_BODY_LENGTH = 20_000
MAX_POSTMORTEM_LENGTH = 100_000


class Localized(NamedTuple):
    """A text as one reader sees it: the text, its language, whether it is the fallback."""

    text: str
    locale: str
    is_fallback: bool


def pick(original: str, translated: str | None, reader: str, default: str) -> Localized:
    """Return the translation for reader when there is one, else the original (a fallback)."""
    if reader == default or not original:
        return Localized(original, default, False)
    if translated:
        return Localized(translated, reader, False)
    return Localized(original, default, True)


def content_languages() -> list[str]:
    """Return the languages content may be translated into (every page language)."""
    return list(current_app.config["LANGUAGES"])


# --------------------------------------------------------------------------- services


def _check_locale(errors: dict[str, str], locale: str, default: str) -> str:
    locale = (locale or "").strip()
    if locale not in content_languages():
        errors["locale"] = _("%(locale)s is not one of the page's languages.", locale=locale)
    elif locale == default:
        errors["locale"] = _(
            "%(locale)s is the page's default language: edit the original text instead.",
            locale=locale,
        )
    return locale


def _check_text(errors: dict[str, str], field: str, value: str | None, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(count)d characters.", count=limit)
    return text or None


def _default_language() -> str:
    from ..themes.render import current_page

    return current_page().default_language


def set_incident_translation(
    incident: Incident,
    locale: str,
    *,
    name: str | None,
    postmortem_body: str | None = None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentTranslation | None:
    """Set (or, when both are blank, remove) an incident's title and postmortem in locale."""
    errors: dict[str, str] = {}
    locale = _check_locale(errors, locale, _default_language())
    name = _check_text(errors, "name", name, MAX_NAME_LENGTH)
    postmortem = _check_text(errors, "postmortem_body", postmortem_body, MAX_POSTMORTEM_LENGTH)
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        row = _find(
            session, IncidentTranslation, IncidentTranslation.incident_id, incident.id, locale
        )
        before = {"name": row.name, "postmortem_body": row.postmortem_body} if row else None
        if name is None and postmortem is None:
            if row is not None:
                session.delete(row)
            row = None
        else:
            if row is None:
                row = IncidentTranslation(incident_id=incident.id, locale=locale)
                session.add(row)
            row.name, row.postmortem_body = name, postmortem
        after = {"name": name, "postmortem_body": postmortem} if row else None
        record(
            actor,
            "incident.translate",
            "incident",
            incident.public_id,
            before,
            after and {"locale": locale, **after},
            actor_id=actor_id,
        )
        session.flush()
    return row


def set_update_translation(
    update: IncidentUpdate,
    locale: str,
    body: str | None,
    *,
    actor: str = "cli",
    actor_id: int | None = None,
) -> IncidentUpdateTranslation | None:
    """Set (or, when blank, remove) an update's message in locale."""
    errors: dict[str, str] = {}
    locale = _check_locale(errors, locale, _default_language())
    text = _check_text(errors, "body", body, MAX_BODY_LENGTH)
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        row = _find(
            session,
            IncidentUpdateTranslation,
            IncidentUpdateTranslation.update_id,
            update.id,
            locale,
        )
        before = {"body": row.body} if row else None
        if text is None:
            if row is not None:
                session.delete(row)
            row = None
        else:
            if row is None:
                row = IncidentUpdateTranslation(update_id=update.id, locale=locale)
                session.add(row)
            row.body = text
        record(
            actor,
            "incident.translate_update",
            "incident",
            update.incident.public_id,
            before,
            {"locale": locale, "update": update.public_id, "body": text},
            actor_id=actor_id,
        )
        session.flush()
    return row


def set_template_translation(
    template: MessageTemplate,
    locale: str,
    *,
    title: str | None,
    body: str | None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> MessageTemplateTranslation | None:
    """Set (or, when both are blank, remove) a message template's title and body in locale."""
    errors: dict[str, str] = {}
    locale = _check_locale(errors, locale, _default_language())
    title = _check_text(errors, "title", title, MAX_NAME_LENGTH)
    text = _check_text(errors, "body", body, MAX_BODY_LENGTH)
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        row = _find(
            session,
            MessageTemplateTranslation,
            MessageTemplateTranslation.template_id,
            template.id,
            locale,
        )
        before = {"title": row.title, "body": row.body} if row else None
        if title is None and text is None:
            if row is not None:
                session.delete(row)
            row = None
        else:
            if row is None:
                row = MessageTemplateTranslation(template_id=template.id, locale=locale)
                session.add(row)
            row.title, row.body = title, text
        record(
            actor,
            "template.translate",
            "template",
            template.public_id,
            before,
            {"locale": locale, "title": title, "body": text},
            actor_id=actor_id,
        )
        session.flush()
    return row


def _find(session: Any, model: Any, column: Any, parent_id: int, locale: str) -> Any:
    return session.scalar(sa.select(model).where(column == parent_id, model.locale == locale))


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass(frozen=True)
class IncidentTexts:
    """An incident's translations in one language, keyed by public ids (for snapshots)."""

    name: str | None = None
    postmortem_body: str | None = None
    updates: Mapping[str, str] = dataclasses.field(default_factory=dict)


def incident_texts(incident_ids: Sequence[int], locale: str) -> dict[int, IncidentTexts]:
    """Return the translations of these incidents in locale (two statements)."""
    ids = list(dict.fromkeys(incident_ids))
    if not ids:
        return {}
    heads = {
        row.incident_id: row
        for row in db.session.scalars(
            sa.select(IncidentTranslation).where(
                IncidentTranslation.incident_id.in_(ids), IncidentTranslation.locale == locale
            )
        )
    }
    bodies: dict[int, dict[str, str]] = {}
    for incident_id, public_id, body in db.session.execute(
        sa.select(
            IncidentUpdate.incident_id, IncidentUpdate.public_id, IncidentUpdateTranslation.body
        )
        .join(IncidentUpdateTranslation, IncidentUpdateTranslation.update_id == IncidentUpdate.id)
        .where(IncidentUpdate.incident_id.in_(ids), IncidentUpdateTranslation.locale == locale)
    ):
        bodies.setdefault(incident_id, {})[public_id] = body
    return {
        i: IncidentTexts(
            name=heads[i].name if i in heads else None,
            postmortem_body=heads[i].postmortem_body if i in heads else None,
            updates=bodies.get(i, {}),
        )
        for i in ids
        if i in heads or i in bodies
    }


def snapshot_texts(incident_id: int) -> dict[str, dict[str, Any]]:
    """Return every translation of an incident as JSON by locale, for the outbox (2 statements).

    {"de": {"name": ..., "postmortem_body": ..., "updates": {update public id: body}}}
    """
    out: dict[str, dict[str, Any]] = {}
    for row in db.session.scalars(
        sa.select(IncidentTranslation).where(IncidentTranslation.incident_id == incident_id)
    ):
        out[row.locale] = {"name": row.name, "postmortem_body": row.postmortem_body, "updates": {}}
    for locale, public_id, body in db.session.execute(
        sa.select(
            IncidentUpdateTranslation.locale,
            IncidentUpdate.public_id,
            IncidentUpdateTranslation.body,
        )
        .join(IncidentUpdate, IncidentUpdateTranslation.update_id == IncidentUpdate.id)
        .where(IncidentUpdate.incident_id == incident_id)
    ):
        out.setdefault(locale, {"updates": {}})["updates"][public_id] = body
    return out


def _localize_update(
    update: IncidentUpdateRead, texts: IncidentTexts, reader: str, default: str
) -> IncidentUpdateRead:
    body = pick(update.body, texts.updates.get(update.public_id), reader, default)
    return dataclasses.replace(
        update, body=body.text, language=body.locale, is_fallback=body.is_fallback
    )


def localize_incidents(
    incidents: Sequence[IncidentRead], reader: str, default: str
) -> list[IncidentRead]:
    """Return the incidents as a reader in `reader` sees them (3 statements, none if default)."""
    if reader == default or not incidents:
        return [dataclasses.replace(i, language=default) for i in incidents]
    rows = db.session.execute(
        sa.select(Incident.public_id, Incident.id).where(
            Incident.public_id.in_([i.public_id for i in incidents])
        )
    )
    ids: dict[str, int] = {public_id: key for public_id, key in rows}
    texts = incident_texts(list(ids.values()), reader)
    out = []
    for incident in incidents:
        mine = texts.get(ids.get(incident.public_id, -1), IncidentTexts())
        name = pick(incident.name, mine.name, reader, default)
        postmortem = pick(incident.postmortem_body or "", mine.postmortem_body, reader, default)
        updates = tuple(_localize_update(u, mine, reader, default) for u in incident.updates)
        shown_postmortem = incident.postmortem_published and postmortem.is_fallback
        fallback = name.is_fallback or shown_postmortem or any(u.is_fallback for u in updates)
        out.append(
            dataclasses.replace(
                incident,
                name=name.text,
                postmortem_body=postmortem.text or incident.postmortem_body,
                updates=updates,
                language=name.locale,
                is_fallback=fallback,
                asked_language=reader,
            )
        )
    return out


def localize_incident(incident: IncidentRead, reader: str, default: str) -> IncidentRead:
    """Return one incident as a reader in `reader` sees it."""
    return localize_incidents([incident], reader, default)[0]


def save_incident_translations(
    incident: Incident,
    locale: str,
    *,
    name: str | None,
    postmortem_body: str | None,
    updates: Mapping[str, str | None],
    actor: str = "cli",
    actor_id: int | None = None,
) -> None:
    """Set an incident's title, postmortem and update messages in locale, all or nothing.

    updates maps an update's public id to its translated message; a blank text removes
    that translation. Errors name the field ("name", "postmortem_body", "update-<id>").
    """
    errors: dict[str, str] = {}
    _check_locale(errors, locale, _default_language())
    _check_text(errors, "name", name, MAX_NAME_LENGTH)
    _check_text(errors, "postmortem_body", postmortem_body, MAX_POSTMORTEM_LENGTH)
    by_id = {u.public_id: u for u in incident.updates}
    for public_id, body in updates.items():
        if public_id not in by_id:
            errors[f"update-{public_id}"] = _("This update is not part of the incident.")
        else:
            _check_text(errors, f"update-{public_id}", body, MAX_BODY_LENGTH)
    if errors:
        raise ValidationError(errors)
    with unit_of_work():
        set_incident_translation(
            incident,
            locale,
            name=name,
            postmortem_body=postmortem_body,
            actor=actor,
            actor_id=actor_id,
        )
        for public_id, body in updates.items():
            set_update_translation(by_id[public_id], locale, body, actor=actor, actor_id=actor_id)


@dataclasses.dataclass(frozen=True)
class IncidentTranslationData:
    """What the console's translation form of an incident holds for one language."""

    name: str
    postmortem_body: str
    updates: dict[str, str]


def incident_translation_form(incident: Incident, locale: str) -> IncidentTranslationData:
    """Return the saved translations of an incident in locale, as the console form's data."""
    head = next((t for t in incident.translations if t.locale == locale), None)
    return IncidentTranslationData(
        name=head.name if head and head.name else "",
        postmortem_body=head.postmortem_body if head and head.postmortem_body else "",
        updates={
            u.public_id: next((t.body for t in u.translations if t.locale == locale), "")
            for u in incident.updates
        },
    )


def template_translation_form(template: MessageTemplate, locale: str) -> dict[str, str]:
    """Return the saved translation of a template in locale, as the console form's data."""
    row = next((t for t in template.translations if t.locale == locale), None)
    return {"title": (row.title or "") if row else "", "body": (row.body or "") if row else ""}


def check_publish_translations(
    errors: dict[str, str], translations: Mapping[str, Mapping[str, str | None]] | None
) -> dict[str, dict[str, str]]:
    """Validate translations given with a new incident or update: {locale: {name?, body}}.

    Return only the non-blank texts; errors are keyed "translation-<field>-<locale>".
    """
    if not translations:
        return {}
    default = _default_language()
    out: dict[str, dict[str, str]] = {}
    for locale, fields in translations.items():
        local: dict[str, str] = {}
        _check_locale(local, locale, default)
        if local:
            errors[f"translation-{locale}"] = local["locale"]
            continue
        texts: dict[str, str] = {}
        for field, limit in (("name", MAX_NAME_LENGTH), ("body", MAX_BODY_LENGTH)):
            if field not in fields:
                continue
            text = _check_text(local, field, fields[field], limit)
            if field in local:
                errors[f"translation-{field}-{locale}"] = local[field]
            elif text:
                texts[field] = text
        if texts:
            out[locale] = texts
    return out


def write_publish_translations(
    incident: Incident,
    update: IncidentUpdate,
    checked: Mapping[str, Mapping[str, str]],
    *,
    actor: str,
    actor_id: int | None,
) -> None:
    """Store the checked translations of a new incident or update (inside its unit of work)."""
    for locale, texts in checked.items():
        if texts.get("name"):
            set_incident_translation(
                incident,
                locale,
                name=texts["name"],
                postmortem_body=_postmortem_of(incident, locale),
                actor=actor,
                actor_id=actor_id,
            )
        if texts.get("body"):
            set_update_translation(update, locale, texts["body"], actor=actor, actor_id=actor_id)


def _postmortem_of(incident: Incident, locale: str) -> str | None:
    row = db.session.scalar(
        sa.select(IncidentTranslation).where(
            IncidentTranslation.incident_id == incident.id, IncidentTranslation.locale == locale
        )
    )
    return row.postmortem_body if row else None
