"""Render public pages in the active theme, with the `site` view-model every layout needs."""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Response,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
)
from flask_babel import get_locale, refresh
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from ..i18n import html_lang, language_name, text_direction
from ..site.css import safe_css
from .loader import DEFAULT_THEME, TEMPLATE_API_VERSION, read_theme, safe_theme_name, themed
from .loader import themes_root as _themes_root

log = logging.getLogger(__name__)

DEFAULT_ACCENT = "#2563eb"
_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_SAFE_LINK_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class PageConfig:
    """The page settings a request needs, read once per request."""

    name: str
    time_zone: str
    default_language: str
    theme: str | None
    logo_url: str | None
    accent_color: str
    support_url: str | None
    custom_css: str | None
    footer_links: tuple[tuple[str, str], ...]

    @property
    def zone(self) -> ZoneInfo:
        """Return the page's time zone (UTC when the setting is not a known zone)."""
        return _zone(self.time_zone)


@dataclass(frozen=True)
class LinkView:
    """A labelled link."""

    label: str
    url: str


@dataclass(frozen=True)
class FeedLinks:
    """Where the page's feeds live."""

    rss: str
    atom: str
    ics: str


@dataclass(frozen=True)
class LanguageOption:
    """One entry of the language menu, named in its own language."""

    code: str
    name: str
    lang: str
    dir: str
    href: str
    current: bool


@dataclass(frozen=True)
class SiteView:
    """What every public template knows about the page as a whole."""

    name: str
    logo_url: str | None
    accent_color: str
    custom_css: Markup | None
    footer_links: tuple[LinkView, ...]
    support_url: str | None
    theme: str
    theme_version: str
    feeds: FeedLinks
    locale: str
    lang: str
    dir: str
    time_zone: str
    # Set on a console preview: the theme visitors see meanwhile.
    preview_of: str | None = None
    languages: tuple[LanguageOption, ...] = ()
    language_name: str = ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _safe_url(url: str | None) -> str | None:
    """Return url when it is a relative path or uses a harmless scheme."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme:
        return url if parts.scheme.lower() in _SAFE_LINK_SCHEMES else None
    return url if url.startswith("/") and not url.startswith("//") else None


def _defaults() -> PageConfig:
    return PageConfig(
        name="Status",
        time_zone="UTC",
        default_language=current_app.config.get("BABEL_DEFAULT_LOCALE", "en"),
        theme=None,
        logo_url=None,
        accent_color=DEFAULT_ACCENT,
        support_url=None,
        custom_css=None,
        footer_links=(),
    )


def _read_page_config() -> PageConfig:
    from ..extensions import db
    from ..site.queries import get_page_settings

    try:
        s = get_page_settings()
    except SQLAlchemyError:
        # Error pages must still render when the database is what failed.
        log.warning("page settings unavailable; using defaults", exc_info=True)
        with contextlib.suppress(SQLAlchemyError):  # a dead connection may refuse this too
            db.session.rollback()
        if has_request_context():
            # A response built on the defaults must not be cached as the page's own.
            g.page_settings_fallback = True
        return _defaults()
    links = []
    for item in s.footer_links or []:
        if isinstance(item, dict) and item.get("label") and item.get("url"):
            links.append((str(item["label"]), str(item["url"])))
    return PageConfig(
        name=s.name or "Status",
        time_zone=s.time_zone or "UTC",
        default_language=s.default_language or "en",
        theme=s.theme,
        logo_url=s.logo_url,
        accent_color=s.accent_color or DEFAULT_ACCENT,
        support_url=s.support_url,
        custom_css=s.custom_css,
        footer_links=tuple(links),
    )


def current_page() -> PageConfig:
    """Return this request's page settings (read at most once per request)."""
    if not has_request_context():
        return _read_page_config()
    config: PageConfig | None = g.get("_page_config")
    if config is None:
        config = _read_page_config()
        use_page(config)
    return config


def use_page(config: PageConfig) -> None:
    """Make config this request's page settings, without reading the database."""
    g._page_config = config
    # i18n.select_timezone / select_locale read these.
    g.page_time_zone = str(config.zone.key)
    g.page_default_language = config.default_language


def default_page() -> PageConfig:
    """Return the page settings used before any are saved (or when none can be read)."""
    return _defaults()


def prepare_public_request() -> None:
    """Load the page settings before a public view formats any time or text."""
    # A locale Babel cached before this request (code run in an app context that the
    # request shares) must not decide this request's language.
    refresh()
    current_page()


def forget_page(_exc: BaseException | None = None) -> None:
    """Drop this request's page settings (and Babel's cached zone) from g.

    Each request normally gets its own app context; tests and CLI code that
    keep one pushed across requests must not see the previous request's zone.
    """
    for key in (
        "_page_config",
        "page_time_zone",
        "page_default_language",
        "page_settings_fallback",
    ):
        g.pop(key, None)
    refresh()


@lru_cache(maxsize=64)
def _theme_usable(path: str, mtime: float, name: str) -> tuple[bool, str]:
    try:
        info = read_theme(Path(path))
    except ValueError as exc:
        log.warning("theme %s ignored: %s", name, exc)
        return False, ""
    if info.name != name or info.template_api != TEMPLATE_API_VERSION:
        log.warning("theme %s ignored: name or template_api does not match", name)
        return False, ""
    return True, info.version


def _theme_version(name: str) -> str | None:
    """Return the installed theme's version, or None when it is missing or unusable."""
    if safe_theme_name(name) != name:
        return None
    folder = _themes_root(current_app) / name
    try:
        mtime = (folder / "theme.toml").stat().st_mtime
    except OSError:
        return None
    usable, version = _theme_usable(str(folder), mtime, name)
    return version if usable else None


def site_theme() -> str:
    """Return the theme visitors get: config THEME, then the page setting, then the default."""
    wanted = current_app.config.get("THEME") or current_page().theme or DEFAULT_THEME
    return wanted if _theme_version(wanted) is not None else DEFAULT_THEME


def theme_usable(name: str) -> bool:
    """Say whether a theme is installed and written for this template API."""
    return _theme_version(name) is not None


def preview_theme(name: str) -> None:
    """Render this request's public templates in theme name (a console preview)."""
    g.preview_theme = name


def active_theme() -> str:
    """Return the theme to render: a console preview's, else the site's theme."""
    preview = g.get("preview_theme") if has_request_context() else None
    if preview and theme_usable(preview):
        return str(preview)
    return site_theme()


def _css(source: str | None) -> Markup | None:
    # The same rules the settings service enforces (site.css), applied again to whatever
    # is stored, so CSS written before the rules or straight into the database stays inert.
    css = safe_css(source)
    if css is None:
        if source and source.strip():
            log.warning("custom CSS not emitted: it breaks the custom CSS rules")
        return None
    return Markup(css)  # noqa: S704


def build_site(theme: str, *, language_menu: bool = True) -> SiteView:
    """Return the `site` view-model for the given theme and the current request."""
    page = current_page()
    previewing = has_request_context() and g.get("preview_theme") == theme
    locale = get_locale()
    locale_name = str(locale) if locale else "en"
    accent = page.accent_color if _COLOR_RE.match(page.accent_color or "") else DEFAULT_ACCENT
    links = tuple(
        LinkView(label, url)
        for label, raw in page.footer_links
        if (url := _safe_url(raw)) is not None
    )
    # Feed routes belong to another blueprint that may not be registered yet: plain paths.
    root = request.script_root if has_request_context() else ""
    return SiteView(
        name=page.name,
        logo_url=_safe_url(page.logo_url),
        accent_color=accent,
        custom_css=_css(page.custom_css),
        footer_links=links,
        support_url=_safe_url(page.support_url),
        theme=theme,
        theme_version=_theme_version(theme) or "0",
        feeds=FeedLinks(
            rss=f"{root}/history.rss", atom=f"{root}/history.atom", ics=f"{root}/maintenance.ics"
        ),
        locale=locale_name,
        lang=html_lang(locale_name),
        dir=text_direction(locale_name),
        time_zone=page.zone.key,
        preview_of=site_theme() if previewing else None,
        languages=_language_options(locale_name) if language_menu else (),
        language_name=language_name(locale_name),
    )


def _language_options(current: str) -> tuple[LanguageOption, ...]:
    """Return the language menu: this page in every language (links with ?lang=)."""
    codes = list(current_app.config.get("LANGUAGES") or [])
    if len(codes) < 2 or not has_request_context():
        return ()
    # Only the path: the page's other parameters are not part of what the menu changes.
    path = request.script_root + request.path
    return tuple(
        LanguageOption(
            code=code,
            name=language_name(code),
            lang=html_lang(code),
            dir=text_direction(code),
            href=f"{path}?{urlencode({'lang': code})}",
            current=code == current,
        )
        for code in codes
    )


def render_public(template: str, status: int = 200, **context: Any) -> Response:
    """Render a public template in the active theme, with `site` in its context."""
    theme = active_theme()
    # Error pages get no language menu: it would link to the failing URL again.
    context.setdefault("site", build_site(theme, language_menu=status < 400))
    response = make_response(render_template(themed(template, theme), **context), status)
    return response
