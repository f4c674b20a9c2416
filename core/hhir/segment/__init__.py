"""Shots and clips: ``shots`` (boundaries with PySceneDetect, and shot edits as pure functions) and
``clips`` (windows of consecutive shots with the transcript text inside each)."""
