"""Read the page settings."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import PageSettings


def get_page_settings() -> PageSettings:
    """Return the page settings row, or unsaved defaults when none exists yet."""
    settings = db.session.scalar(sa.select(PageSettings).order_by(PageSettings.id).limit(1))
    if settings is None:
        settings = PageSettings(
            name="Status",
            url="",
            time_zone="UTC",
            default_language="en",
            theme="default",
            accent_color="#2563eb",
            footer_links=[],
        )
    return settings
