"""Custom CSS rules: what may go inside the public page's <style> element.

Pure functions, shared by the settings service (which refuses bad CSS with a
message) and the theme renderer (which never emits CSS that breaks the rules,
whatever is stored). CSS escapes and comments are undone before checking, so
``@\\69mport`` or ``expr/**/ession(`` are caught like the plain spellings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_CSS_LENGTH = 20000


class CssProblem(StrEnum):
    """A construct that custom CSS may not contain."""

    LESS_THAN = "less_than"  # "<" can end the <style> element and start HTML
    IMPORT = "import"  # @import loads a style sheet from elsewhere
    EXPRESSION = "expression"  # expression() runs script in old Internet Explorer
    BEHAVIOR = "behavior"  # behavior: loads script (HTC) in old Internet Explorer
    BINDING = "binding"  # -moz-binding loads script (XBL) in old Firefox
    SCRIPT_URL = "script_url"  # javascript: / vbscript: addresses
    REMOTE_URL = "remote_url"  # url()/image-set() pointing at another host or a data: URL


@dataclass(frozen=True)
class Finding:
    """One refused construct and the text that triggered it."""

    problem: CssProblem
    excerpt: str


_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_HEX_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?")
_CHAR_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_KEYWORDS: tuple[tuple[CssProblem, re.Pattern[str]], ...] = (
    (CssProblem.IMPORT, re.compile(r"@import\b")),
    (CssProblem.EXPRESSION, re.compile(r"expression\s*\(")),
    (CssProblem.BEHAVIOR, re.compile(r"behaviou?r\s*:")),
    (CssProblem.BINDING, re.compile(r"-moz-binding")),
    (CssProblem.SCRIPT_URL, re.compile(r"(?:java|vb)script\s*:")),
)
# url(x), url("x"), src("x"): the argument is group 1, 2 or 3.
_URL_FUNC = re.compile(r"\b(?:url|src)\s*\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\s]*))")
_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\s*\(")
_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:")


def _decode_escape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def normalize(source: str) -> str:
    """Return source without comments, with CSS escapes decoded, in lower case."""
    # Old Internet Explorer ignored comments inside words (expr/**/ession): so do we.
    text = _COMMENT.sub("", source)
    text = _HEX_ESCAPE.sub(_decode_escape, text)
    # An escaped newline inside a string is a line continuation: it disappears.
    text = _CHAR_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)
    return text.replace("\x00", "\ufffd").lower()


def is_local_reference(target: str) -> bool:
    """Say whether a url() target stays on this site (a relative path, no scheme, no host)."""
    target = target.strip()
    if not target:
        return True
    if target.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    return not _SCHEME.match(target)


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _closing_paren(text: str, start: int) -> int:
    """Return the index just after the parenthesis that closes the one before start."""
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def find_problems(source: str) -> list[Finding]:
    """Return every refused construct in source, in a stable order, without duplicates."""
    findings: list[Finding] = []
    if "<" in source:
        findings.append(Finding(CssProblem.LESS_THAN, "<"))
    text = normalize(source)
    for problem, pattern in _KEYWORDS:
        match = pattern.search(text)
        if match:
            findings.append(Finding(problem, _excerpt(match.group(0))))
    for match in _URL_FUNC.finditer(text):
        target = next((g for g in match.groups() if g is not None), "")
        if not is_local_reference(target):
            findings.append(Finding(CssProblem.REMOTE_URL, _excerpt(target)))
    for match in _IMAGE_SET.finditer(text):
        inside = text[match.end() : _closing_paren(text, match.end())]
        for string in _STRING.finditer(inside):
            target = next((g for g in string.groups() if g is not None), "")
            if not is_local_reference(target):
                findings.append(Finding(CssProblem.REMOTE_URL, _excerpt(target)))
    unique: dict[tuple[CssProblem, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.problem, finding.excerpt), finding)
    return list(unique.values())


def safe_css(source: str | None) -> str | None:
    """Return CSS safe to place inside <style>, or None when there is none or it breaks the rules.

    A stray "<" is escaped (the CSS still works); anything else that is refused
    drops the whole custom CSS, because cutting pieces out could leave CSS that
    means something else.
    """
    if not source or not source.strip():
        return None
    if any(f.problem is not CssProblem.LESS_THAN for f in find_problems(source)):
        return None
    return source.replace("<", "\\3c ")
