"""Export the public site to a directory of static files, through the app itself.

Every file is the body the app serves for its URL (fetched with Flask's test
client), so the copy matches the live site; HTML pages only get the link
rewrites of ``crawl`` (pagination paths, language prefixes).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect, Rule

from ..public.cache import EXTENSION_KEY as PUBLIC_CACHE_KEY
from . import crawl
from .crawl import Target
from .writer import StagedDirectory, WriteError

log = logging.getLogger("statuspage.export")

# Blueprints whose GET routes make up the public site (embed: the embeddable widget).
PUBLIC_BLUEPRINTS = ("public", "feeds", "api_v2", "embed")
# Followed when a page links to them, never enumerated: the theme's and the app's assets.
ASSET_ENDPOINTS = frozenset({"theme_static", "static"})
# The API's catch-all answers 404 JSON for unknown paths: nothing to export.
SKIPPED_ENDPOINTS = frozenset({"api_v2.unknown"})
# Path segment before <public_id> -> the kind of object the id names.
ID_KINDS = {
    "incidents": "incident",
    "maintenance": "maintenance",
    "scheduled-maintenances": "maintenance",
    "components": "component",
}


class ExportError(Exception):
    """The export failed; the message names the URL or directory at fault."""


@dataclass(frozen=True)
class Fetched:
    """One exported response."""

    target: Target
    data: bytes
    html: bool


@dataclass
class ExportResult:
    """What an export wrote."""

    target: Path
    files: int
    bytes: int
    languages: list[str]
    warnings: list[str] = field(default_factory=list)


@contextmanager
def _base_url(app: Flask, base_url: str | None) -> Iterator[None]:
    """Use base_url for absolute links (feeds, API) while exporting."""
    if not base_url:
        yield
        return
    previous = app.config["BASE_URL"]
    app.config["BASE_URL"] = base_url.rstrip("/")
    try:
        yield
    finally:
        app.config["BASE_URL"] = previous


def _endpoint_exported(endpoint: str) -> bool:
    if endpoint in SKIPPED_ENDPOINTS:
        return False
    return endpoint in ASSET_ENDPOINTS or endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS


def _match(adapter: MapAdapter, path: str) -> tuple[str, dict[str, object]] | None:
    try:
        endpoint, args = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return str(endpoint), dict(args)


def _public_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods
        and "GET" in rule.methods
        and rule.endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS
        and rule.endpoint not in SKIPPED_ENDPOINTS
    ]


def _id_kind(rule: Rule) -> str | None:
    """Return the kind of object a rule's only argument, <public_id>, names."""
    if set(rule.arguments) != {"public_id"}:
        return None
    before = rule.rule.split("<", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return ID_KINDS.get(before)


def _asset_seeds(app: Flask) -> list[str]:
    """Return the URLs of the active theme's static files (with the default theme's fallbacks)."""
    from ..themes.loader import DEFAULT_THEME, themes_root
    from ..themes.render import active_theme

    with app.test_request_context():
        theme = active_theme()
    root = themes_root(app)
    names: dict[str, None] = {}
    for candidate in dict.fromkeys([theme, DEFAULT_THEME]):
        folder = root / candidate / "static"
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    names[path.relative_to(folder).as_posix()] = None
    return [f"/themes/{theme}/static/{name}" for name in names]


def _languages(app: Flask) -> tuple[str, list[str]]:
    """Return the page's default language and the other languages with a compiled catalog."""
    from ..i18n import available_locales
    from ..themes.render import current_page

    with app.test_request_context():
        default = current_page().default_language
        locales = available_locales()
    if default not in locales:
        default = app.config.get("BABEL_DEFAULT_LOCALE", "en")
    translations = Path(app.root_path).parent / "translations"
    others = [
        code
        for code in locales
        if code != default
        and crawl.valid_language(code)
        and (translations / code / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    return default, others


def _visible_component_ids() -> list[str]:
    from ..components.queries import visible_component_tree

    return [c.public_id for c in visible_component_tree().components]


class _Crawler:
    """Fetches every public URL once, following the links of the HTML pages."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        # The export must show the database as it is now, not this process's cached copies.
        cache = app.extensions.get(PUBLIC_CACHE_KEY)
        if cache is not None:
            cache.clear()
        self.client = app.test_client(use_cookies=False)
        self.adapter = app.url_map.bind("localhost")
        self.fetched: dict[str, Fetched] = {}
        self.queue: deque[Target] = deque()
        self.seen: set[str] = set()  # static paths fetched or queued
        self.warnings: list[str] = []

    def add(self, url: str) -> None:
        """Queue an internal URL if it is exportable, public and not seen yet."""
        target = crawl.target_for(url)
        if target is None or target.static_path in self.seen:
            return
        matched = _match(self.adapter, urlsplit_path(target.app_url))
        if matched is None or not _endpoint_exported(matched[0]):
            return
        self.seen.add(target.static_path)
        self.queue.append(target)

    def get(self, url: str, language: str | None = None) -> tuple[bytes, bool]:
        """Return the body of url (in language) and whether it is HTML; raise unless 200."""
        headers = {"Accept-Language": language} if language else {}
        shown = f"{url} (language {language})" if language else url
        try:
            response = self.client.get(url, headers=headers)
        except Exception as exc:  # with PROPAGATE_EXCEPTIONS a broken page raises here
            raise ExportError(f"{shown} failed: {type(exc).__name__}: {exc}") from exc
        try:
            if response.status_code != 200:
                raise ExportError(f"{shown} answered {response.status}, not 200 OK")
            return response.get_data(), response.mimetype == "text/html"
        finally:
            response.close()  # file responses (assets) hold an open file until closed

    def drain(self) -> None:
        """Fetch everything queued, queueing what the HTML pages link to."""
        while self.queue:
            target = self.queue.popleft()
            data, is_html = self.get(target.app_url)
            self.fetched[target.static_path] = Fetched(target, data, is_html)
            if is_html:
                for ref in crawl.internal_refs(data.decode("utf-8")):
                    self.add(ref)

    def run(self, seeds: list[str]) -> None:
        """Fetch the seeds, what they link to, and every id-route of the ids seen."""
        for url in seeds:
            self.add(url)
        self.drain()
        # Routes with an id: fill them with the ids the pages link to (and the visible
        # components), until nothing new turns up.
        while True:
            ids = self._ids_seen()
            for rule in _public_rules(self.app):
                if not rule.arguments:
                    continue
                kind = _id_kind(rule)
                if kind is None:
                    continue
                for public_id in sorted(ids.get(kind, ())):
                    self.add(self.adapter.build(rule.endpoint, {"public_id": public_id}))
            if not self.queue:
                return
            self.drain()

    def _ids_seen(self) -> dict[str, set[str]]:
        ids: dict[str, set[str]] = {"component": set(_visible_component_ids())}
        rules = {rule.endpoint: rule for rule in _public_rules(self.app)}
        for fetched in self.fetched.values():
            matched = _match(self.adapter, urlsplit_path(fetched.target.app_url))
            if matched is None or matched[0] not in rules:
                continue
            kind = _id_kind(rules[matched[0]])
            if kind is not None:
                ids.setdefault(kind, set()).add(str(matched[1]["public_id"]))
        return ids


def urlsplit_path(url: str) -> str:
    """Return the path part of an app URL."""
    return url.split("?", 1)[0].split("#", 1)[0] or "/"


def unexported_routes(app: Flask) -> list[str]:
    """Return the public GET routes the export does not know how to fill, as warnings."""
    warnings = []
    for rule in _public_rules(app):
        if rule.arguments and _id_kind(rule) is None:
            warnings.append(
                f"route {rule.rule} ({rule.endpoint}) is not exported: "
                "the export does not know the values of its arguments"
            )
    return warnings


def seed_urls(app: Flask) -> list[str]:
    """Return the URLs the crawl starts from: every public route without arguments, and assets."""
    seeds = [rule.rule for rule in _public_rules(app) if not rule.arguments]
    return seeds + _asset_seeds(app)


def export_site(target: Path, base_url: str | None = None) -> ExportResult:
    """Write the whole public site into target as static files, replacing it in one step."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with StagedDirectory(target) as staged:
            with _base_url(app, base_url):
                crawler = _Crawler(app)
                crawler.run(seed_urls(app))
                default, others = _languages(app)
                for fetched in crawler.fetched.values():
                    data = fetched.data
                    if fetched.html:
                        data = crawl.rewrite_html(data.decode("utf-8"), None).encode("utf-8")
                    staged.write(fetched.target.file(html_page=fetched.html), data)
                for language in others:
                    _write_language(crawler, staged, language)
            staged.commit()
    except WriteError as exc:
        raise ExportError(str(exc)) from exc
    warnings = crawler.warnings + unexported_routes(app)
    for warning in warnings:
        log.warning("%s", warning)
    return ExportResult(
        target=staged.target,
        files=staged.files,
        bytes=staged.bytes,
        languages=[default, *others],
        warnings=warnings,
    )


def _write_language(crawler: _Crawler, staged: StagedDirectory, language: str) -> None:
    """Write the localized part of the site under /<language>/."""
    for fetched in list(crawler.fetched.values()):
        where = fetched.target.static_path
        if not crawl.is_localized(where):
            continue
        data, is_html = crawler.get(fetched.target.app_url, language)
        if is_html:
            data = crawl.rewrite_html(data.decode("utf-8"), language).encode("utf-8")
        prefixed = f"/{language}{where}" if where != "/" else f"/{language}/"
        staged.write(crawl.file_for(prefixed, html_page=is_html), data)
