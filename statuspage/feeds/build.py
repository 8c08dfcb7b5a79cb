"""Build RSS, Atom and iCalendar documents from read models (pure, no I/O).

Calendar SEQUENCE rule: a window starts at 0 and gains 1 for every edit
recorded in the audit log (`maintenance.edit`: times, wording, components)
and 1 for every update posted after the scheduling announcement (start,
verify, complete, cancel, messages). Both only ever grow, so calendar clients
see a higher SEQUENCE whenever the window changed; the same data always gives
the same number.

A cancelled window keeps its UID and gets STATUS:CANCELLED (its cancellation
update raised SEQUENCE by one), so calendars strike out or drop the event they
already have; every other window is STATUS:CONFIRMED. In RSS and Atom a
cancelled window's title says so, and its cancellation update is labelled
"Cancelled".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import icalendar
from feedgen.feed import FeedGenerator
from lxml import etree  # feedgen's own XML library, already there with it
from markupsafe import Markup, escape

from ..incidents.models import IncidentStatus
from ..incidents.queries import IncidentRead
from ..maintenance.models import MaintenanceStatus
from ..maintenance.queries import MaintenanceEdits, MaintenanceRead
from ..markup import markdown_to_text, render_markdown

FeedFormat = Literal["rss", "atom"]
ATOM_NS = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A feed with no entry still needs an `updated`: a fixed instant keeps its ETag stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EntryUpdate:
    """One update shown inside a feed entry."""

    status_label: str
    at: datetime
    time_text: str
    body_html: Markup
    body_text: str


@dataclass(frozen=True)
class FeedEntry:
    """One incident or maintenance window as a feed entry."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    updates: tuple[EntryUpdate, ...]
    # Set when the entry is not in the feed's language: the language it is in (a tag, e.g.
    # "en") and a sentence saying so, shown first in its content.
    language: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FeedMeta:
    """What describes a feed as a whole."""

    id: str
    title: str
    subtitle: str
    page_link: str
    self_link: str
    language: str
    author: str


@dataclass(frozen=True)
class CalendarEvent:
    """One maintenance window as a calendar event."""

    uid: str
    summary: str
    description: str
    url: str
    start: datetime
    end: datetime
    stamp: datetime
    sequence: int
    cancelled: bool = False


@dataclass(frozen=True)
class Labels:
    """Translated wording the builders need, given by the caller."""

    incident_status: Callable[[IncidentStatus], str]
    maintenance_status: Callable[[MaintenanceStatus], str]
    time_text: Callable[[datetime], str]
    # The status label of a cancelled window's cancellation update, and its entry title.
    maintenance_cancelled: str = "Cancelled"
    cancelled_title: Callable[[str], str] = "Cancelled: {}".format


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _entry(
    entry_id: str, title: str, link: str, published: datetime, updates: tuple[EntryUpdate, ...]
) -> FeedEntry:
    latest = updates[0] if updates else None
    return FeedEntry(
        id=entry_id,
        title=title,
        link=link,
        published=_utc(published),
        updated=_utc(max((u.at for u in updates), default=published)),
        summary=f"{latest.status_label}: {latest.body_text}" if latest else title,
        updates=updates,
    )


def incident_entry(
    incident: IncidentRead,
    link: str,
    labels: Labels,
    entry_id: str | None = None,
    note: str | None = None,
) -> FeedEntry:
    """Return an incident as a feed entry: its updates newest first (id defaults to link)."""
    updates = tuple(
        EntryUpdate(
            labels.incident_status(u.status),
            _utc(u.display_at),
            labels.time_text(u.display_at),
            render_markdown(u.body),
            markdown_to_text(u.body),
        )
        for u in incident.updates
    )
    entry = _entry(entry_id or link, incident.name, link, incident.started_at, updates)
    if note:
        language = (incident.language or "").replace("_", "-") or None
        entry = dataclasses.replace(entry, language=language, note=note)
    return entry


def maintenance_entry(
    m: MaintenanceRead, link: str, labels: Labels, entry_id: str | None = None
) -> FeedEntry:
    """Return a maintenance window as a feed entry: its updates newest first (id: link)."""
    updates = tuple(
        EntryUpdate(
            labels.maintenance_cancelled if u.cancelled else labels.maintenance_status(u.status),
            _utc(u.display_at),
            labels.time_text(u.display_at),
            render_markdown(u.body),
            markdown_to_text(u.body),
        )
        for u in m.updates
    )
    title = labels.cancelled_title(m.name) if m.cancelled else m.name
    return _entry(entry_id or link, title, link, m.scheduled_for, updates)


def newest(entries: Sequence[FeedEntry], limit: int) -> list[FeedEntry]:
    """Return the `limit` entries that started last, latest first (ties by id)."""
    return sorted(entries, key=lambda e: (e.published, e.id), reverse=True)[:limit]


def entry_html(entry: FeedEntry) -> str:
    """Return an entry's content: each update's status, time and sanitized body."""
    parts = [
        Markup("<p><strong>{}</strong> &#8212; {}</p>\n{}").format(
            u.status_label, u.time_text, u.body_html
        )
        for u in entry.updates
    ]
    if entry.note:
        parts.insert(0, Markup("<p><em>{}</em></p>").format(entry.note))
    return str(Markup("\n").join(parts)) if parts else str(escape(entry.title))


def build_feed(meta: FeedMeta, entries: Sequence[FeedEntry], fmt: FeedFormat) -> bytes:
    """Return the entries as an RSS 2.0 or Atom 1.0 document, entries in the given order."""
    fg = FeedGenerator()
    fg.id(meta.id)
    fg.title(meta.title)
    fg.subtitle(meta.subtitle)
    fg.author({"name": meta.author})
    # feedgen takes RSS's <link> from the last link given: the page, not the feed itself.
    fg.link(href=meta.self_link, rel="self")
    fg.link(href=meta.page_link, rel="alternate")
    fg.language(meta.language)
    fg.generator("statuspage")
    fg.updated(max((e.updated for e in entries), default=EPOCH))
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.guid(entry.id, permalink=True)
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.updated)
        fe.summary(entry.summary)
        fe.content(entry_html(entry), type="CDATA" if fmt == "rss" else "html")
    if fmt == "rss":
        rss: bytes = fg.rss_str(pretty=True)
        return rss
    data: bytes = fg.atom_str(pretty=True)
    marked = {e.id: e.language for e in entries if e.language and e.language != meta.language}
    return _mark_languages(data, marked) if marked else data


def _mark_languages(atom: bytes, languages: dict[str, str]) -> bytes:
    """Set xml:lang on the Atom entries (by id) whose content is in another language."""
    root = etree.fromstring(atom, parser=etree.XMLParser(resolve_entities=False))  # noqa: S320
    for entry in root.iterfind(f"{ATOM_NS}entry"):
        language = languages.get(entry.findtext(f"{ATOM_NS}id") or "")
        if language:
            entry.set(XML_LANG, language)
    out: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return out


def sequence(m: MaintenanceRead, edits: MaintenanceEdits | None) -> int:
    """Return the window's SEQUENCE by the rule in this module's docstring."""
    return (edits.count if edits else 0) + max(len(m.updates) - 1, 0)


def calendar_event(
    m: MaintenanceRead,
    edits: MaintenanceEdits | None,
    url: str,
    host: str,
    components_label: str,
    cancelled_title: Callable[[str], str] | None = None,
) -> CalendarEvent:
    """Return a maintenance window as a calendar event (cancelled_title names a cancelled one)."""
    # DTSTAMP / LAST-MODIFIED: the last published change (an update or a recorded edit).
    stamps = [u.display_at for u in m.updates]
    if edits and edits.last_at:
        stamps.append(edits.last_at)
    latest = m.updates[0] if m.updates else None
    lines = []
    if m.components:
        lines.append(f"{components_label}: {', '.join(c.name for c in m.components)}")
    if latest and latest.body:
        lines.append(markdown_to_text(latest.body))
    lines.append(url)
    return CalendarEvent(
        uid=f"{m.public_id}@{host}",
        # Not every calendar shows STATUS: the title says it too.
        summary=cancelled_title(m.name) if m.cancelled and cancelled_title else m.name,
        description="\n\n".join(lines),
        url=url,
        start=_utc(m.scheduled_for),
        end=_utc(m.scheduled_until),
        stamp=max((_utc(s) for s in stamps), default=EPOCH),
        sequence=sequence(m, edits),
        cancelled=m.cancelled,
    )


def build_calendar(name: str, events: Sequence[CalendarEvent]) -> bytes:
    """Return the events as an iCalendar (RFC 5545) document."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//statuspage//maintenance//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        ev = icalendar.Event()
        ev.add("uid", event.uid)
        ev.add("dtstamp", event.stamp)
        ev.add("last-modified", event.stamp)
        ev.add("dtstart", event.start)
        ev.add("dtend", event.end)
        ev.add("summary", event.summary)
        ev.add("description", event.description)
        ev.add("url", event.url)
        ev.add("sequence", event.sequence)
        ev.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
