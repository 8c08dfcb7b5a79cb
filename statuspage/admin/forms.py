"""Console forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

ROLE_CHOICES = [
    SelectChoice("admin", _l("Admin")),
    SelectChoice("communicator", _l("Communicator")),
    SelectChoice("support", _l("Support")),
]


STALE_FORM = _l(
    "This form was open too long or was already sent, so nothing was saved. "
    "Check what you entered and send it again."
)


class ConsoleForm(FlaskForm):
    """Base of every console form: an expired or missing CSRF token is explained, not a 400."""

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate fields; turn a CSRF failure into a form-level message."""
        ok = bool(super().validate(extra_validators=extra_validators))
        token = getattr(self, "csrf_token", None)
        if token is not None and token.errors:
            token.errors = []
            self.form_errors.append(str(STALE_FORM))
        return ok


class SignInForm(ConsoleForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(ConsoleForm):
    """Change your own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(_l("Repeat the new password"), validators=[DataRequired()])


class UserCreateForm(ConsoleForm):
    """A new staff user."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1024)])


class UserUpdateForm(ConsoleForm):
    """Role and active flag of a user."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))


class ApiKeyForm(ConsoleForm):
    """A new API key."""

    name = StringField(_l("What is this key for?"), validators=[Length(max=200)])


class ConfirmForm(ConsoleForm):
    """An empty form: a button with a CSRF token."""
