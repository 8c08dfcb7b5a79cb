"""Run axe-core (bundled with axe-playwright-python, no network) on a Playwright page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# Every rule axe runs by default (WCAG 2.0-2.2 A and AA, best practices), plus WCAG 2.2's
# target size (2.5.8), which axe leaves off by default because of its exceptions.
OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
# The one known exception: the 90 day bars of an uptime bar are about 9 px wide. Their
# information is also in the bar's text (uptime %, first and last day) and on /uptime,
# but a 24 px target per day needs a redesign of the bar (see the report of issue 7).
_KNOWN = {("target-size", 'class="uptime-day"')}


def _known(rule: str, node: dict[str, Any]) -> bool:
    return any(rule == known_rule and marker in node["html"] for known_rule, marker in _KNOWN)


def violations(page: Any) -> list[str]:
    """Return one line per axe violation on the page as it is now ([] when clean)."""
    results = _AXE.run(page, options=OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            if _known(violation["id"], node):
                continue
            target = " ".join(str(t) for t in node["target"])
            summary = node["failureSummary"]
            lines.append(f"{violation['id']} ({violation['impact']}): {target}: {summary}")
    return lines


def assert_clean(page: Any, label: str) -> None:
    """Fail with every violation axe finds on the page, naming the page."""
    found = violations(page)
    assert not found, f"{label} ({page.url}):\n" + "\n".join(found)
