"""Console form for incident and maintenance message templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..components.console_queries import ComponentChoice
from ..components.models import ComponentStatus
from ..incidents.models import IncidentStatus, TemplateKind
from ..maintenance.models import MaintenanceStatus
from ..public.labels import (
    component_status_label,
    incident_status_label,
    maintenance_status_label,
)
from .forms import ConsoleForm
from .maintenance_forms import ComponentCheckboxes


class TemplateForm(ConsoleForm):
    """A template's name, wording, status, components and notify flag."""

    name = StringField(_l("Name"))
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Message"))
    status = SelectField(_l("Status"), invalid_choice_message=_l("Choose a status from the list."))
    components = ComponentCheckboxes(_l("Components"))
    component_status = SelectField(
        _l("Status of those components"),
        invalid_choice_message=_l("Choose a status from the list."),
    )
    notify = BooleanField(_l("Notify subscribers (the form starts with this choice)"), default=True)

    def __init__(
        self, *args: Any, kind: TemplateKind, components: Sequence[ComponentChoice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.components.offer(components)
        if kind is TemplateKind.INCIDENT:
            # A new incident from a template never starts as a postmortem.
            self.status.choices = [
                SelectChoice(s.value, incident_status_label(s))
                for s in IncidentStatus
                if s is not IncidentStatus.POSTMORTEM
            ]
            self.component_status.choices = [SelectChoice("", _("Choose…"))] + [
                SelectChoice(s.value, component_status_label(s)) for s in ComponentStatus
            ]
        else:
            self.status.choices = [
                SelectChoice(s.value, maintenance_status_label(s)) for s in MaintenanceStatus
            ]
            # Maintenance sets its components' status itself (under maintenance and back).
            del self.component_status

    def values(self) -> dict[str, Any]:
        """Return the service arguments, except the components (a lookup)."""
        incident = self.kind is TemplateKind.INCIDENT
        return {
            "name": self.name.data or "",
            "title": self.title.data or "",
            "body": self.body.data or "",
            "status": self.status.data or "",
            "component_status": (self.component_status.data or None) if incident else None,
            "notify": bool(self.notify.data),
        }
