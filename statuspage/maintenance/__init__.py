"""Maintenance domain."""
