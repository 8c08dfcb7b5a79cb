"""The page settings form: parses input; every rule lives in site.services."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from wtforms import (
    ColorField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from ..errors import ValidationError
from ..site.services import MAX_FOOTER_LINKS
from .forms import ConsoleForm
from .helpers import apply_errors

DEFAULT_PICKER = "#2563eb"


class FooterLinkForm(Form):
    """One footer link (a plain sub-form: the outer form carries the CSRF token)."""

    label = StringField(_l("Label"))
    url = StringField(_l("Address"))


class SettingsForm(ConsoleForm):
    """Everything on the settings page."""

    name = StringField(_l("Page name"))
    url = StringField(_l("Public address of the status page"))
    time_zone = SelectField(_l("Time zone"), validate_choice=False)
    default_language = SelectField(_l("Default language"), validate_choice=False)
    logo_url = StringField(_l("Logo address"))
    accent_color = StringField(_l("Accent colour"))
    # The picker and the text box show the same colour; without JavaScript the one the
    # user changed wins (accent_before holds the colour the page was rendered with).
    accent_picker = ColorField(_l("Pick the accent colour"))
    accent_before = HiddenField()
    footer_links = FieldList(
        FormField(FooterLinkForm), min_entries=MAX_FOOTER_LINKS, max_entries=MAX_FOOTER_LINKS
    )
    theme = SelectField(_l("Theme"), validate_choice=False)
    custom_css = TextAreaField(_l("Custom CSS"))
    support_url = StringField(_l("Support address"))

    def set_choices(self, time_zones: list[str], languages: list[str], themes: list[str]) -> None:
        """Fill the select boxes with what is installed."""
        self.time_zone.choices = [
            SelectChoice(zone, zone, optgroup=zone.split("/", 1)[0] if "/" in zone else None)
            for zone in time_zones
        ]
        self.default_language.choices = [
            SelectChoice(code, language_name(code)) for code in languages
        ]
        self.theme.choices = [SelectChoice(name, name) for name in themes]

    def chosen_accent(self) -> str:
        """Return the accent colour the user meant: the text box unless only the picker changed."""
        text = (self.accent_color.data or "").strip()
        picker = (self.accent_picker.data or "").strip()
        before = (self.accent_before.data or "").strip().lower()
        if picker and picker.lower() != before and text.lower() == before:
            return picker
        return text

    def changes(self) -> dict[str, Any]:
        """Return the submitted values as update_settings() keyword arguments."""
        return {
            "name": self.name.data or "",
            "url": self.url.data or "",
            "time_zone": self.time_zone.data or "",
            "default_language": self.default_language.data or "",
            "logo_url": self.logo_url.data or "",
            "accent_color": self.chosen_accent(),
            "footer_links": [
                {"label": entry.form.label.data or "", "url": entry.form.url.data or ""}
                for entry in self.footer_links.entries
            ],
            "theme": self.theme.data or "",
            "custom_css": self.custom_css.data or "",
            "support_url": self.support_url.data or "",
        }


def language_name(code: str) -> str:
    """Return a language's own name ("Deutsch" for de), or the code when Babel does not know it."""
    try:
        name = Locale.parse(code).get_display_name(code)
    except (UnknownLocaleError, ValueError):
        return code
    return f"{name[:1].upper()}{name[1:]} ({code})" if name else code


def form_data(current: dict[str, Any]) -> dict[str, Any]:
    """Return the form's initial data from a settings snapshot (site.services.snapshot)."""
    accent = str(current.get("accent_color") or "")
    links = [dict(link) for link in current.get("footer_links") or []][:MAX_FOOTER_LINKS]
    return {
        **current,
        "accent_picker": accent if len(accent) == 7 else DEFAULT_PICKER,
        "accent_before": accent,
        "footer_links": links,
    }


def apply_settings_errors(form: SettingsForm, exc: ValidationError) -> None:
    """Show the service's errors beside the fields, footer link errors beside their row."""
    rest: dict[str, str] = {}
    for key, message in exc.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "footer_links" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(form.footer_links.entries):
                sub = getattr(form.footer_links.entries[index].form, parts[2], None)
                if sub is not None:
                    sub.errors = [*list(sub.errors), message]
                    continue
        if parts[0] == "footer_links":
            form.form_errors.append(message)  # about the list as a whole
            continue
        rest[key] = message
    if rest:
        apply_errors(form, ValidationError(rest))
