"""Shields-style flat SVG badges (pure, no I/O)."""

from __future__ import annotations

from html import escape

from ..components.models import ComponentStatus
from ..incidents.models import Impact

LABEL_COLOR = "#555"
# Darker than the usual badge palette so white text keeps a 4.5:1 contrast (WCAG AA).
IMPACT_COLORS = {
    Impact.NONE: "#2e7d32",
    Impact.MAINTENANCE: "#1d4ed8",
    Impact.MINOR: "#a15c00",
    Impact.MAJOR: "#c2410c",
    Impact.CRITICAL: "#b91c1c",
}
STATUS_COLORS = {
    ComponentStatus.OPERATIONAL: IMPACT_COLORS[Impact.NONE],
    ComponentStatus.UNDER_MAINTENANCE: IMPACT_COLORS[Impact.MAINTENANCE],
    ComponentStatus.DEGRADED_PERFORMANCE: IMPACT_COLORS[Impact.MINOR],
    ComponentStatus.PARTIAL_OUTAGE: IMPACT_COLORS[Impact.MAJOR],
    ComponentStatus.MAJOR_OUTAGE: IMPACT_COLORS[Impact.CRITICAL],
}
MAX_TEXT = 60
PADDING = 10
# Approximate advance widths (px) of Verdana 11px; anything else counts as DEFAULT_WIDTH.
_NARROW = dict.fromkeys("il.,:;'|!", 3.5)
_SMALL = dict.fromkeys("fjrtI ()[]", 4.5)
_WIDE = dict.fromkeys("mwMW@%", 10.5)
_CAPS = dict.fromkeys("ABCDEFGHJKLNOPQRSTUVXYZ", 7.8)
CHAR_WIDTHS = {**_CAPS, **_SMALL, **_NARROW, **_WIDE}
DEFAULT_WIDTH = 6.8


def text_width(text: str) -> int:
    """Return the approximate rendered width of text in Verdana 11px, in whole pixels."""
    return round(sum(CHAR_WIDTHS.get(ch, DEFAULT_WIDTH) for ch in text))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


def badge_svg(label: str, message: str, color: str) -> str:
    """Return a flat badge: grey label on the left, coloured message on the right."""
    label, message = _clip(label), _clip(message)
    left = text_width(label) + 2 * PADDING
    right = text_width(message) + 2 * PADDING
    width = left + right
    title = escape(f"{label}: {message}", quote=True)
    font = "Verdana,Geneva,DejaVu Sans,sans-serif"

    def text(value: str, x: float) -> str:
        value = escape(value, quote=True)
        return (
            f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3">{value}</text>'
            f'<text x="{x:g}" y="14">{value}</text>'
        )

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
        f'viewBox="0 0 {width} 20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)">'
        f'<rect width="{left}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{escape(color, quote=True)}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="{font}" font-size="11" '
        'aria-hidden="true">'
        f"{text(label, left / 2)}{text(message, left + right / 2)}</g></svg>\n"
    )


def impact_color(indicator: Impact | str) -> str:
    """Return the message colour for a page indicator."""
    return IMPACT_COLORS[Impact(indicator)]


def status_color(status: ComponentStatus) -> str:
    """Return the message colour for a component status."""
    return STATUS_COLORS[ComponentStatus(status)]
