"""The one way Markdown becomes HTML: python-markdown, then nh3 sanitizing."""

from __future__ import annotations

import html

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
MAX_SOURCE_CHARS = 100_000


def render_markdown(source: str | None) -> Markup:
    """Render Markdown source to sanitized HTML that is safe in pages, emails and feeds."""
    if not source:
        return Markup("")
    html = markdown.markdown(
        source[:MAX_SOURCE_CHARS],
        extensions=["sane_lists", "tables", "fenced_code"],
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (nh3 output is sanitized)


def markdown_to_text(source: str | None) -> str:
    """Return plain text for a Markdown body (SMS, feeds' summaries, plain-text email)."""
    if not source:
        return ""
    return html.unescape(nh3.clean(str(render_markdown(source)), tags=set())).strip()
