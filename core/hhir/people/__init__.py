"""People on screen: detection, tracking within shots and characters across the film.

The library part only: frames in, frozen records out (:mod:`hhir.people.records`). Storing them is
``hhir.store``'s, running them on a video is ``hhir.pipeline``'s. Heavy libraries (the TFLite
runtime, OpenCV, PyAV, scipy) load inside the functions that use them.
"""
