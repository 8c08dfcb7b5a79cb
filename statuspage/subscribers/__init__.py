"""Subscribers domain: who gets notified, on which channel, about what."""
