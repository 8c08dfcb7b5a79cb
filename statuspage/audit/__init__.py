"""Audit log domain."""
