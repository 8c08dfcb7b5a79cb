"""Read models of the embeds: the /embed page's view-model and the widget's wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..components.queries import visible_component_tree
from ..components.rollup import indicator_description, page_indicator
from ..i18n import reader_languages
from ..incidents.models import Impact, IncidentStatus
from ..incidents.queries import open_incidents
from ..incidents.translations import localize_incidents
from ..maintenance.models import MaintenanceStatus
from ..maintenance.queries import current_and_upcoming
from ..markup import markdown_to_text
from ..public.formatting import time_view
from ..public.labels import (
    impact_label,
    incident_status_label,
    maintenance_status_label,
)
from ..public.viewmodels import TimeView
from ..themes.render import current_page


@dataclass(frozen=True)
class EmbedItemView:
    """An unresolved incident or a maintenance in progress, as one line of the embed."""

    kind: str  # "incident" or "maintenance"
    public_id: str
    name: str
    impact: str
    impact_label: str
    status_label: str
    latest_text: str | None
    latest_at: TimeView | None


@dataclass(frozen=True)
class EmbedPageView:
    """What the /embed page shows: the headline and what is going on now."""

    indicator: str
    description: str
    items: tuple[EmbedItemView, ...]


def embed_page(now: datetime) -> EmbedPageView:
    """Return the /embed page: overall indicator, open incidents, maintenance in progress."""
    tz = current_page().zone
    tree = visible_component_tree()
    incidents = localize_incidents(open_incidents(), *reader_languages())
    in_progress, _upcoming = current_and_upcoming(now)
    indicator = page_indicator(tree.components, incidents, bool(in_progress))
    items = [
        EmbedItemView(
            kind="incident",
            public_id=i.public_id,
            name=i.name,
            impact=i.impact.value,
            impact_label=impact_label(i.impact),
            status_label=incident_status_label(i.status),
            latest_text=markdown_to_text(i.latest_update.body) if i.latest_update else None,
            latest_at=time_view(i.latest_update.display_at, tz) if i.latest_update else None,
        )
        for i in incidents
    ]
    items += [
        EmbedItemView(
            kind="maintenance",
            public_id=m.public_id,
            name=m.name,
            impact=Impact.MAINTENANCE.value,
            impact_label=impact_label(Impact.MAINTENANCE),
            status_label=maintenance_status_label(m.status),
            latest_text=markdown_to_text(m.latest_update.body) if m.latest_update else None,
            latest_at=time_view(m.latest_update.display_at, tz) if m.latest_update else None,
        )
        for m in in_progress
    ]
    return EmbedPageView(
        indicator=indicator.value,
        description=indicator_description(indicator),
        items=tuple(items),
    )


def _wording() -> dict[str, Any]:
    """Return the widget's text in the current locale."""
    return {
        "indicator": {i.value: indicator_description(i) for i in Impact},
        "incident_status": {s.value: incident_status_label(s) for s in IncidentStatus},
        "maintenance_status": {s.value: maintenance_status_label(s) for s in MaintenanceStatus},
        "incident": _("Incident"),
        "maintenance": _("Maintenance"),
        "dismiss": _("Dismiss"),
        "unavailable": _("Status unavailable"),
        "widget_label": _("Service status"),
    }


def widget_wording(locales: list[str]) -> dict[str, dict[str, Any]]:
    """Return the widget's text for every locale, keyed by BCP 47 tag ("pt-BR")."""
    out: dict[str, dict[str, Any]] = {}
    for locale in locales:
        with force_locale(locale):
            words = _wording()
        words["dir"] = "rtl" if _is_rtl(locale) else "ltr"
        out[locale.replace("_", "-")] = words
    return out


def _is_rtl(locale: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale).character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False
