"""The player: ``view`` (QtMultimedia playback, frame stepping, clip loops)."""
