"""The transcript panel: ``panel`` (segments synced with playback, editable)."""
