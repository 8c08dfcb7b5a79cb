"""Statuspage Manage API v1 (P1): an incident's postmortem (draft, publish, revert, delete).

Our incidents keep one postmortem text: it is the draft until published, then the
published copy too. So:
- `body` is that text while published (else null); `body_draft` is always that text.
- PUT .../postmortem saves the draft; while published it answers 422 (publish the change,
  or revert first), as the console does.
- PUT .../postmortem/publish publishes the draft, or the `body_draft` it carries;
  `notify_subscribers` (default false) notifies subscribers; `notify_twitter` and
  `custom_tweet` are accepted and ignored.
- DELETE discards an unpublished draft (422 while published) and answers the object as it was.
- `body_updated_at` and `notify_subscribers` come from the audit log of the postmortem.
- An incident without a postmortem answers the object with null fields, not 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.models import AuditEntry
from ..errors import ValidationError
from ..extensions import db
from ..incidents import services as incidents
from ..incidents.models import Incident
from ..maintenance import services as maintenance_services
from . import manage_parse as parse
from .manage_views import _actor, _body, _incident, _json, _user, route
from .v2_format import Json, timestamp

_BODY_CHANGES = ("incident.postmortem", "incident.postmortem_draft")


def _postmortem_incident(incident_id: str) -> Incident:
    if maintenance_services.find_maintenance(incident_id) is not None:
        raise NotFound(
            _(
                "%(id)r is a scheduled maintenance; postmortems belong to incidents.",
                id=incident_id,
            )
        )
    return _incident(incident_id)


def _last_entry(incident: Incident, actions: tuple[str, ...]) -> AuditEntry | None:
    return db.session.scalar(
        sa.select(AuditEntry)
        .where(
            AuditEntry.object_type == "incident",
            AuditEntry.object_id == incident.public_id,
            AuditEntry.action.in_(actions),
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(1)
    )


def manage_postmortem_object(incident: Incident) -> Json:
    """Return an incident's postmortem in Statuspage's postmortem shape."""
    published = incident.postmortem_published_at is not None and bool(incident.postmortem_body)
    changed = _last_entry(incident, _BODY_CHANGES) if incident.postmortem_body else None
    notified = False
    if published:
        publish = _last_entry(incident, ("incident.postmortem",))
        notified = bool(publish is not None and (publish.after or {}).get("notify"))
    return {
        "preview_key": None,
        "body": incident.postmortem_body if published else None,
        "body_draft": incident.postmortem_body,
        "body_updated_at": timestamp(changed.created_at) if changed is not None else None,
        "published_at": timestamp(incident.postmortem_published_at) if published else None,
        "notify_subscribers": notified,
        "notify_twitter": False,
        "custom_tweet": None,
    }


def _answer(incident: Incident) -> Response:
    db.session.refresh(incident)
    return _json(manage_postmortem_object(incident))


def _renamed(error: ValidationError) -> ValidationError:
    # The services call the text `body`; this API calls the text being edited `body_draft`.
    return ValidationError(
        {("body_draft" if k == "body" else k): v for k, v in error.errors.items()}
    )


@route("/pages/<page_id>/incidents/<incident_id>/postmortem", ["GET"])
def get_postmortem(page_id: str, incident_id: str) -> Response:
    """Return the incident's postmortem (draft and published state)."""
    return _json(manage_postmortem_object(_postmortem_incident(incident_id)))


@route("/pages/<page_id>/incidents/<incident_id>/postmortem", ["PUT"])
def save_postmortem(page_id: str, incident_id: str) -> Response:
    """Save the postmortem draft from `body_draft`."""
    user = _user()
    incident = _postmortem_incident(incident_id)
    fields: dict[str, Any] = _body("postmortem")
    draft = parse.as_str(fields, "body_draft")
    if draft is None or not draft.strip():
        raise ValidationError(
            {"body_draft": _("Write the postmortem draft (DELETE discards a draft).")}
        )
    try:
        incidents.save_postmortem_draft(incident, draft, **_actor(user))
    except ValidationError as error:
        raise _renamed(error) from None
    return _answer(incident)


@route("/pages/<page_id>/incidents/<incident_id>/postmortem", ["DELETE"])
def delete_postmortem(page_id: str, incident_id: str) -> Response:
    """Discard an unpublished postmortem draft; answer the object as it was."""
    user = _user()
    incident = _postmortem_incident(incident_id)
    if not incident.postmortem_body:
        raise NotFound(_("Incident %(id)r has no postmortem.", id=incident_id))
    if incident.postmortem_published_at is not None:
        raise ValidationError(
            {"status": _("This postmortem is published: revert it before deleting it.")}
        )
    gone = manage_postmortem_object(incident)
    incidents.save_postmortem_draft(incident, "", **_actor(user))
    return _json(gone)


@route("/pages/<page_id>/incidents/<incident_id>/postmortem/publish", ["PUT"])
def publish_postmortem(page_id: str, incident_id: str) -> Response:
    """Publish the draft (or the body_draft sent) on the public incident page."""
    user = _user()
    incident = _postmortem_incident(incident_id)
    fields = _body("postmortem")
    draft = parse.as_str(fields, "body_draft")
    notify = parse.as_bool(fields, "notify_subscribers", False)
    # Accepted for compatibility; this service posts nothing to Twitter.
    parse.as_bool(fields, "notify_twitter", False)
    parse.as_str(fields, "custom_tweet")
    try:
        incidents.publish_postmortem(
            incident,
            draft if draft is not None else (incident.postmortem_body or ""),
            notify=notify,
            **_actor(user),
        )
    except ValidationError as error:
        raise _renamed(error) from None
    return _answer(incident)


@route("/pages/<page_id>/incidents/<incident_id>/postmortem/revert", ["PUT"])
def revert_postmortem(page_id: str, incident_id: str) -> Response:
    """Take the published postmortem off the public page, keeping it as the draft."""
    user = _user()
    incident = _postmortem_incident(incident_id)
    incidents.revert_postmortem(incident, **_actor(user))
    return _answer(incident)
