"""Public subscription forms (Flask-WTF); a stale CSRF token is explained, not a bare 400."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..subscribers.models import Channel, EventKind

# Size limits: generous for real input, small enough that nobody stores a novel.
MAX_TARGET = 2000
MAX_CHOICES = 500
MAX_CODE = 12
MAX_ID = 64

PUBLIC_CHANNELS = [
    SelectChoice(Channel.EMAIL.value, _l("Email")),
    SelectChoice(Channel.SMS.value, _l("Text message (SMS)")),
    SelectChoice(Channel.WEBHOOK.value, _l("Webhook")),
    SelectChoice(Channel.SLACK.value, _l("Slack")),
    SelectChoice(Channel.TEAMS.value, _l("Microsoft Teams")),
    SelectChoice(Channel.DISCORD.value, _l("Discord")),
    SelectChoice(Channel.GOOGLECHAT.value, _l("Google Chat")),
]

EVENT_CHOICES = [
    SelectChoice(EventKind.INCIDENTS.value, _l("Incidents")),
    SelectChoice(EventKind.MAINTENANCE.value, _l("Scheduled maintenance")),
    SelectChoice(EventKind.COMPONENT_STATUS.value, _l("Component status changes")),
    SelectChoice(EventKind.POSTMORTEMS.value, _l("Postmortems")),
]

SCOPE_CHOICES = [
    SelectChoice("all", _l("Everything on this page")),
    SelectChoice("components", _l("Only the components I choose")),
]

TOO_LONG = _l("Use at most %(max)d characters.")

STALE_FORM = _l(
    "This form was open too long or was already sent, so nothing was saved. "
    "Check what you entered and send it again."
)


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Refuse more values than there are choices (the size limit on a list)."""
        if self.data and len(self.data) > MAX_CHOICES:
            raise ValueError(str(_l("Too many choices.")))
        super().pre_validate(form)


class PublicForm(FlaskForm):
    """Base of the public forms: CSRF failures become a message above the form."""

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate fields; turn a CSRF failure into a form-level message."""
        ok = bool(super().validate(extra_validators=extra_validators))
        token = getattr(self, "csrf_token", None)
        if token is not None and token.errors:
            token.errors = []
            self.form_errors.append(str(STALE_FORM))
        return ok


class ChoicesMixin:
    """What a subscriber follows: everything or chosen components and groups, kinds, language."""

    scope = RadioField(_l("What to follow"), choices=SCOPE_CHOICES, default="all")
    components = CheckboxesField(_l("Components"), choices=[], validate_choice=True)
    groups = CheckboxesField(_l("Groups"), choices=[], validate_choice=True)
    events = CheckboxesField(
        _l("Which updates"),
        choices=EVENT_CHOICES,
        default=[choice.value for choice in EVENT_CHOICES],
    )
    language = SelectField(_l("Language of the messages"), choices=[])


class SubscribeForm(ChoicesMixin, PublicForm):
    """Subscribe an address on one channel."""

    channel = RadioField(_l("How to reach you"), choices=PUBLIC_CHANNELS, default="email")
    target = StringField(
        _l("Email address, phone number or URL"),
        validators=[Length(max=MAX_TARGET, message=TOO_LONG)],
    )
    incident = HiddenField(validators=[Optional(), Length(max=MAX_ID)])
    # Honeypot: hidden from people (CSS and aria-hidden); bots that fill every field fill it.
    website = StringField(
        _l("Leave this field empty"), validators=[Length(max=MAX_TARGET, message=TOO_LONG)]
    )


class ManageForm(ChoicesMixin, PublicForm):
    """Change what a subscriber follows."""


class CodeForm(FlaskForm):
    """The code texted to an SMS subscriber (the signed link is the authority: no CSRF)."""

    class Meta:
        csrf = False

    code = StringField(_l("Code"), validators=[Length(max=MAX_CODE, message=TOO_LONG)])


class ResendForm(PublicForm):
    """Ask for a new confirmation link for an email address."""

    email = StringField(_l("Email address"), validators=[Length(max=MAX_TARGET, message=TOO_LONG)])
