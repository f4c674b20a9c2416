"""People on screen: detection, tracking within shots and characters across the film.

The library part only: frames in, frozen records out (:mod:`hhir.people.records`). Storing them is
``hhir.store``'s, running them on a video is ``hhir.pipeline``'s. Heavy libraries (the TFLite
runtime, OpenCV, PyAV, scipy) load inside the functions that use them.

Files: ``detector`` (faces and bodies on one frame) with ``anchors`` (the detectors' box decoding),
``tracker`` (tracks within a shot), ``descriptors`` (weight-free appearance vectors) and
``characters`` (tracks grouped into characters), ``video`` (all of it over a video's shots),
``records`` (the frozen records), ``voices`` (who speaks when, and the face that speaks) and
``thumbnails`` (face crops of tracks for the app's gallery).
"""
