"""Console forms for incidents: create, update, edit an update, resolve, backfill, postmortem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from ..components.models import ComponentStatus
from ..components.rollup import impact_from_components
from ..incidents.console_queries import ComponentRow
from ..incidents.models import Impact, IncidentStatus
from ..public.labels import component_status_label, impact_label, incident_status_label
from .forms import ConsoleForm
from .maintenance_forms import LocalDateTimeField

NO_CHANGE = ""
RESOLVED_TEXT = _l("This incident has been resolved.")
# Statuses a person picks for an incident; "postmortem" comes from publishing one.
PICKABLE_STATUSES = tuple(s for s in IncidentStatus if s is not IncidentStatus.POSTMORTEM)


def status_choices() -> list[SelectChoice]:
    """Return the incident statuses a form offers."""
    return [SelectChoice(s.value, incident_status_label(s)) for s in PICKABLE_STATUSES]


def impact_choices() -> list[SelectChoice]:
    """Return the impact override choices, "derive from the components" first."""
    return [SelectChoice("", _("Derive from the components"))] + [
        SelectChoice(i.value, impact_label(i)) for i in Impact
    ]


def derived_impact(statuses: Sequence[ComponentStatus]) -> Impact:
    """Return the impact the chosen component statuses give (what the service derives)."""
    return impact_from_components(list(statuses))


class ComponentStatusesField(Field):
    """One status select per component, named "<field>-<public id>".

    data maps public id -> chosen status ("" = no change). Each select may carry a
    hidden "<field>_was-<public id>" with the status it showed when the form was
    opened: only selects moved away from it count as changes, so a form left open
    never undoes a change someone else made meanwhile.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: Sequence[ComponentRow] = ()
        self.baseline: dict[str, str] = {}
        self.posted_baseline: dict[str, str] | None = None
        # (value, label) of every status a select offers after "no change".
        self.options = [(s.value, component_status_label(s)) for s in ComponentStatus]

    def offer(
        self, rows: Sequence[ComponentRow], baseline: Mapping[str, str] | None = None
    ) -> None:
        """Offer these components; baseline is the status each affected one shows now."""
        self.rows = rows
        self.baseline = dict(baseline or {})

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read every "<field>-<id>" select (and its "_was" companion) from the form."""
        self.process_errors: list[Any] = []
        self.object_data = data
        self.data = dict(data) if isinstance(data, Mapping) else {}
        self.raw_data: list[Any] = []
        if formdata is None:
            return
        prefix, was_prefix = f"{self.name}-", f"{self.name}_was-"
        self.data, was = {}, {}
        for key in formdata:
            if key.startswith(prefix):
                self.data[key[len(prefix) :]] = str(formdata.get(key) or "").strip()
            elif key.startswith(was_prefix):
                was[key[len(was_prefix) :]] = str(formdata.get(key) or "").strip()
        self.posted_baseline = was

    def pre_validate(self, form: Any) -> None:
        """Refuse components that are not offered and statuses that do not exist."""
        offered = {row.public_id for row in self.rows}
        if any(key not in offered for key in self.data):
            raise FieldError(_("Choose components from the list; one of them is unknown."))
        allowed = {s.value for s in ComponentStatus} | {NO_CHANGE}
        if any(value not in allowed for value in self.data.values()):
            raise FieldError(_("Choose a status from the list."))

    def shown_baseline(self) -> dict[str, str]:
        """Return the statuses the selects started from (kept across a re-rendered form)."""
        return self.posted_baseline if self.posted_baseline is not None else self.baseline

    def value_of(self, public_id: str) -> str:
        """Return the status a component's select shows."""
        return self.data.get(public_id, NO_CHANGE) if isinstance(self.data, dict) else NO_CHANGE

    def changes(self) -> dict[str, str]:
        """Return public id -> new status for the selects moved away from where they started."""
        baseline = self.shown_baseline()
        return {
            key: value
            for key, value in self.data.items()
            if value != NO_CHANGE and value != baseline.get(key)
        }

    def chosen_statuses(self) -> list[ComponentStatus]:
        """Return the statuses the components would have with this form's changes."""
        current = {row.public_id: row.status for row in self.rows}
        baseline = self.shown_baseline()
        result = {key: ComponentStatus(current[key]) for key in baseline if key in current}
        allowed = {s.value for s in ComponentStatus}
        result.update(
            {k: ComponentStatus(v) for k, v in self.data.items() if v in allowed and k in current}
        )
        return list(result.values())


class ZonedForm(ConsoleForm):
    """A form whose time fields read and show times in the page's time zone."""

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        # The zone must be known before the fields parse the submitted times.
        self._zone = zone
        super().__init__(*args, **kwargs)

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        """Give the time fields the page's zone, then process as usual."""
        for field in self:
            if isinstance(field, LocalDateTimeField):
                field.zone = self._zone
        super().process(formdata, obj, data, **kwargs)


class IncidentCreateForm(ZonedForm):
    """A new incident: what, how bad, where, the first message and when it started."""

    name = StringField(_l("Name"))
    status = SelectField(_l("Status"), invalid_choice_message=_l("Choose a status from the list."))
    components = ComponentStatusesField(_l("Affected components"))
    impact_override = SelectField(
        _l("Impact"), invalid_choice_message=_l("Choose an impact from the list.")
    )
    body = TextAreaField(_l("Message"))
    notify = BooleanField(_l("Notify subscribers"), default=True)
    started_at = LocalDateTimeField(_l("Started"))
    # The start time the form was opened with: left as is, it means "when I publish".
    started_default = HiddenField()
    template = HiddenField()
    # The internal incident this one is drafted from: publishing links the two.
    internal = HiddenField()

    def __init__(self, *args: Any, rows: Sequence[ComponentRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices()
        self.impact_override.choices = impact_choices()
        self.components.offer(rows)

    def started(self) -> datetime | None:
        """Return the start time entered, or None when it was left at the form's default."""
        raw = (self.started_at.raw_data or [""])[0].strip()
        if raw and raw == (self.started_default.data or "").strip():
            return None
        return self.started_at.data

    def derived(self) -> Impact:
        """Return the impact the chosen components give."""
        return derived_impact(self.components.chosen_statuses())


class IncidentUpdateForm(ConsoleForm):
    """A new update: status, message, component changes."""

    status = SelectField(_l("Status"), invalid_choice_message=_l("Choose a status from the list."))
    body = TextAreaField(_l("Message"))
    components = ComponentStatusesField(_l("Components"))
    notify = BooleanField(_l("Notify subscribers"), default=True)

    def __init__(
        self,
        *args: Any,
        rows: Sequence[ComponentRow],
        affected: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices()
        self.components.offer(rows, affected)
        if not self.is_submitted():
            self.components.data = dict(affected)


class UpdateEditForm(ZonedForm):
    """A correction to a posted update."""

    body = TextAreaField(_l("Message"))
    display_at = LocalDateTimeField(_l("Shown as posted at"))
    notify_again = BooleanField(_l("Notify subscribers again"), default=False)
    # The update's updated_at when the form was opened (stale-edit protection).
    version = HiddenField()
    # The time the form was opened with (to the minute): left as is, the time stays exact.
    display_default = HiddenField()

    def display_time(self) -> datetime | None:
        """Return the new display time, or None when the field was left as it was."""
        raw = (self.display_at.raw_data or [""])[0].strip()
        if raw == (self.display_default.data or "").strip():
            return None
        return self.display_at.data

    def validate_version(self, field: Any) -> None:
        """Refuse a form that lost the version it was opened at."""
        if self.expected_version() is None:
            raise FieldError(_("This form is incomplete. Open the update's edit page again."))

    def expected_version(self) -> datetime | None:
        """Return the version the form was opened at (None when missing or garbled)."""
        try:
            return datetime.fromisoformat(self.version.data or "")
        except ValueError:
            return None


class RestoreCheckboxes(SelectMultipleField):
    """Affected components to set back to operational, as checkboxes (values: public ids)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "invalid_choice_message",
            _l("Choose components from the list; one of them is unknown."),
        )
        super().__init__(*args, **kwargs)
        self.rows: Sequence[ComponentRow] = ()
        self.held: dict[str, str] = {}

    def offer(self, rows: Sequence[ComponentRow], held: Mapping[str, str]) -> None:
        """Offer these components; held maps a public id to why it is not checked by default."""
        self.rows = rows
        self.held = dict(held)
        self.choices = [SelectChoice(r.public_id, r.name) for r in rows]


class ResolveForm(ConsoleForm):
    """Resolve: a closing message and the components to set back to operational."""

    body = TextAreaField(_l("Message"), default=RESOLVED_TEXT)
    restore = RestoreCheckboxes(_l("Set back to operational"))
    notify = BooleanField(_l("Notify subscribers"), default=True)


class BackfillForm(ZonedForm):
    """A past incident recorded after the fact (never notifies)."""

    name = StringField(_l("Name"))
    components = ComponentStatusesField(_l("Affected components"))
    impact_override = SelectField(
        _l("Impact"), invalid_choice_message=_l("Choose an impact from the list.")
    )
    started_at = LocalDateTimeField(_l("Started"))
    resolved_at = LocalDateTimeField(_l("Ended"))
    body = TextAreaField(_l("What happened"))
    resolution_body = TextAreaField(_l("Closing message"), default=RESOLVED_TEXT)

    def __init__(self, *args: Any, rows: Sequence[ComponentRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.impact_override.choices = impact_choices()
        self.components.offer(rows)

    def derived(self) -> Impact:
        """Return the impact the chosen components give."""
        return derived_impact(self.components.chosen_statuses())


class PostmortemForm(ConsoleForm):
    """The postmortem text; the button pressed says save or publish."""

    body = TextAreaField(_l("Postmortem"))
    notify = BooleanField(_l("Notify subscribers"), default=False)


class HideForm(ConsoleForm):
    """Hide or show an incident again (the hidden field says which)."""

    hidden = HiddenField()


class PreviewForm(ConsoleForm):
    """Markdown to preview."""

    body = TextAreaField()
