"""Locale and time zone selection for each request."""

from __future__ import annotations

from flask import current_app, g, request

LANG_COOKIE = "lang"


def available_locales() -> list[str]:
    """Return the locales the app has catalogs for."""
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Pick the locale: ?lang=, cookie, Accept-Language, then the page default."""
    locales = available_locales()
    if request:
        for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
            if candidate in locales:
                return candidate
        best = request.accept_languages.best_match(locales)
        if best:
            return best
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
