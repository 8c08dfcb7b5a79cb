"""Domain events. Domains talk through these, not through each other's imports.

Each signal is sent after the unit of work that caused it has committed.

- ``incident_published(sender, incident_id: int, update_id: int, notify: bool)``:
  a new incident or a new update on one was published.
- ``maintenance_transitioned(sender, maintenance_id: int, status: str)``:
  a maintenance window changed status (by a person or the worker).
- ``component_status_changed(sender, component_id: int, old: str, new: str, cause: str)``
"""

from blinker import Namespace

_signals = Namespace()

incident_published = _signals.signal("incident-published")
maintenance_transitioned = _signals.signal("maintenance-transitioned")
component_status_changed = _signals.signal("component-status-changed")
