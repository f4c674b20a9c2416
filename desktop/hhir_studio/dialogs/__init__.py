"""Dialogs view."""
