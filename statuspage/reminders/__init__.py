"""Reminders: an update is due on an active incident, a component stays broken with no incident."""
