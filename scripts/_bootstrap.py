"""Shared steps of scripts/start.py and scripts/test.py: standard library only.

They run with whatever python3 the machine has, before any dependency exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / "statuspage-install.json"
MIN_PYTHON = (3, 11)


class StepFailed(Exception):
    """A step failed; the message says which and why."""


def step(title: str) -> None:
    """Announce a step."""
    print(f"\n==> {title}", flush=True)


def run(args: list[str | Path], *, check: bool = True, env: dict[str, str] | None = None) -> int:
    """Run a command from the project root, echoing it; raise StepFailed on failure."""
    printable = " ".join(str(a) for a in args)
    print(f"    $ {printable}", flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if check and result.returncode != 0:
        raise StepFailed(f"`{printable}` exited with {result.returncode}")
    return int(result.returncode)


def check_python() -> None:
    """Refuse to run on a Python older than the project supports."""
    if sys.version_info < MIN_PYTHON:
        raise StepFailed(
            f"Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}"
        )


def ensure_venv() -> None:
    """Create .venv with the standard library's venv module if it does not exist."""
    if PYTHON.exists():
        return
    step(f"Creating the virtual environment in {VENV.relative_to(ROOT)}/")
    try:
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    except (subprocess.CalledProcessError, OSError) as exc:
        raise StepFailed(
            f"could not create {VENV} ({exc}). On Debian/Ubuntu install the venv module "
            "first: sudo apt-get install -y python3-venv"
        ) from exc


def _pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _stamp() -> dict[str, object]:
    try:
        data = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ensure_installed(extras: list[str]) -> None:
    """pip install -e .[extras] unless pyproject.toml is unchanged since the last install."""
    stamp = _stamp()
    installed_extras = stamp.get("extras")
    if (
        stamp.get("pyproject") == _pyproject_hash()
        and isinstance(installed_extras, list)
        and set(extras) <= set(installed_extras)
    ):
        return
    target = "." + (f"[{','.join(extras)}]" if extras else "")
    step(f"Installing the project and its dependencies (pip install -e {target})")
    run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target])
    STAMP.write_text(json.dumps({"pyproject": _pyproject_hash(), "extras": sorted(extras)}))


def compile_translations() -> None:
    """Compile translations/*/LC_MESSAGES/*.po into .mo files, if there are any."""
    translations = ROOT / "translations"
    if not any(translations.glob("*/LC_MESSAGES/*.po")):
        return
    step("Compiling translations")
    run([BIN / "pybabel", "compile", "-d", "translations"])


def statuspage(*args: str, env: dict[str, str] | None = None) -> None:
    """Run the installed `statuspage` command."""
    run([BIN / "statuspage", *args], env=env)
