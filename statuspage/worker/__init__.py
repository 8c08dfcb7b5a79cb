"""Worker domain."""
