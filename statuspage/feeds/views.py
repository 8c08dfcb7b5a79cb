"""Feed and badge routes: read, build, answer (public.cache adds ETag and caching)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import Response, abort, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from ..clock import utcnow
from ..components.queries import find_visible_component, visible_component_tree
from ..components.rollup import indicator_description, page_indicator
from ..i18n import available_locales, reader_languages
from ..incidents.queries import open_incidents, recent_incidents
from ..incidents.translations import localize_incidents
from ..maintenance.models import MaintenanceStatus
from ..maintenance.queries import (
    current_and_upcoming,
    maintenance_edits,
    maintenance_ending_after,
    recent_maintenance,
)
from ..public.formatting import datetime_text
from ..public.labels import (
    component_status_label,
    incident_status_label,
    maintenance_status_label,
)
from ..public.pages import fallback_note
from ..themes.render import current_page
from . import bp
from .badges import badge_svg, impact_color, status_color
from .build import (
    FeedEntry,
    FeedFormat,
    FeedMeta,
    Labels,
    build_calendar,
    build_feed,
    calendar_event,
    incident_entry,
    maintenance_entry,
    newest,
)

FEED_LIMIT = 50
CALENDAR_PAST_DAYS = 30
MIMETYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def _absolute(path: str) -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def _lang_query() -> str:
    """Return "?lang=xx" when the request chose a language we have, else ""."""
    # An unknown ?lang= is not an error: the feed falls back like the pages do.
    lang = request.args.get("lang")
    return f"?{urlencode({'lang': lang})}" if lang in available_locales() else ""


def _feed_language() -> str:
    """Return the feed's language as a language tag ("pt-BR", not Babel's "pt_BR")."""
    return str(get_locale() or "en").replace("_", "-")


def _cached(body: bytes | str, mimetype: str) -> Response:
    # ETag, 304, Cache-Control and Vary are added for every public response by public.cache.
    data = body.encode() if isinstance(body, str) else body
    return Response(data, content_type=f"{mimetype}; charset=utf-8")


def _cancelled_title(name: str) -> str:
    return _("Cancelled: %(name)s", name=name)


def _entries(component_id: int | None) -> list[FeedEntry]:
    zone = current_page().zone
    labels = Labels(
        incident_status_label,
        maintenance_status_label,
        lambda at: datetime_text(at, zone),
        maintenance_cancelled=maintenance_status_label(MaintenanceStatus.COMPLETED, True),
        cancelled_title=_cancelled_title,
    )
    # Links keep the feed's language; ids stay the same in every language.
    lang = _lang_query()
    entries = [
        incident_entry(
            i,
            _absolute(f"/incidents/{i.public_id}") + lang,
            labels,
            _absolute(f"/incidents/{i.public_id}"),
            note=fallback_note(i),
        )
        for i in localize_incidents(recent_incidents(FEED_LIMIT, component_id), *reader_languages())
    ]
    entries += [
        maintenance_entry(
            m,
            _absolute(f"/maintenance/{m.public_id}") + lang,
            labels,
            _absolute(f"/maintenance/{m.public_id}"),
        )
        for m in recent_maintenance(FEED_LIMIT, component_id)
    ]
    return newest(entries, FEED_LIMIT)


def _feed(fmt: FeedFormat) -> Response:
    name = current_page().name
    meta = FeedMeta(
        id=_absolute("/"),
        title=_("%(name)s: incident history", name=name),
        subtitle=_("Incidents and maintenance of %(name)s", name=name),
        page_link=_absolute("/") + _lang_query(),
        self_link=_absolute(f"/history.{fmt}") + _lang_query(),
        language=_feed_language(),
        author=name,
    )
    return _cached(build_feed(meta, _entries(None), fmt), MIMETYPES[fmt])


@bp.get("/history.rss")
def history_rss() -> Response:
    """Serve incidents and maintenance as RSS 2.0."""
    return _feed("rss")


@bp.get("/history.atom")
def history_atom() -> Response:
    """Serve incidents and maintenance as Atom."""
    return _feed("atom")


@bp.get("/components/<public_id>/history.atom")
def component_atom(public_id: str) -> Response:
    """Serve one visible component's incidents and maintenance as Atom."""
    component = find_visible_component(public_id)
    if component is None:
        abort(404)
    name = current_page().name
    feed_url = _absolute(f"/components/{component.public_id}/history.atom")
    self_link = feed_url + _lang_query()
    meta = FeedMeta(
        id=feed_url,
        title=_("%(name)s: %(component)s history", name=name, component=component.name),
        subtitle=_("Incidents and maintenance affecting %(component)s", component=component.name),
        page_link=_absolute(f"/uptime?component={component.public_id}")
        + _lang_query().replace("?", "&"),
        self_link=self_link,
        language=_feed_language(),
        author=name,
    )
    return _cached(build_feed(meta, _entries(component.id), "atom"), MIMETYPES["atom"])


@bp.get("/maintenance.ics")
def maintenance_ics() -> Response:
    """Serve upcoming and recent maintenance as an iCalendar file."""
    windows = maintenance_ending_after(utcnow() - timedelta(days=CALENDAR_PAST_DAYS))
    edits = maintenance_edits([m.public_id for m in windows])
    host = urlsplit(_absolute("/")).hostname or "localhost"
    label = _("Components")
    events = [
        calendar_event(
            m,
            edits.get(m.public_id),
            _absolute(f"/maintenance/{m.public_id}"),
            host,
            label,
            _cancelled_title,
        )
        for m in windows
    ]
    name = _("%(name)s: maintenance", name=current_page().name)
    return _cached(build_calendar(name, events), "text/calendar")


@bp.get("/badge.svg")
def badge() -> Response:
    """Serve the page's overall status as an SVG badge."""
    # The same rule and inputs as the status page's headline (components.rollup).
    in_progress, _upcoming = current_and_upcoming(utcnow())
    indicator = page_indicator(
        visible_component_tree().components, open_incidents(), bool(in_progress)
    )
    label = current_page().name or "status"
    svg = badge_svg(label, indicator_description(indicator), impact_color(indicator))
    return _cached(svg, "image/svg+xml")


@bp.get("/components/<public_id>/badge.svg")
def component_badge(public_id: str) -> Response:
    """Serve a visible component's status as an SVG badge."""
    component = find_visible_component(public_id)
    if component is None:
        abort(404)
    svg = badge_svg(
        component.name, component_status_label(component.status), status_color(component.status)
    )
    return _cached(svg, "image/svg+xml")
