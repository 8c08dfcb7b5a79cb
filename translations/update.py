"""Re-extract messages, merge them into every catalog, fill English, compile.

Catalogs missing for a configured language (statuspage.config LANGUAGES) are created empty.

Usage (from the project root):  .venv/bin/python translations/update.py [--check]

English is the source language: its msgstr is the msgid, filled here so the
catalog is always complete. With --check nothing is written; the exit status
says whether messages.pot and the English catalog are up to date.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "translations"
BIN = Path(sys.executable).parent
POT = HERE / "messages.pot"
EXTRACT = [
    str(BIN / "pybabel"), "-q", "extract", "-F", str(HERE / "babel.cfg"),
    "-k", "lazy_gettext", "-k", "_l", "--no-location", "--sort-output",
    "--project", "statuspage", "--version", "0.1.0", "--msgid-bugs-address", "",
    "--copyright-holder", "statuspage contributors",
]  # fmt: skip


def _ids(path: Path) -> set[object]:
    with path.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def _fill_english(po: Path) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = (message.id[0], message.id[1])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    catalog.obsolete.clear()
    with po.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=True, sort_output=True)


def _languages() -> list[str]:
    """Return the page languages the app is configured with."""
    sys.path.insert(0, str(ROOT))
    from statuspage.config import Config

    return list(Config.LANGUAGES)


def main() -> int:
    """Run the steps; with --check only compare."""
    check = "--check" in sys.argv[1:]
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "messages.pot"
            subprocess.run([*EXTRACT, "-o", str(fresh), "."], check=True, cwd=ROOT)  # noqa: S603
            en = HERE / "en" / "LC_MESSAGES" / "messages.po"
            missing = _ids(fresh) - _ids(en) if en.exists() else _ids(fresh)
            stale = _ids(fresh) != _ids(POT)
        for mid in sorted(map(str, missing)):
            print(f"not in the English catalog: {mid}")
        if stale:
            print("messages.pot is out of date")
        return 1 if missing or stale else 0

    subprocess.run([*EXTRACT, "-o", str(POT), "."], check=True, cwd=ROOT)  # noqa: S603
    pybabel = [str(BIN / "pybabel"), "-q"]
    # A page language without a catalog yet gets an empty one (English shows until filled).
    for code in _languages():
        if not (HERE / code / "LC_MESSAGES" / "messages.po").exists():
            cmd = [*pybabel, "init", "-i", str(POT), "-d", str(HERE), "-l", code]
            subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603
    # Every catalog gains the new messages (empty) and loses the removed ones; translated
    # msgstr are kept as they are, and no fuzzy guesses are made for the translators.
    cmd = [
        *pybabel, "update", "-i", str(POT), "-d", str(HERE),
        "--no-fuzzy-matching", "--ignore-obsolete",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603
    en = HERE / "en" / "LC_MESSAGES" / "messages.po"
    _fill_english(en)
    # An empty msgstr is left out of the .mo, so gettext falls back to the English msgid.
    subprocess.run([*pybabel, "compile", "-d", str(HERE)], check=True, cwd=ROOT)  # noqa: S603
    return 0


if __name__ == "__main__":
    sys.exit(main())
