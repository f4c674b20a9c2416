"""The timeline: ``view`` (the widget), ``layout`` (what it draws, prepared without Qt),
``painter`` (drawing the visible range) and ``shot_edits`` (split, merge, move at the playhead)."""
