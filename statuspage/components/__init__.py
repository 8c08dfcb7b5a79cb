"""Components domain."""
