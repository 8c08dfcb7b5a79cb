"""Console forms for component groups and components."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from ..components.models import ComponentStatus
from ..public.labels import component_status_label
from .forms import ConsoleForm


class GroupForm(ConsoleForm):
    """A component group's name, description and display flags."""

    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description (optional)"))
    visible = BooleanField(_l("Show this group on the public page"), default=True)
    collapsed = BooleanField(
        _l("Show it collapsed unless something in it is not operational"), default=False
    )

    def values(self) -> dict[str, Any]:
        """Return the service keyword arguments."""
        return {
            "name": self.name.data or "",
            "description": (self.description.data or "").strip() or None,
            "visible": bool(self.visible.data),
            "collapsed": bool(self.collapsed.data),
        }


class ComponentForm(ConsoleForm):
    """A component's details (its status is set separately)."""

    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description (optional)"))
    group = SelectField(
        _l("Group"), default="", invalid_choice_message=_l("Choose a group from the list.")
    )
    showcase = BooleanField(_l("Show its uptime bars"), default=True)
    start_date = DateField(
        _l("Start date"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date, or leave it empty."),
    )
    visible = BooleanField(_l("Show this component on the public page"), default=True)
    only_show_if_degraded = BooleanField(
        _l("Show it only while it is not operational"), default=False
    )

    def offer_groups(self, groups: Sequence[tuple[str, str]]) -> None:
        """Offer these (public id, name) groups, after "no group"."""
        self.group.choices = [SelectChoice("", _("No group"))] + [
            SelectChoice(public_id, name) for public_id, name in groups
        ]

    def values(self) -> dict[str, Any]:
        """Return the service keyword arguments, except the group (a lookup)."""
        return {
            "name": self.name.data or "",
            "description": (self.description.data or "").strip() or None,
            "showcase": bool(self.showcase.data),
            "start_date": self.start_date.data,
            "visible": bool(self.visible.data),
            "only_show_if_degraded": bool(self.only_show_if_degraded.data),
        }


class ComponentStatusForm(ConsoleForm):
    """Set a component's status by hand, without an incident."""

    status = SelectField(
        _l("Status"), invalid_choice_message=_l("Choose a status from the list.")
    )
    note = StringField(_l("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice(s.value, component_status_label(s)) for s in ComponentStatus
        ]


class MoveForm(ConsoleForm):
    """Move something one place up or down."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])

    @property
    def offset(self) -> int:
        """Return -1 for up and 1 for down."""
        return -1 if self.direction.data == "up" else 1


class VisibilityForm(ConsoleForm):
    """Show ("1") or hide ("0") something on the public page."""

    visible = HiddenField(validators=[AnyOf(["0", "1"])])

    @property
    def shown(self) -> bool:
        """Say whether it should be shown."""
        return self.visible.data == "1"
