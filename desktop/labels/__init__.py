"""Labels view."""
