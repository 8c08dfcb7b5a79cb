"""Locale and time zone selection for each request."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, g, has_request_context, request
from werkzeug.wrappers import Request

LANG_COOKIE = "lang"


def available_locales() -> list[str]:
    """Return the locales the app has catalogs for."""
    return list(current_app.config["LANGUAGES"])


def requested_locale() -> tuple[str | None, str | None]:
    """Return the locale the request itself asks for and what decided it (arg, cookie, header).

    (None, None) means the page's default language applies. This reads nothing but the
    request, so the public response cache can key on it without touching the database.
    """
    if not has_request_context():
        return None, None
    return locale_asked(request, available_locales())


def locale_asked(req: Request, locales: Sequence[str]) -> tuple[str | None, str | None]:
    """Return what req asks for among locales: ?lang=, then the cookie, then Accept-Language."""
    if (candidate := req.args.get("lang")) in locales:
        return candidate, "arg"
    if (candidate := req.cookies.get(LANG_COOKIE)) in locales:
        return candidate, "cookie"
    best = req.accept_languages.best_match(locales)
    return (best, "header") if best else (None, None)


def select_locale() -> str:
    """Pick the locale: ?lang=, cookie, Accept-Language, then the page default."""
    locales = available_locales()
    chosen, _source = requested_locale()
    if chosen:
        return chosen
    default = getattr(g, "page_default_language", None)
    default = default or current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in locales else locales[0]


def select_timezone() -> str:
    """Show times in the page's zone (the browser rewrites them to the viewer's zone)."""
    return getattr(g, "page_time_zone", None) or "UTC"


def template_globals() -> dict[str, object]:
    """Expose the current locale to every template."""
    from flask_babel import get_locale

    return {"get_locale": lambda: str(get_locale() or "en")}


def reader_languages() -> tuple[str, str]:
    """Return (the language this request reads in, the page's default language)."""
    from flask_babel import get_locale

    from .themes.render import current_page

    default = current_page().default_language
    locale = get_locale()
    return (str(locale) if locale else default), default


def api_reader_languages() -> tuple[str, str]:
    """Return (reader, default) for the JSON API: only ?lang= changes it, never headers."""
    from .themes.render import current_page

    default = current_page().default_language
    asked = request.args.get("lang") if has_request_context() else None
    return (asked if asked in available_locales() else default), default


def language_name(code: str, in_locale: str | None = None) -> str:
    """Return a language's name: its own ("Deutsch", for menus) or in in_locale ("allemand").

    A name in in_locale is for use inside a sentence, so it keeps that language's case.
    """
    from babel import Locale, UnknownLocaleError

    try:
        language = Locale.parse(code)
        name = language.get_display_name(Locale.parse(in_locale) if in_locale else language)
    except (ValueError, UnknownLocaleError):
        return code
    if not name:
        return code
    return name if in_locale else name[:1].upper() + name[1:]


def language_in_sentence(code: str) -> str:
    """Return a language's name in the language of the current request, for a sentence."""
    from flask_babel import get_locale

    return language_name(code, str(get_locale() or "en"))


def html_lang(code: str) -> str:
    """Return a BCP 47 tag for <html lang>: pt_BR -> pt-BR, zh_Hans -> zh-Hans."""
    return code.replace("_", "-")


def text_direction(code: str) -> str:
    """Return "rtl" for right-to-left scripts (Babel's character order), else "ltr"."""
    from babel import Locale, UnknownLocaleError

    try:
        order = Locale.parse(code).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
