"""Console forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

ROLE_CHOICES = [
    ("admin", _l("Admin")),
    ("communicator", _l("Communicator")),
    ("support", _l("Support")),
]


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):
    """Change your own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(_l("Repeat the new password"), validators=[DataRequired()])


class UserCreateForm(FlaskForm):
    """A new staff user."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1024)])


class UserUpdateForm(FlaskForm):
    """Role and active flag of a user."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))


class ApiKeyForm(FlaskForm):
    """A new API key."""

    name = StringField(_l("What is this key for?"), validators=[Length(max=200)])


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""
