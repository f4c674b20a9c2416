"""Player view."""
