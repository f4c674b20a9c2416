"""The timeline: ``view`` (the widget), ``layout`` (what it draws, prepared without Qt),
``painter`` (drawing the visible range), ``shot_edits`` (split, merge, move at the playhead) and
``people_lanes`` (a lane per character, on the timeline's time axis)."""
