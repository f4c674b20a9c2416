"""Timeline view."""
