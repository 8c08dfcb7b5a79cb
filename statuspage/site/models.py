"""Page-wide settings: one row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import PublicIdMixin, TimestampMixin
from ..extensions import db


class PageSettings(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined]
    """The status page's name, address, zone, language and branding."""

    __tablename__ = "page_settings"

    name: Mapped[str] = mapped_column(sa.String(200), default="Status")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    default_language: Mapped[str] = mapped_column(sa.String(16), default="en")
    theme: Mapped[str] = mapped_column(sa.String(64), default="default")
    logo_url: Mapped[str | None] = mapped_column(sa.String(500))
    accent_color: Mapped[str] = mapped_column(sa.String(16), default="#2563eb")
    support_url: Mapped[str | None] = mapped_column(sa.String(500))
    custom_css: Mapped[str | None] = mapped_column(sa.Text)
    # [{"label": ..., "url": ...}] shown in the public footer.
    footer_links: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
