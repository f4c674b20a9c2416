"""Videos view."""
