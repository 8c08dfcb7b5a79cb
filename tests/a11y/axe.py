"""Run axe-core (bundled with axe-playwright-python, no network) on a Playwright page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# Every rule axe runs by default: WCAG 2.0-2.2 A and AA, and best practices.
OPTIONS = {"resultTypes": ["violations"]}


def violations(page: Any) -> list[str]:
    """Return one line per axe violation on the page as it is now ([] when clean)."""
    results = _AXE.run(page, options=OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}): {target}: {node['failureSummary']}"
            )
    return lines


def assert_clean(page: Any, label: str) -> None:
    """Fail with every violation axe finds on the page, naming the page."""
    found = violations(page)
    assert not found, f"{label} ({page.url}):\n" + "\n".join(found)
