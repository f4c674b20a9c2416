"""The people on screen in the app: boxes over the picture, selection and naming, the lanes.
Mirrors :mod:`hhir.people` (detection, tracks, characters) on the window's side."""
