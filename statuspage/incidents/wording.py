"""Fill template variables such as {component}, {start} and {end} (pure, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES = ("component", "components", "start", "end", "page")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace known {variables} that have a value; leave everything else as written."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None or value == "" else value

    return _PLACEHOLDER.sub(replace, text)
