"""Console forms for alert integrations, mapping rules and internal incident links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField

from .forms import ConsoleForm


class IntegrationForm(ConsoleForm):
    """A new integration: which tool and a name people recognise."""

    kind = SelectField(_l("Source"), invalid_choice_message=_l("Choose a source from the list."))
    name = StringField(_l("Name"))


class EnableForm(ConsoleForm):
    """Enable ("1") or disable ("0") an integration."""

    enabled = HiddenField()


class MappingRuleForm(ConsoleForm):
    """Map a label value to a component, for one integration or all."""

    integration = SelectField(
        _l("Integration"), invalid_choice_message=_l("Choose an integration from the list.")
    )
    match_key = StringField(_l("Label"), default="service")
    match_value = StringField(_l("Value"))
    component = SelectField(
        _l("Component"), invalid_choice_message=_l("Choose a component from the list.")
    )


class LinkForm(ConsoleForm):
    """Link an existing public incident."""

    incident = SelectField(
        _l("Public incident"), invalid_choice_message=_l("Choose an incident from the list.")
    )
