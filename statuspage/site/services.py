"""Page settings use cases."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..db import unit_of_work
from ..errors import ValidationError
from ..themes.loader import TEMPLATE_API_VERSION, available_themes
from .css import MAX_CSS_LENGTH, CssProblem, Finding, find_problems
from .models import PageSettings
from .queries import get_page_settings

MAX_NAME_LENGTH = 200
MAX_URL_LENGTH = 500
MAX_LINK_LABEL_LENGTH = 100
MAX_FOOTER_LINKS = 10
_ACCENT_RE = re.compile(r"^#[0-9a-f]{6}$")

# Every field update_settings() accepts; the audit snapshot covers the same ones.
FIELDS = (
    "name",
    "url",
    "time_zone",
    "default_language",
    "logo_url",
    "accent_color",
    "footer_links",
    "theme",
    "custom_css",
    "support_url",
)


# Files in the zone database that are not zones a page should use.
_NOT_ZONES = {"localtime", "Factory", "posixrules", "posix", "right"}


def time_zone_names() -> list[str]:
    """Return the IANA time zone names this system knows: short names first, then by region."""
    names = (available_timezones() | {"UTC"}) - _NOT_ZONES
    return sorted(names, key=lambda name: ("/" in name, name))


def language_codes() -> list[str]:
    """Return the languages the page can be shown in."""
    return list(current_app.config["LANGUAGES"])


def theme_names() -> list[str]:
    """Return the installed themes this version can render."""
    # A theme written for another template API would silently fall back to the default.
    themes = available_themes(current_app).values()
    return [t.name for t in themes if t.template_api == TEMPLATE_API_VERSION]


def snapshot(settings: PageSettings) -> dict[str, Any]:
    """Return the settings as plain data for the audit log."""
    return {
        "name": settings.name,
        "url": settings.url or "",
        "time_zone": settings.time_zone,
        "default_language": settings.default_language,
        "logo_url": settings.logo_url or "",
        "accent_color": settings.accent_color,
        "footer_links": [dict(link) for link in settings.footer_links or []],
        "theme": settings.theme,
        "custom_css": settings.custom_css or "",
        "support_url": settings.support_url or "",
    }


def _absolute_url(value: str, schemes: set[str]) -> bool:
    parts = urlsplit(value)
    if parts.scheme.lower() not in schemes:
        return False
    return bool(parts.path) if parts.scheme.lower() == "mailto" else bool(parts.netloc)


def _check_url(
    errors: dict[str, str],
    field: str,
    value: str,
    *,
    schemes: set[str],
    allow_path: bool = False,
) -> str:
    """Return value stripped, recording an error when it is not an acceptable address."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_URL_LENGTH:
        errors[field] = _("Use at most %(count)d characters.", count=MAX_URL_LENGTH)
    elif any(ch.isspace() for ch in value) or "\\" in value:
        errors[field] = _("An address cannot contain spaces or backslashes.")
    elif allow_path and value.startswith("/") and not value.startswith("//"):
        pass
    elif not _absolute_url(value, schemes):
        if "mailto" in schemes:
            errors[field] = _("Enter an address starting with https://, http:// or mailto:.")
        elif allow_path:
            errors[field] = _("Enter an address starting with https:// or a path starting with /.")
        else:
            errors[field] = _("Enter an address starting with https:// or http://.")
    return value


def _css_message(findings: list[Finding]) -> str:
    parts = []
    for finding in findings:
        if finding.problem is CssProblem.LESS_THAN:
            parts.append(_("the character < (it could end the style element)"))
        elif finding.problem is CssProblem.IMPORT:
            parts.append(_("@import (it loads a style sheet from another place)"))
        elif finding.problem is CssProblem.EXPRESSION:
            parts.append(_("expression() (it runs script)"))
        elif finding.problem is CssProblem.BEHAVIOR:
            parts.append(_("behavior: (it runs script)"))
        elif finding.problem is CssProblem.BINDING:
            parts.append(_("-moz-binding (it runs script)"))
        elif finding.problem is CssProblem.SCRIPT_URL:
            parts.append(_("a javascript: or vbscript: address"))
        else:
            parts.append(
                _(
                    "the address %(url)s (only paths on this site are allowed, "
                    "not other hosts or data: addresses)",
                    url=finding.excerpt,
                )
            )
    return _("Nothing was saved. Remove %(parts)s.", parts="; ".join(parts))


def _check_css(errors: dict[str, str], value: str) -> str | None:
    value = (value or "").replace("\r\n", "\n")
    if not value.strip():
        return None
    if len(value) > MAX_CSS_LENGTH:
        errors["custom_css"] = _("Use at most %(count)d characters.", count=MAX_CSS_LENGTH)
        return value
    findings = find_problems(value)
    if findings:
        errors["custom_css"] = _css_message(findings)
    return value


def _check_footer_links(errors: dict[str, str], rows: Any) -> list[dict[str, str]]:
    """Return the filled-in rows; errors are keyed footer_links.<index>.<label|url>."""
    if not isinstance(rows, list | tuple):
        errors["footer_links"] = _("Footer links must be a list of label and address pairs.")
        return []
    links: list[dict[str, str]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"footer_links.{index}.label"] = _("Give a label and an address.")
            continue
        label = str(row.get("label") or "").strip()
        url = str(row.get("url") or "").strip()
        if not label and not url:
            continue  # an empty row in the form
        if not label:
            errors[f"footer_links.{index}.label"] = _("Give this link a label.")
        elif len(label) > MAX_LINK_LABEL_LENGTH:
            errors[f"footer_links.{index}.label"] = _(
                "Use at most %(count)d characters.", count=MAX_LINK_LABEL_LENGTH
            )
        if not url:
            errors[f"footer_links.{index}.url"] = _("Give this link an address.")
        else:
            _check_url(errors, f"footer_links.{index}.url", url, schemes={"http", "https"})
        links.append({"label": label, "url": url})
    if len(links) > MAX_FOOTER_LINKS:
        errors["footer_links"] = _("Use at most %(count)d footer links.", count=MAX_FOOTER_LINKS)
    return links


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the new values of the changed fields, or raise ValidationError."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if "name" in changes:
        name = str(changes["name"] or "").strip()
        if not name:
            errors["name"] = _("Enter a name.")
        elif len(name) > MAX_NAME_LENGTH:
            errors["name"] = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
        values["name"] = name
    if "url" in changes:
        values["url"] = _check_url(errors, "url", changes["url"], schemes={"http", "https"})
    if "time_zone" in changes:
        zone = str(changes["time_zone"] or "").strip()
        try:
            known = bool(zone) and zone in time_zone_names() and ZoneInfo(zone) is not None
        except (ZoneInfoNotFoundError, ValueError):
            known = False
        if not known:
            errors["time_zone"] = _("Choose a time zone from the list, such as Europe/Berlin.")
        values["time_zone"] = zone
    if "default_language" in changes:
        language = str(changes["default_language"] or "").strip()
        if language not in language_codes():
            errors["default_language"] = _(
                "Choose one of: %(allowed)s.", allowed=", ".join(language_codes())
            )
        values["default_language"] = language
    if "logo_url" in changes:
        values["logo_url"] = _check_url(
            errors, "logo_url", changes["logo_url"], schemes={"http", "https"}, allow_path=True
        )
    if "accent_color" in changes:
        accent = str(changes["accent_color"] or "").strip().lower()
        if not _ACCENT_RE.match(accent):
            errors["accent_color"] = _("Enter a colour as # and six hex digits, like #2563eb.")
        values["accent_color"] = accent
    if "footer_links" in changes:
        values["footer_links"] = _check_footer_links(errors, changes["footer_links"])
    if "theme" in changes:
        theme = str(changes["theme"] or "").strip()
        if theme not in theme_names():
            errors["theme"] = _(
                "Choose an installed theme: %(allowed)s.", allowed=", ".join(theme_names())
            )
        values["theme"] = theme
    if "custom_css" in changes:
        values["custom_css"] = _check_css(errors, str(changes["custom_css"] or ""))
    if "support_url" in changes:
        values["support_url"] = _check_url(
            errors, "support_url", changes["support_url"], schemes={"http", "https", "mailto"}
        )
    if errors:
        raise ValidationError(errors)
    return values


def update_settings(
    *, actor: str = "cli", actor_id: int | None = None, **fields: Any
) -> PageSettings:
    """Change the page settings given as keyword arguments (others stay as they are)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise TypeError(f"update_settings() got unknown settings: {', '.join(unknown)}")
    with unit_of_work() as session:
        settings = session.scalar(
            sa.select(PageSettings).order_by(PageSettings.id).limit(1).with_for_update()
        )
        created = settings is None
        if settings is None:
            # The unsaved defaults the public page already shows become the stored row.
            settings = get_page_settings()
        before = None if created else snapshot(settings)
        values = _validated(fields)
        for key, value in values.items():
            if key in {"logo_url", "support_url", "custom_css"}:
                value = value or None
            setattr(settings, key, value)
        after = snapshot(settings)
        if created:
            session.add(settings)
        if created or after != before:
            session.flush()
            record(
                actor,
                "page_settings.create" if created else "page_settings.update",
                "page_settings",
                settings.public_id,
                before,
                after,
                actor_id=actor_id,
            )
    return settings
