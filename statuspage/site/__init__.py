"""Site domain."""
