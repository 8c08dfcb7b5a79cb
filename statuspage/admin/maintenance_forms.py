"""Console forms for maintenance windows, and the time and checkbox fields they share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice, SelectMultipleField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..components.console_queries import ComponentChoice
from .forms import ConsoleForm

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read and shown in a zone; data is an aware UTC datetime or None.

    Set .zone (the page's time zone) before the form processes its data.
    """

    data: datetime | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", LOCAL_FORMATS)
        kwargs.setdefault("invalid_value_message", _l("Enter a date and time."))
        super().__init__(*args, tz=self._zone, **kwargs)
        self.zone: ZoneInfo = ZoneInfo("UTC")

    def _zone(self) -> ZoneInfo:
        return self.zone

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse local wall-clock time in the zone; refuse times a clock change skips."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
        if self.data is None:
            return
        local = self.data
        # A wall-clock time inside a spring-forward gap does not exist; say so, don't guess.
        if local.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != local.replace(
            tzinfo=None
        ):
            self.data = None
            raise ValueError(
                _("This time does not exist in %(zone)s (the clocks change).", zone=self.zone.key)
            )
        self.data = local.astimezone(UTC)


class ComponentCheckboxes(SelectMultipleField):
    """Components as checkboxes; values are public ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "invalid_choice_message",
            _l("Choose components from the list; one of them is unknown."),
        )
        super().__init__(*args, **kwargs)
        self.options: Sequence[ComponentChoice] = ()

    def offer(self, options: Sequence[ComponentChoice]) -> None:
        """Offer these components (page order; the template groups them under headings)."""
        self.options = options
        self.choices = [SelectChoice(o.public_id, o.name) for o in options]


class MinutesField(IntegerField):
    """An optional whole number of minutes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "invalid_value_message", _l("Give a whole number of minutes, or leave it empty.")
        )
        kwargs.setdefault("validators", [Optional()])
        super().__init__(*args, **kwargs)


class MaintenanceWindowForm(ConsoleForm):
    """A window's wording, components, times and options (schedule and edit)."""

    name = StringField(_l("Name"))
    body = TextAreaField(_l("Message"))
    components = ComponentCheckboxes(_l("Components"))
    scheduled_for = LocalDateTimeField(_l("Starts"))
    scheduled_until = LocalDateTimeField(_l("Ends"))
    auto_start = BooleanField(
        _l("Start automatically: components go under maintenance"), default=True
    )
    auto_complete = BooleanField(
        _l("Complete automatically: components go back to operational"), default=True
    )
    notify_on_start = BooleanField(_l("Notify subscribers when it starts"), default=True)
    notify_on_complete = BooleanField(_l("Notify subscribers when it is completed"), default=True)
    remind_before_minutes = MinutesField(_l("Remind subscribers this many minutes before"))

    def __init__(
        self,
        *args: Any,
        zone: ZoneInfo,
        components: Sequence[ComponentChoice],
        **kwargs: Any,
    ) -> None:
        # The zone must be known before the fields parse the submitted times.
        self._zone = zone
        super().__init__(*args, **kwargs)
        self.components.offer(components)

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        """Give the time fields the page's zone, then process as usual."""
        for field in (self.scheduled_for, self.scheduled_until):
            field.zone = self._zone
        super().process(formdata, obj, data, **kwargs)

    def window(self) -> dict[str, Any]:
        """Return the service keyword arguments common to scheduling and editing."""
        return {
            "name": self.name.data or "",
            "body": self.body.data or "",
            "scheduled_for": self.scheduled_for.data,
            "scheduled_until": self.scheduled_until.data,
            "auto_start": bool(self.auto_start.data),
            "auto_complete": bool(self.auto_complete.data),
            "notify_on_start": bool(self.notify_on_start.data),
            "notify_on_complete": bool(self.notify_on_complete.data),
            "remind_before_minutes": self.remind_before_minutes.data,
        }


class MaintenanceNewForm(MaintenanceWindowForm):
    """Schedule a window, optionally starting from a template."""

    notify = BooleanField(_l("Notify subscribers now that it is scheduled"), default=True)
    template = SelectField(_l("Start from a template"), validate_choice=False)

    def offer_templates(self, templates: Sequence[tuple[str, str]]) -> None:
        """Offer these (public id, name) templates in the template picker."""
        self.template.choices = [SelectChoice("", _("No template"))] + [
            SelectChoice(public_id, name) for public_id, name in templates
        ]


class MaintenanceMessageForm(ConsoleForm):
    """An optional message for a manual transition (start, verifying, complete)."""

    body = TextAreaField(_l("Message (optional)"))


class MaintenanceUpdateForm(ConsoleForm):
    """A new message in a window's timeline."""

    body = TextAreaField(_l("Message"))
    notify = BooleanField(_l("Notify subscribers"), default=True)



class MaintenanceCancelForm(ConsoleForm):
    """Confirm a cancellation: the final message (optional) and whether to notify."""

    body = TextAreaField(_l("Message (optional)"))
    notify = BooleanField(_l("Notify subscribers"), default=True)
