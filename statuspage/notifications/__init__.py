"""Notifications domain: the transactional outbox the delivery engine consumes."""
