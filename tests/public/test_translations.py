"""The English catalog is complete and the public strings go through it."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_english_catalog_is_complete():
    template = read(TRANSLATIONS / "messages.pot")
    english = read(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {}
    for message in english:
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            have[key] = message
    assert wanted - set(have) == set(), "run: .venv/bin/python translations/update.py"
    for key, message in have.items():
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        assert all(strings), f"empty msgstr for {key!r}"
        assert "fuzzy" not in message.flags, key


def test_public_strings_are_in_the_template():
    template = read(TRANSLATIONS / "messages.pot")
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for text in (
        "All Systems Operational",
        "No incidents reported",
        "No downtime recorded",
        "No data",
        "Skip to main content",
        "Page not found",
        "%(num)s day ago",
        "Uptime: %(percent)s",
        "Major outage: %(time)s",
        "Partial outage: %(time)s",
    ):
        assert text in ids, text
