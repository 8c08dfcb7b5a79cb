"""Markdown is rendered through one sanitizer; XSS payloads come out inert."""

import re
from html.parser import HTMLParser

import pytest

from statuspage.markup import markdown_to_text, render_markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">click</p>',
    "<<script>script>alert(1)<</script>/script>",
    '<img src="x" onerror=alert(1)//',
    '<a href="https://ok.example" onmouseover="alert(1)">hover</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="https://evil.example"><input name=x></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href='https://evil.example/'>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{display:none}</style>",
    "`<script>alert(1)</script>`",
    "<!--<script>alert(1)</script>-->",
    '<a href="&#106;avascript:alert(1)">entity</a>',
]

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


class _Elements(HTMLParser):
    """Collect every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_renders_inert(payload):
    html = str(render_markdown(payload))
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            assert name in {"href", "title", "rel", "align"}, html
            if name == "href":
                assert re.match(r"^(https?:|mailto:)", (value or "").strip(), re.I), html


def test_ordinary_markdown_keeps_its_formatting():
    html = str(
        render_markdown("**Fixed.** See [the report](https://example.com/r).\n\n- one\n- two")
    )
    assert "<strong>Fixed.</strong>" in html
    assert 'href="https://example.com/r"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html


def test_code_is_shown_escaped_not_executed():
    html = str(render_markdown("`<script>alert(1)</script>`"))
    assert "&lt;script&gt;" in html


def test_empty_body_renders_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""


def test_plain_text_strips_markup_and_unescapes():
    assert markdown_to_text("**Fish & chips** <b>now</b>") == "Fish & chips now"
