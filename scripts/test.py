#!/usr/bin/env python3
"""Run every check: `python3 scripts/test.py [pytest args]`.

Creates .venv if needed, installs the project with its test extras, makes sure
Debian's chromium is there for the browser tests, compiles translations, then
runs ruff, mypy and pytest (extra arguments go to pytest). ruff, mypy and
pytest all run even if an earlier one fails; the exit status is non-zero if any
step failed, and "no tests ran" (pytest exit 5) counts as a failure.
With CI=true the tests refuse to skip PostgreSQL or the browser.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bootstrap import (  # noqa: E402
    BIN,
    ROOT,
    StepFailed,
    check_python,
    compile_translations,
    ensure_installed,
    ensure_venv,
    run,
    step,
)

CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")
# chromium for the browser tests, nginx for the test that serves the static export.
APT_PACKAGES = ["chromium", "fonts-liberation", "nginx"]
PYTEST_NO_TESTS = 5


def ensure_chromium() -> None:
    """Install Debian's chromium (and fonts) for the Playwright tests if it is missing."""
    if CHROMIUM.exists() and NGINX.exists():
        return
    step(f"Installing {' '.join(APT_PACKAGES)} (browser tests need {CHROMIUM}, export tests nginx)")
    command = f"apt-get update && apt-get install -y {' '.join(APT_PACKAGES)}"
    if not shutil.which("apt-get"):
        raise StepFailed(f"{CHROMIUM} is missing and this is not a Debian system: install chromium")
    if os.geteuid() != 0:
        raise StepFailed(f"{CHROMIUM} is missing; install it with: sudo sh -c '{command}'")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=600"]  # another apt may be running
    run(["apt-get", *wait_for_lock, "update"], env=env)
    run(["apt-get", *wait_for_lock, "install", "-y", *APT_PACKAGES], env=env)
    for needed in (CHROMIUM, NGINX):
        if not needed.exists():
            raise StepFailed(f"apt-get finished but {needed} is still missing")


def main(pytest_args: list[str]) -> int:
    """Prepare, then run ruff, mypy and pytest; return the exit status."""
    check_python()
    ensure_venv()
    ensure_installed(["test"])
    ensure_chromium()
    compile_translations()

    failed = []
    # Lint the project's Python folders that exist in this checkout (bench/ may not yet).
    lint = [d for d in ("statuspage", "tests", "scripts", "bench") if (ROOT / d).is_dir()]
    checks = [
        ("ruff", [BIN / "ruff", "check", *lint]),
        ("mypy", [BIN / "mypy"]),
        ("pytest", [BIN / "pytest", *pytest_args]),
    ]
    for name, command in checks:
        step(name)
        code = run(command, check=False)
        if code == PYTEST_NO_TESTS and name == "pytest":
            print("pytest collected no tests: that counts as a failure", flush=True)
        if code != 0:
            failed.append(f"{name} (exit {code})")

    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr, flush=True)
        return 1
    print("\nAll checks passed.", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except StepFailed as exc:
        print(f"\ntest.py: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
