"""The people on screen in the app, the window's side of :mod:`hhir.people`.

Files: ``model`` (the open video's people as the views need them, no Qt), ``overlay`` (boxes and
names over the picture), ``controller`` (the People menu's keys, naming, the edits as operations)
``gallery`` (each character's face thumbnails: merge by dragging, split by selection) and
``interactions`` (who does what to whom from the keys, and the selected person's list) and
``adjudication`` (D through the disagreements, both versions side by side, the decision). The lanes
are the timeline's (``hhir_studio.timeline.people_lanes``)."""
