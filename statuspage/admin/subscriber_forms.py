"""Console forms for subscribers: add, edit, CSV import (upload, then start)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..subscribers.models import Channel, EventKind
from .forms import ConsoleForm

CHANNEL_LABELS = {
    Channel.EMAIL: _l("Email"),
    Channel.SMS: _l("SMS"),
    Channel.WEBHOOK: _l("Webhook"),
    Channel.SLACK: _l("Slack"),
    Channel.TEAMS: _l("Microsoft Teams"),
    Channel.DISCORD: _l("Discord"),
    Channel.GOOGLECHAT: _l("Google Chat"),
    Channel.APPRISE: _l("Apprise URL"),
}
KIND_LABELS = {
    EventKind.INCIDENTS: _l("Incidents"),
    EventKind.MAINTENANCE: _l("Maintenance"),
    EventKind.COMPONENT_STATUS: _l("Component status changes"),
    EventKind.POSTMORTEMS: _l("Postmortems"),
}


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Choices(ConsoleForm):
    components = CheckboxesField(_l("Components"), choices=[], validate_choice=True)
    groups = CheckboxesField(_l("Component groups (includes components added later)"), choices=[])
    kinds = CheckboxesField(
        _l("Kinds of updates"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
    )
    language = StringField(_l("Language (e.g. en, de, pt_BR)"), validators=[Length(max=16)])

    def offer(self, components: list[tuple[str, str]], groups: list[tuple[str, str]]) -> None:
        """Offer these components and groups (public id, name)."""
        self.components.choices = [SelectChoice(v, label) for v, label in components]
        self.groups.choices = [SelectChoice(v, label) for v, label in groups]


class SubscriberAddForm(_Choices):
    """A new subscriber on any channel."""

    channel = SelectField(_l("Channel"))
    target = StringField(_l("Address (email, phone number or URL)"), validators=[Length(max=2000)])
    phone_country = StringField(
        _l("Country for phone numbers without +country code (e.g. DE)"),
        validators=[Optional(), Length(max=2)],
    )
    consent = BooleanField(_l("This person agreed to receive updates: do not ask them to confirm"))

    def offer_channels(self, allow_apprise: bool) -> None:
        """Offer every channel; Apprise URLs only to admins."""
        self.channel.choices = [
            SelectChoice(c.value, label)
            for c, label in CHANNEL_LABELS.items()
            if allow_apprise or c is not Channel.APPRISE
        ]


class SubscriberEditForm(_Choices):
    """What a subscriber follows, which kinds of updates and in which language."""


class ImportUploadForm(ConsoleForm):
    """A CSV file of subscribers to check."""

    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Choose a CSV file."))])


class ImportStartForm(ConsoleForm):
    """Start the import of a checked file."""

    consent = BooleanField(_l("These people agreed to receive updates: do not ask them to confirm"))
