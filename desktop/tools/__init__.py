"""Tools view."""
