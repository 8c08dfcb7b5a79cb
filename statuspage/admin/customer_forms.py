"""Console forms for customers (add, edit, CSV import) and an incident's support wording."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, Form, FormField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from .forms import ConsoleForm
from .incident_forms import ZonedForm
from .maintenance_forms import LocalDateTimeField
from .subscriber_forms import CheckboxesField

TRANSLATION_ROWS = 2  # empty translation rows offered besides the existing ones


class CustomerForm(ConsoleForm):
    """A customer account."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    external_id = StringField(_l("External id (CRM or billing)"), validators=[Length(max=200)])
    domains = StringField(_l("Email domains (separated by commas)"), validators=[Length(max=5000)])
    plan = StringField(_l("Plan"), validators=[Length(max=100)])
    language = StringField(_l("Language (e.g. en, de, pt_BR)"), validators=[Length(max=16)])
    components = CheckboxesField(_l("Components they use"), choices=[], validate_choice=True)
    notes = TextAreaField(_l("Notes for support"), validators=[Length(max=5000)])

    def offer(self, components: list[tuple[str, str]]) -> None:
        """Offer these components (public id, name)."""
        self.components.choices = [SelectChoice(v, label) for v, label in components]


class CustomerImportForm(ConsoleForm):
    """A CSV file of customers to check."""

    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Choose a CSV file."))])


class TranslationForm(Form):
    """One translation of the wording (no CSRF of its own: the outer form has it)."""

    locale = StringField(_l("Language"), validators=[Length(max=16)])
    body = TextAreaField(_l("Text"))


class WordingForm(ZonedForm):
    """What support tells customers about an incident, per language, and the expected end."""

    body = TextAreaField(_l("What to tell customers"))
    translations = FieldList(FormField(TranslationForm), min_entries=TRANSLATION_ROWS)
    expected_resolution_at = LocalDateTimeField(_l("Expected resolution (internal)"))
