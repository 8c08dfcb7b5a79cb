"""Per-process response cache for the public side (pages, feeds, badges, API v2).

The status page is read most when everything else is down, so public GET/HEAD
responses are built from the database at most once per ``PUBLIC_CACHE_SECONDS``
(default 1 s, 0 disables) per process and key, then served from memory:

- A hit is answered from an app-level ``before_request``, ahead of the
  blueprints' hooks that read the page settings, so it runs no SQL at all.
- The key is the endpoint, its view arguments, only the query parameters the
  view reads, the locale the request asks for (``?lang=``, cookie,
  Accept-Language; else the page default) and the script root. Nothing public
  depends on the signed-in user: a response whose build touched the session
  (user, CSRF token) or set a cookie is never stored.
- Single flight: while one thread rebuilds an expired entry the others serve
  the previous copy; with no copy yet they wait for the one build.
- Any commit in this process (and the publish signals) drops every entry, so
  this process shows a change at once; other processes within the TTL.
- When the rebuild fails because the database is unreachable, the last good
  copy is served with ``X-Statuspage-Stale: 1`` and ``Age``; the failure is
  not cached and the database is tried again at most once per TTL. With no
  copy, a themed 503 (JSON on the API) with Retry-After; never a 500.
- Every public 200 gets one strong ETag (hash of the body), answers
  If-None-Match with 304, and carries :data:`CACHE_CONTROL`. Bodies over 1 KB
  are also kept gzipped for clients that accept it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    jsonify,
    request,
)
from flask.globals import request_ctx
from flask.sessions import SessionMixin
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Request

from .. import signals
from ..i18n import locale_asked, requested_locale
from ..sessions import StatusPageSessionInterface
from .version import install as install_version_counter
from .version import read_version

log = logging.getLogger(__name__)

EXTENSION_KEY = "statuspage.public_cache"

# Every representation must show a publish within 2 s, so nobody may hold a copy for long:
# max-age=0: browsers revalidate each time (a 304 from memory, no SQL), so the person who
#   just published sees it on their next view, not after the browser's copy expires;
# s-maxage=1 + stale-while-revalidate=1: a CDN absorbs the outage-day spike (one request
#   per second per edge) and answers at once while it refetches, still within 2 s;
# stale-if-error=86400: when this service cannot answer, a CDN keeps serving the last page
#   for a day, which is what a status page is for.
CACHE_CONTROL = "public, max-age=0, s-maxage=1, stale-while-revalidate=1, stale-if-error=86400"
STALE_HEADER = "X-Statuspage-Stale"
RETRY_AFTER_SECONDS = 30
GZIP_MIN_BYTES = 1024
# How long a request with nothing to serve waits for another thread's build of the same key.
BUILD_WAIT_SECONDS = 10.0

# Failures that mean "the database cannot answer now", not "our query is wrong".
UNREACHABLE_ERRORS: tuple[type[Exception], ...] = (
    sa.exc.DBAPIError,  # OperationalError, InterfaceError and the driver's other errors
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,  # the connection pool is exhausted
)

# Headers that belong to one answer, not to the cached representation.
_NOT_STORED = frozenset(
    {
        "age",
        "cache-control",
        "content-encoding",
        "content-length",
        "date",
        "etag",
        "retry-after",
        "set-cookie",
        "vary",
        STALE_HEADER.lower(),
    }
)


@dataclass(frozen=True)
class Rule:
    """How one endpoint is cached: the query parameters it reads, whether it is localized."""

    params: tuple[str, ...] = ()
    localized: bool = True


# Every cached endpoint. A view that starts reading another query parameter must list it.
CACHED_ENDPOINTS: dict[str, Rule] = {
    "public.index": Rule(),
    "public.incident": Rule(),
    "public.maintenance": Rule(),
    "public.history": Rule(("page",)),
    "public.uptime": Rule(("component", "months", "end")),
    "feeds.history_rss": Rule(),
    "feeds.history_atom": Rule(),
    "feeds.component_atom": Rule(),
    "feeds.maintenance_ics": Rule(),
    "feeds.badge": Rule(),
    "feeds.component_badge": Rule(),
    # The API's labels are English whatever the request asks for; only ?lang= (never a
    # cookie or header) picks the language of incident content.
    "api_v2.summary": Rule(("lang",), localized=False),
    "api_v2.status": Rule(localized=False),
    "api_v2.components": Rule(localized=False),
    "api_v2.incidents": Rule(("lang",), localized=False),
    "api_v2.incidents_unresolved": Rule(("lang",), localized=False),
    "api_v2.incident": Rule(("lang",), localized=False),
    "api_v2.maintenances": Rule(localized=False),
    "api_v2.maintenances_upcoming": Rule(localized=False),
    "api_v2.maintenances_active": Rule(localized=False),
}

Key = tuple[Any, ...]

# What current_version() says while another thread reads the counter.
CHECKING = -1


@dataclass
class Entry:
    """One cached representation."""

    body: bytes
    headers: list[tuple[str, str]]
    etag: str
    built_at: float  # cache clock (monotonic) when its build started, or last revalidated
    localized: bool
    gzipped: bytes | None = None
    # The public change counter read before the build (None: unknown, never revalidated)
    # and when the content itself was built.
    version: int | None = None
    content_at: float = 0.0
    _prepared: dict[tuple[bool, bool], tuple[tuple[str, str], ...]] = field(
        default_factory=dict, repr=False
    )

    @property
    def size(self) -> int:
        """Return the bytes this entry holds."""
        return len(self.body) + len(self.gzipped or b"")

    def quoted_etag(self, gzipped: bool) -> str:
        """Return the ETag header value of the plain or gzipped body."""
        return f'"{self.etag}-gz"' if gzipped else f'"{self.etag}"'

    def vary(self, by_cookie: bool) -> str:
        """Return the Vary header value (empty when the answer varies by nothing)."""
        names = []
        if self.gzipped is not None:
            names.append("Accept-Encoding")
        if self.localized:
            names.append("Accept-Language")
            if by_cookie:
                names.append("Cookie")
        return ", ".join(names)

    def wsgi_headers(self, gzipped: bool, not_modified: bool) -> tuple[tuple[str, str], ...]:
        """Return the headers of a fresh answer, but Vary and Age (prepared once)."""
        prepared = self._prepared.get((gzipped, not_modified))
        if prepared is None:
            body = self.gzipped if gzipped and self.gzipped is not None else self.body
            headers = [*self.headers, ("Content-Length", str(len(body)))]
            if gzipped:
                headers.append(("Content-Encoding", "gzip"))
            if not_modified:
                headers = [(k, v) for k, v in headers if k.lower() not in _ENTITY_HEADERS]
            headers += [("ETag", self.quoted_etag(gzipped)), ("Cache-Control", CACHE_CONTROL)]
            prepared = tuple(headers)
            self._prepared[(gzipped, not_modified)] = prepared
        return prepared


@dataclass
class Build:
    """What this request's cache handling decided, kept in g."""

    key: Key
    rule: Rule
    generation: int
    started: float
    version: int | None = None
    claimed: bool = False
    served: bool = False  # answered by the cache layer (hit, stale copy or 503)
    public: bool = False  # the answer is the same for everyone


class PublicCache:
    """A bounded LRU of public responses, with single-flight rebuilds and a DB-down latch."""

    def __init__(
        self,
        ttl: float,
        max_entries: int = 2000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
        rebuild_every: float = 30.0,
        version_reader: Callable[[], int | None] | None = None,
    ) -> None:
        self.ttl = ttl
        # An unchanged entry is still rebuilt this often: relative times, uptime bars.
        self.rebuild_every = rebuild_every
        # Reads the database's public change counter (None: keep rebuilding every TTL).
        self.version_reader = version_reader
        self._version: int | None = None
        self._version_at = -math.inf
        self._version_lock = threading.Lock()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # Tests replace this to move time instead of sleeping.
        self.clock = clock
        self.generation = 0
        self.last_page: Any = None  # the last PageConfig a good build used (for the 503 page)
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._flights: dict[Key, threading.Event] = {}
        self._down_since: float | None = None
        self._lock = threading.Lock()

    # -- entries -----------------------------------------------------------------------

    def get(self, key: Key) -> Entry | None:
        """Return the entry for key (fresh or not), marking it recently used."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Key, entry: Entry, generation: int) -> bool:
        """Store entry unless the cache was cleared since its build started; evict LRU."""
        with self._lock:
            if generation != self.generation or entry.size > self.max_bytes:
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _key, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
            return True

    def clear(self) -> None:
        """Drop every entry; builds already running will not store what they read."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Return the bytes held by all entries."""
        return self._bytes

    def is_fresh(self, entry: Entry, now: float) -> bool:
        """Say whether entry is younger than the TTL."""
        return now - entry.built_at < self.ttl

    # -- revalidation -------------------------------------------------------------------

    def current_version(self, now: float) -> int | None:
        """Return the public change counter, read at most every half TTL for all entries.

        Returns :data:`CHECKING` while another thread is reading it.
        """
        if self.version_reader is None:
            return None
        # Half a TTL: a publish shows within TTL + TTL/2 + one build.
        if now - self._version_at < self.ttl / 2:
            return self._version
        # Never queue behind a slow database: one thread reads, the others go on.
        if not self._version_lock.acquire(blocking=False):
            return CHECKING
        try:
            version = self.version_reader()
            self._version, self._version_at = version, now
        finally:
            self._version_lock.release()
        return version

    def revalidate(self, entry: Entry, now: float) -> bool:
        """Say whether an expired entry may still be served because nothing public changed."""
        if entry.version is None or now - entry.content_at >= self.rebuild_every:
            return False
        if self.database_down(now):
            return False
        version = self.current_version(now)
        if version == CHECKING:
            # Another thread is asking the database right now: this copy is a moment old.
            return now - entry.built_at < 2 * self.ttl
        if version != entry.version:
            return False
        entry.built_at = now
        return True

    # -- single flight -----------------------------------------------------------------

    def claim(self, key: Key) -> bool:
        """Become the one thread rebuilding key; False when another already is."""
        with self._lock:
            if key in self._flights:
                return False
            self._flights[key] = threading.Event()
            return True

    def release(self, key: Key) -> None:
        """End this thread's rebuild of key and wake the threads waiting for it."""
        with self._lock:
            event = self._flights.pop(key, None)
        if event is not None:
            event.set()

    def wait(self, key: Key, timeout: float) -> None:
        """Wait (at most timeout seconds) for another thread's rebuild of key."""
        with self._lock:
            event = self._flights.get(key)
        if event is not None:
            event.wait(timeout)

    # -- database health ---------------------------------------------------------------

    def database_down(self, now: float) -> bool:
        """Say whether a rebuild failed on the database less than a TTL ago."""
        with self._lock:
            return self._down_since is not None and now - self._down_since < self.ttl

    def mark_down(self, now: float) -> None:
        """Remember that the database could not be reached, so others do not retry at once."""
        with self._lock:
            self._down_since = now

    def mark_up(self) -> None:
        """Forget a past database failure."""
        with self._lock:
            self._down_since = None

    # -- signal receivers (bound methods: blinker holds them weakly, the app holds us) ---

    def on_publish(self, sender: Any, **kwargs: Any) -> None:
        """Drop every entry: something public changed in this process."""
        self.clear()


def get_public_cache(app: Flask | None = None) -> PublicCache:
    """Return the public response cache of app (default: the current app)."""
    cache: PublicCache = (app or current_app).extensions[EXTENSION_KEY]
    return cache


def init_public_cache(app: Flask) -> PublicCache:
    """Create the app's public response cache and hook it into requests and publishing."""
    cache = PublicCache(
        ttl=float(app.config.get("PUBLIC_CACHE_SECONDS", 1.0)),
        max_entries=int(app.config.get("PUBLIC_CACHE_MAX_ENTRIES", 2000)),
        max_bytes=int(app.config.get("PUBLIC_CACHE_MAX_BYTES", 64 * 1024 * 1024)),
        rebuild_every=float(app.config.get("PUBLIC_CACHE_REBUILD_SECONDS", 30.0)),
        version_reader=lambda: _read_version(app),
    )
    install_version_counter()
    app.extensions[EXTENSION_KEY] = cache
    app.session_interface = PublicSessionInterface()
    # Fresh hits are answered beneath Flask's request hooks (see FreshHits).
    app.wsgi_app = FreshHits(app, app.wsgi_app)  # type: ignore[method-assign]
    # App-level hooks run before any blueprint's, so a hit skips the settings lookup.
    app.before_request(_serve_from_cache)
    app.after_request(_store_and_answer)
    app.teardown_request(_release)
    for signal in (
        signals.incident_published,
        signals.postmortem_published,
        signals.maintenance_transitioned,
        signals.maintenance_update_posted,
        signals.component_status_changed,
    ):
        signal.connect(cache.on_publish, sender=app)
    if not sa.event.contains(sa.orm.Session, "after_commit", _drop_on_commit):
        sa.event.listen(sa.orm.Session, "after_commit", _drop_on_commit)
    return cache


def _read_version(app: Flask) -> int | None:
    from ..extensions import db

    with app.app_context():
        engine = db.engine
    return read_version(engine)


# Dropped from a 304, as werkzeug's make_conditional does (RFC 9110 section 15.4.5).
_ENTITY_HEADERS = frozenset(
    {
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-md5",
        "content-range",
        "content-type",
        "last-modified",
    }
)
_RESOLVED_MAX = 4096


@dataclass(frozen=True)
class Resolved:
    """What a raw request's path, query and locale headers map to in the cache."""

    key: Key
    endpoint: str
    localized: bool
    locale_source: str | None


class FreshHits:
    """WSGI layer answering fresh cache hits before Flask's request hooks run.

    Under a spike nearly every public request is a fresh hit. The hooks (rate limiter,
    sign-in, metrics timer) and even werkzeug's request and response objects cost more
    than the answer itself, so a fresh entry is served here from the bare WSGI environ
    with header lists prepared once per entry; anything else (expired, missing, stale,
    not a cached endpoint) goes through the whole app as before. The answers are the
    same as the app's (tests compare them).
    """

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        # (path, query, script root, Accept-Language, Cookie) -> cache key, or None.
        self._resolved: dict[tuple[Any, ...], Resolved | None] = {}
        self._gzip_ok: dict[str, bool] = {}
        self._meters: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer a fresh hit here, or hand the request on to the app."""
        method = environ.get("REQUEST_METHOD")
        if method == "GET" or method == "HEAD":
            body = self._fresh_hit(environ, start_response, method)
            if body is not None:
                return body
        return self.wsgi_app(environ, start_response)

    def _fresh_hit(
        self, environ: dict[str, Any], start_response: Callable[..., Any], method: str
    ) -> list[bytes] | None:
        cache: PublicCache | None = self.app.extensions.get(EXTENSION_KEY)
        if cache is None or cache.ttl <= 0:
            return None
        started = time.perf_counter()
        resolved = self._resolve(environ)
        if resolved is None:
            return None
        now = cache.clock()
        entry = cache.get(resolved.key)
        if entry is None or not (cache.is_fresh(entry, now) or cache.revalidate(entry, now)):
            return None
        use_gzip = entry.gzipped is not None and self._accepts_gzip(
            environ.get("HTTP_ACCEPT_ENCODING", "")
        )
        not_modified = _etag_matches(environ.get("HTTP_IF_NONE_MATCH"), entry.quoted_etag(use_gzip))
        headers = list(entry.wsgi_headers(use_gzip, not_modified))
        vary = entry.vary(resolved.locale_source == "cookie")
        if vary:
            headers.append(("Vary", vary))
        headers.append(("Age", str(max(0, math.floor(now - entry.built_at)))))
        status = "304 NOT MODIFIED" if not_modified else "200 OK"
        start_response(status, headers)
        self._count(method, resolved.endpoint, status[:3], started)
        if not_modified or method == "HEAD":
            return []
        return [entry.gzipped if use_gzip else entry.body]  # type: ignore[list-item]

    def _resolve(self, environ: dict[str, Any]) -> Resolved | None:
        signature = (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            environ.get("HTTP_COOKIE"),
        )
        try:
            return self._resolved[signature]
        except KeyError:
            pass
        resolved = self._resolve_slowly(environ)
        if len(self._resolved) >= _RESOLVED_MAX:
            self._resolved.clear()  # many distinct cookies or query strings: start over
        self._resolved[signature] = resolved
        return resolved

    def _resolve_slowly(self, environ: dict[str, Any]) -> Resolved | None:
        # No Flask context at all: the same key as the app computes, from the bare request.
        try:
            endpoint, view_args = self.app.url_map.bind_to_environ(environ).match()
        except (HTTPException, RequestRedirect):
            return None  # redirects and errors are the app's to answer
        rule = CACHED_ENDPOINTS.get(endpoint)
        if rule is None:
            return None
        req = Request(environ)
        locale, source = (
            locale_asked(req, self.app.config["LANGUAGES"]) if rule.localized else (None, None)
        )
        key = _key_for(rule, endpoint, view_args, req.args, locale, req.script_root)
        return Resolved(key=key, endpoint=endpoint, localized=rule.localized, locale_source=source)

    def _accepts_gzip(self, header: str) -> bool:
        accepted = self._gzip_ok.get(header)
        if accepted is None:
            accepted = Request({"HTTP_ACCEPT_ENCODING": header}).accept_encodings["gzip"] > 0
            if len(self._gzip_ok) >= _RESOLVED_MAX:
                self._gzip_ok.clear()
            self._gzip_ok[header] = accepted
        return accepted

    def _count(self, method: str, endpoint: str, status: str, started: float) -> None:
        # The metrics hooks do not run for these answers: count them the same way here.
        meters = self._meters.get((method, endpoint, status))
        if meters is None:
            from ..observability.metrics import get_metrics

            try:
                metrics = get_metrics(self.app)
            except KeyError:
                return
            meters = (
                metrics.http_requests.labels(method, endpoint, status),
                metrics.http_latency.labels(endpoint),
            )
            self._meters[(method, endpoint, status)] = meters
        meters[0].inc()
        meters[1].observe(time.perf_counter() - started)


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Say whether an If-None-Match header names etag (weak comparison, as for GET)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


class PublicSessionInterface(StatusPageSessionInterface):
    """Signed-cookie sessions that leave shared public answers free of ``Vary: Cookie``.

    Flask marks the session accessed whenever anything looks at it (Flask-Login does on
    every response), which would add ``Vary: Cookie`` and keep CDNs from sharing the page.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save the session, unless this is a public answer and nothing changed in it."""
        build: Build | None = g.get("public_cache_build")
        if build is not None and build.public:
            if not session.modified:
                return
            # Something signed the user in or out here: this answer is theirs alone.
            response.headers["Cache-Control"] = "private, no-cache"
        super().save_session(app, session, response)


def _session_touched() -> bool:
    # Not through flask.session: since Flask 3.1 merely looking marks it accessed.
    opened = getattr(request_ctx, "_session", None)
    return bool(opened is not None and opened.accessed)


def register_unreachable_handler(bp: Blueprint) -> None:
    """Answer a cached blueprint's database failures with the last good copy or a 503."""
    # On the blueprints, not the app: other audiences keep their own error handling.
    for error in UNREACHABLE_ERRORS:
        bp.register_error_handler(error, _database_unreachable)


def _drop_on_commit(session: sa.orm.Session) -> None:
    # Settings, edits and typo fixes send no signal: any commit may change a public page.
    if has_app_context():
        cache: PublicCache | None = current_app.extensions.get(EXTENSION_KEY)
        if cache is not None:
            cache.clear()


# -- request hooks -------------------------------------------------------------------------


def _key(rule: Rule) -> Key:
    locale = requested_locale()[0] if rule.localized else None
    return _key_for(
        rule, request.endpoint, request.view_args, request.args, locale, request.script_root
    )


def _key_for(
    rule: Rule,
    endpoint: str | None,
    view_args: Mapping[str, Any] | None,
    args: Any,
    locale: str | None,
    script_root: str,
) -> Key:
    params = tuple((name, args.get(name)) for name in rule.params)
    return (endpoint, tuple(sorted((view_args or {}).items())), params, locale or "", script_root)


def _serve_from_cache() -> ResponseReturnValue | None:
    # Tests and CLI code may keep one app context (and so one g) across requests.
    g.pop("public_cache_build", None)
    rule = CACHED_ENDPOINTS.get(request.endpoint or "")
    if rule is None or request.method not in ("GET", "HEAD"):
        return None
    cache = get_public_cache()
    now = cache.clock()
    build = Build(key=_key(rule), rule=rule, generation=cache.generation, started=now)
    g.public_cache_build = build
    if cache.ttl <= 0:
        return None  # not caching: build every time, still with the shared headers
    entry = cache.get(build.key)
    if entry is not None and (cache.is_fresh(entry, now) or cache.revalidate(entry, now)):
        return _from_entry(build, entry, now)
    if cache.database_down(now):
        # Tried less than a TTL ago and failed: do not hammer a dead database.
        return _stale(build, entry, now) if entry else _unavailable(build)
    if cache.claim(build.key):
        build.claimed = True
        # Read before the build's own queries: a change committed meanwhile shows next time.
        build.version = _version_for_build(cache, now)
        return None  # this thread rebuilds
    if entry is not None:
        return _from_entry(build, entry, now)  # another thread rebuilds: previous copy
    cache.wait(build.key, BUILD_WAIT_SECONDS)
    entry = cache.get(build.key)
    if entry is not None:
        return _from_entry(build, entry, cache.clock())
    if cache.database_down(cache.clock()):
        return _unavailable(build)  # that build just failed on the database
    build.claimed = cache.claim(build.key)
    if build.claimed:
        build.version = _version_for_build(cache, cache.clock())
    return None


def _version_for_build(cache: PublicCache, now: float) -> int | None:
    version = cache.current_version(now)
    return None if version == CHECKING else version


def _store_and_answer(response: Response) -> Response:
    build: Build | None = g.get("public_cache_build")
    if build is None or build.served:
        return response
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return response
    if _session_touched() or "Set-Cookie" in response.headers:
        # It read the session (user, CSRF token) or sets a cookie: someone's own answer.
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    cache = get_public_cache()
    build.public = True
    cacheable = cache.ttl > 0 and not g.get("page_settings_fallback")
    entry = _entry(build, response, compress=cacheable or _accepts_gzip())
    if cacheable:
        cache.put(build.key, entry, build.generation)
        cache.mark_up()
        cache.last_page = g.get("_page_config") or cache.last_page
    return _answer(build, entry, age=None)


def _release(_exc: BaseException | None = None) -> None:
    build: Build | None = g.pop("public_cache_build", None)
    if build is not None and build.claimed:
        build.claimed = False
        get_public_cache().release(build.key)


def _database_unreachable(error: Exception) -> ResponseReturnValue:
    build: Build | None = g.get("public_cache_build")
    if build is None or build.served:
        raise error  # not a cached read: the usual 500 handling applies
    from ..extensions import db

    with contextlib.suppress(Exception):  # a dead connection may refuse the rollback too
        db.session.rollback()
    cache = get_public_cache()
    now = cache.clock()
    cache.mark_down(now)
    entry = cache.get(build.key)
    log.warning(
        "database unreachable while building %s: %s; serving %s",
        request.path,
        error.__class__.__name__,
        "the last good copy" if entry else "503",
    )
    return _stale(build, entry, now) if entry else _unavailable(build)


# -- answers -------------------------------------------------------------------------------


def _entry(build: Build, response: Response, *, compress: bool) -> Entry:
    body = response.get_data()
    headers = [(k, v) for k, v in response.headers if k.lower() not in _NOT_STORED]
    entry = Entry(
        body=body,
        headers=headers,
        etag=hashlib.sha256(body).hexdigest()[:32],
        built_at=build.started,
        localized=build.rule.localized,
        version=build.version,
        content_at=build.started,
    )
    if compress and len(body) > GZIP_MIN_BYTES:
        # mtime=0: the same body always compresses to the same bytes.
        entry.gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return entry


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _answer(
    build: Build,
    entry: Entry,
    age: float | None,
    req: Request | None = None,
    locale_source: str | None = None,
) -> Response:
    """Return entry as a response to req (gzip, ETag, 304, caching headers)."""
    if req is None:
        req, locale_source = request, requested_locale()[1]
    use_gzip = entry.gzipped is not None and req.accept_encodings["gzip"] > 0
    response = Response(entry.gzipped if use_gzip else entry.body, headers=entry.headers)
    # A strong ETag names one byte sequence, so the gzipped body has its own.
    response.set_etag(entry.etag + ("-gz" if use_gzip else ""))
    response.headers["Cache-Control"] = CACHE_CONTROL
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if entry.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if entry.localized:
        response.vary.add("Accept-Language")
        if locale_source == "cookie":
            response.vary.add("Cookie")
    if age is not None:
        response.headers["Age"] = str(max(0, math.floor(age)))
    response.make_conditional(req)  # turns it into a 304 in place when the ETag matches
    return response


def _from_entry(build: Build, entry: Entry, now: float) -> Response:
    build.served = build.public = True
    return _answer(build, entry, age=now - entry.built_at)


def _stale(build: Build, entry: Entry, now: float) -> Response:
    response = _from_entry(build, entry, now)
    response.headers[STALE_HEADER] = "1"
    return response


def _unavailable(build: Build) -> Response:
    """Say the page cannot reach its database: themed HTML, or JSON on the API."""
    build.served = True
    message = _(
        "This status page cannot reach its database right now, so it cannot show the "
        "current status. Please try again in a minute."
    )
    if (request.endpoint or "").startswith("api_v2."):
        response = jsonify({"error": message})
        response.status_code = 503
    else:
        response = _themed_unavailable(message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _themed_unavailable(message: str) -> Response:
    from ..themes.render import default_page, render_public, use_page

    cache = get_public_cache()
    # Render with the last settings seen, without asking the database that just failed.
    use_page(cache.last_page or default_page())
    title = _("Temporarily unavailable")
    try:
        return render_public(
            "public/error.html", status=503, code=503, title=title, message=message
        )
    except Exception:
        # This page must never fail: fall back to plain text.
        log.exception("themed 503 page failed")
        return Response(f"503 {title}\n{message}\n", status=503, mimetype="text/plain")
