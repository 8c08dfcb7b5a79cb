"""Console form for broadcast channels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..incidents.models import Impact
from .forms import ConsoleForm
from .subscriber_forms import CheckboxesField

IMPACT_CHOICES = [
    SelectChoice(Impact.NONE.value, _l("Every event")),
    SelectChoice(Impact.MAINTENANCE.value, _l("Maintenance and incidents")),
    SelectChoice(Impact.MINOR.value, _l("Minor impact and above")),
    SelectChoice(Impact.MAJOR.value, _l("Major impact and above")),
    SelectChoice(Impact.CRITICAL.value, _l("Critical impact only")),
]


class BroadcastForm(ConsoleForm):
    """A broadcast channel: name, Apprise URL, components and minimum impact."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    apprise_url = StringField(
        _l("Apprise URL (e.g. slack://..., mailto://...)"), validators=[Length(max=2000)]
    )
    components = CheckboxesField(
        _l("Components (none chosen: every component)"), choices=[], validate_choice=True
    )
    minimum_impact = SelectField(_l("Send"), choices=IMPACT_CHOICES)
    enabled = BooleanField(_l("On"), default=True)

    def offer(self, components: list[tuple[str, str]]) -> None:
        """Offer these components (public id, name)."""
        self.components.choices = [SelectChoice(v, label) for v, label in components]
