"""Transcript view."""
