"""Small helpers shared by console views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from ..errors import ValidationError


def apply_errors(form: FlaskForm, exc: ValidationError) -> None:
    """Show a service's validation errors beside the matching form fields."""
    for field_name, message in exc.errors.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)
