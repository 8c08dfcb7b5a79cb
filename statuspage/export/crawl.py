"""Plan a static copy of the public site: which app URL becomes which file, and its links.

No I/O here. A plain web server maps a request path to ``DIR/path`` or
``DIR/path/index.html`` and ignores the query string, so:

- HTML pages are written as ``path/index.html`` (``/`` -> ``index.html``);
  everything else (JSON, feeds, badges, assets) at its own path;
- the one paginated page, ``/history?page=N``, becomes ``/history/page/N``, and
  links to it are rewritten to that path;
- assets keep their ``?v=`` cache-busting query (the file is found without it);
- any other query (the uptime calendar's months and end) cannot be exported:
  those links stay as they are and the nginx configuration sends them to the app;
- each language other than the default lives under ``/<lang>/``; its pages'
  links to localized URLs get the same prefix, links the export cannot answer
  get ``lang=<lang>`` so the app answers them in that language;
- the language menu's links (``path?lang=xx``) are kept as they are: nginx
  serves them from the ``/xx/`` copy (the default language from the root).
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .nginx import APP_ONLY_PATHS

# Paths the same in every language: the JSON API and static assets.
UNLOCALIZED_PREFIXES = ("/api/", "/themes/", "/static/")
# Query parameters that do not change a response's content (asset versions).
HARMLESS_PARAMS = frozenset({"v"})
HISTORY = "/history"
HISTORY_PAGE_PREFIX = "/history/page/"
LANG_PARAM = "lang"

_ATTR_RE = re.compile(r"""(?P<lead>\s(?:href|src|action)=)(?P<q>["'])(?P<value>.*?)(?P=q)""", re.I)
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class Target:
    """One app URL of the export and where its copy lives."""

    app_url: str  # path and query to request from the app
    static_path: str  # path the copy is served at (no query)

    def file(self, *, html_page: bool) -> str:
        """Return the file, relative to the export root, that holds this URL's copy."""
        return file_for(self.static_path, html_page=html_page)


def file_for(static_path: str, *, html_page: bool) -> str:
    """Return the relative file for a static path: pages as path/index.html, others as is."""
    if ".." in static_path.split("/") or "\x00" in static_path or "\\" in static_path:
        raise ValueError(f"unsafe path: {static_path!r}")
    relative = posixpath.normpath("/" + static_path.lstrip("/")).lstrip("/")
    if html_page:
        return f"{relative}/index.html" if relative else "index.html"
    if not relative:
        raise ValueError("only an HTML page can live at /")
    return relative


def is_app_only(path: str) -> bool:
    """Say whether nginx always sends path to the app (console, write APIs, subscriptions)."""
    return any(path == f"/{p}" or path.startswith(f"/{p}/") for p in APP_ONLY_PATHS)


def is_internal(url: str) -> bool:
    """Say whether url is a path on this site (not another host, not a fragment)."""
    return url.startswith("/") and not url.startswith("//")


def _harmless(query: str) -> bool:
    names = {name for name, _value in parse_qsl(query, keep_blank_values=True)}
    return names <= HARMLESS_PARAMS


def _language_link(query: str) -> bool:
    """Say whether a query only picks a language (the language menu: ?lang=xx)."""
    params = parse_qsl(query, keep_blank_values=True)
    return len(params) == 1 and params[0][0] == LANG_PARAM and valid_language(params[0][1])


def static_path(path: str, query: str) -> str | None:
    """Return the static path serving the app URL path?query, or None if it cannot be exported."""
    if _harmless(query) or _language_link(query):
        # ?lang=xx: the same page's copy in that language (nginx maps it to /xx/path).
        return path
    params = parse_qsl(query, keep_blank_values=True)
    if path == HISTORY and len(params) == 1 and params[0][0] == "page":
        raw = params[0][1]
        if not raw.isdigit():
            return None
        page = int(raw)
        return HISTORY if page <= 1 else f"{HISTORY_PAGE_PREFIX}{page}"
    return None


def target_for(url: str) -> Target | None:
    """Return the export target of an internal app URL, or None if it is not exportable."""
    parts = urlsplit(url)
    path = parts.path or "/"
    where = static_path(path, parts.query)
    if where is None:
        return None
    if where == path:  # no query, or only one that does not change the content (?v=)
        return Target(app_url=path, static_path=path)
    return Target(app_url=f"{path}?{parts.query}", static_path=where)


def is_localized(path: str) -> bool:
    """Say whether a path's content depends on the language (pages, feeds, badges)."""
    return not path.startswith(UNLOCALIZED_PREFIXES)


def valid_language(code: str) -> bool:
    """Say whether code looks like a locale name usable as a path prefix (en, pt_BR)."""
    return bool(_LANG_RE.match(code))


def rewrite_url(url: str, lang: str | None) -> str:
    """Return the href a static copy in language lang (None: the default) should use for url."""
    if not is_internal(url):
        return url
    parts = urlsplit(url)
    path = parts.path or "/"
    where = None if is_app_only(path) else static_path(path, parts.query)
    if where is not None and _language_link(parts.query):
        # The language menu names its language itself: no copy prefix (nginx picks /xx/).
        return url
    if where is None:
        # The app answers this one (nginx proxies it); keep the reader's language.
        if lang is None:
            return url
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        params = [(k, v) for k, v in params if k != LANG_PARAM] + [(LANG_PARAM, lang)]
        return urlunsplit(("", "", path, urlencode(params), parts.fragment))
    # Keep ?v= (it busts caches); drop a query the path now stands for (?page=N).
    query = parts.query if _harmless(parts.query) else ""
    if lang is not None and is_localized(where):
        where = f"/{lang}{where}" if where != "/" else f"/{lang}/"
    return urlunsplit(("", "", where, query, parts.fragment))


def rewrite_html(document: str, lang: str | None) -> str:
    """Rewrite the href, src and action attributes of an HTML page for the static copy.

    Only attribute values change, so a default-language page without paginated
    links stays byte-identical to what the app serves.
    """

    def replace(match: re.Match[str]) -> str:
        raw = match.group("value")
        url = html.unescape(raw)
        new = rewrite_url(url, lang)
        if new == url:
            return match.group(0)
        quote = match.group("q")
        return f"{match.group('lead')}{quote}{html.escape(new, quote=True)}{quote}"

    return _ATTR_RE.sub(replace, document)


def internal_refs(document: str) -> list[str]:
    """Return the internal URLs an HTML page refers to (href, src, action), unescaped."""
    refs = []
    for match in _ATTR_RE.finditer(document):
        url = html.unescape(match.group("value"))
        if is_internal(url):
            refs.append(url)
    return refs


def resolve(root_files: set[str], url: str) -> str | None:
    """Return the file a plain web server would send for url, given the exported files."""
    path = urlsplit(url).path or "/"
    try:
        as_file = file_for(path, html_page=False) if path != "/" else None
        as_page = file_for(path, html_page=True)
    except ValueError:
        return None
    if as_file is not None and as_file in root_files:
        return as_file
    if as_page in root_files:
        return as_page
    return None
