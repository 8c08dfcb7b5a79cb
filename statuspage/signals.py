"""Domain events. Domains talk through these, not through each other's imports.

Each signal is sent after the unit of work that caused it has committed.

- ``incident_published(sender, incident_id: int, update_id: int, notify: bool)``:
  a new incident or a new update on one was published.
- ``maintenance_transitioned(sender, maintenance_id: int, status: str)``:
  a maintenance window changed status (by a person or the worker).
- ``component_status_changed(sender, component_id: int, old: str, new: str, cause: str)``
- ``maintenance_update_posted(sender, maintenance_id: int, update_id: int, notify: bool)``:
  a message was added to a window's timeline without changing its status (status
  changes are maintenance_transitioned).
- ``maintenance_reminder_due(sender, maintenance_id: int)``: a scheduled window's reminder
  time (remind_before_minutes before its start) has come; sent once per window, by the
  worker, after reminded_at was committed. The delivery engine reminds subscribers.
- ``maintenance_cancelled(sender, maintenance_id: int, update_id: int, notify: bool)``:
  a scheduled or started window was cancelled (update_id is the final update saying so;
  its components are already back). Sent instead of maintenance_transitioned, though the
  window's status is now completed; with notify, subscribers are told it will not happen.
- ``postmortem_published(sender, incident_id: int, notify: bool)``: an incident's
  postmortem was published (or republished with changes); with notify, subscribers
  who follow the incident are sent it.

One signal is different: it is sent INSIDE the transaction, just before COMMIT.

- ``events_committing(sender, events: list[tuple[str, dict]])``: the events recorded with
  ``statuspage.db.record_event(name, **data)`` during the outermost unit of work, in order.
  Receivers may add rows to the session (the delivery engine writes its outbox here), so
  they commit or roll back together with their cause; a receiver that raises aborts the
  whole unit of work. Names: incident.created / incident.updated (update_id, incident_id),
  maintenance.scheduled / .updated / .cancelled (maintenance_id, update_id),
  maintenance.reminder (maintenance_id), component.status_changed (component_id, old, new,
  cause) and postmortem.published (incident_id); each is recorded only when subscribers
  are to be notified.
"""

from blinker import Namespace

_signals = Namespace()

incident_published = _signals.signal("incident-published")
maintenance_transitioned = _signals.signal("maintenance-transitioned")
component_status_changed = _signals.signal("component-status-changed")
maintenance_update_posted = _signals.signal("maintenance-update-posted")
maintenance_reminder_due = _signals.signal("maintenance-reminder-due")
maintenance_cancelled = _signals.signal("maintenance-cancelled")
postmortem_published = _signals.signal("postmortem-published")
events_committing = _signals.signal("events-committing")
