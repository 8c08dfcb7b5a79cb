"""Use cases behind the support view: the approved customer wording and ETA of an incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..db import unit_of_work
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Incident
from ..internal.models import InternalIncident
from ..subscribers.services import parse_language
from .models import ApprovedWording, SupportNote

MAX_WORDING = 5000
MAX_LOCALES = 30


def note_of(incident: Incident | InternalIncident) -> SupportNote | None:
    """Return the support note of a public or internal incident, if it has one."""
    column = (
        SupportNote.incident_id
        if isinstance(incident, Incident)
        else SupportNote.internal_incident_id
    )
    return db.session.scalar(sa.select(SupportNote).where(column == incident.id))


def _snapshot(note: SupportNote | None) -> dict[str, Any]:
    if note is None:
        return {"wording": {}, "expected_resolution_at": None}
    eta = note.expected_resolution_at
    return {
        "wording": {w.locale: w.body for w in note.wordings},
        "expected_resolution_at": eta.isoformat() if eta else None,
    }


def _clean_wording(wording: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    result: dict[str, str] = {}
    for raw_locale, raw_body in wording.items():
        body = (raw_body or "").strip()
        try:
            locale = parse_language(raw_locale)
        except ValidationError:
            errors["wording"] = _(
                "%(code)s is not a language code like en or pt_BR.", code=raw_locale
            )
            continue
        if locale is None:
            if body:
                errors["wording"] = _("Say which language each translation is in.")
            continue
        if locale in result and body:
            errors["wording"] = _("There are two texts for %(code)s; keep one.", code=locale)
            continue
        if len(body) > MAX_WORDING:
            errors["wording"] = _(
                "The text for %(code)s is longer than %(n)d characters.", code=locale, n=MAX_WORDING
            )
            continue
        if body:
            result[locale] = body
    if len(result) > MAX_LOCALES:
        errors["wording"] = _("Keep at most %(n)d languages.", n=MAX_LOCALES)
    if errors:
        raise ValidationError(errors)
    return result


def save_note(
    incident: Incident | InternalIncident,
    *,
    wording: Mapping[str, str],
    expected_resolution_at: datetime | None,
    actor: str = "cli",
    actor_id: int | None = None,
) -> SupportNote | None:
    """Set what support tells customers (text per locale; blank removes one) and the ETA."""
    if expected_resolution_at is not None and expected_resolution_at.tzinfo is None:
        raise ValidationError({"expected_resolution_at": _("Give the time with its time zone.")})
    texts = _clean_wording(wording)
    with unit_of_work() as session:
        note = note_of(incident)
        before = _snapshot(note)
        if note is None:
            if not texts and expected_resolution_at is None:
                return None
            note = SupportNote(updated_by=actor)
            if isinstance(incident, Incident):
                note.incident_id = incident.id
            else:
                note.internal_incident_id = incident.id
            session.add(note)
        note.expected_resolution_at = expected_resolution_at
        for existing in list(note.wordings):
            if existing.locale not in texts:
                note.wordings.remove(existing)
            elif existing.body != texts[existing.locale]:
                existing.body = texts[existing.locale]
                existing.updated_by = actor
        have = {w.locale for w in note.wordings}
        for locale, body in texts.items():
            if locale not in have:
                note.wordings.append(ApprovedWording(locale=locale, body=body, updated_by=actor))
        after = _snapshot(note)
        if after != before:
            note.updated_by = actor
            kind = "incident" if isinstance(incident, Incident) else "internal_incident"
            record(
                actor,
                "support_note.update",
                kind,
                incident.public_id,
                before,
                after,
                actor_id=actor_id,
            )
    return note
