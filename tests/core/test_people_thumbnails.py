"""Face thumbnails of person tracks: the crop, the box chosen, and the region around a face."""

from __future__ import annotations

import numpy as np

from hhir.people.thumbnails import chosen_box, crop, face_region
from hhir.types import PersonBox, PersonTrack


def test_crop_is_the_square_around_the_region_with_black_outside_the_frame():
    image = np.zeros((100, 200, 3), np.uint8)
    image[:, :100] = (255, 0, 0)  # left half red, right half blue
    image[:, 100:] = (0, 0, 255)
    inside = crop(image, (0.1, 0.2, 0.3, 0.6), size=8)  # 40 px square around x=40 px: all red
    assert inside.shape == (8, 8, 3) and (inside == (255, 0, 0)).all()
    edge = crop(image, (0.9, 0.0, 1.1, 0.4), size=8)  # 40 px square centred on the right edge
    assert (edge[:, :4] == (0, 0, 255)).all() and (edge[:, 4:] == 0).all()
    top = crop(image, (0.1, -0.2, 0.3, 0.2), size=8)  # centred on the top edge
    assert (top[:4] == 0).all() and (top[4:] == (255, 0, 0)).all()


def test_the_thumbnail_is_cut_around_the_best_face_else_the_top_of_the_body():
    plain = PersonBox(10, 0.2, 0.1, 0.4, 0.9, 0.9)
    faced = PersonBox(20, 0.2, 0.1, 0.4, 0.9, 0.6, face=(0.25, 0.1, 0.35, 0.3, *([0.0] * 12)))
    better = PersonBox(30, 0.2, 0.1, 0.4, 0.9, 0.8, face=(0.26, 0.12, 0.36, 0.32, *([0.0] * 12)))
    track = PersonTrack(1, 1, 0, (plain, faced, better))
    assert chosen_box(track) is better
    assert chosen_box(PersonTrack(2, 1, 0, (plain, PersonBox(15, 0, 0, 1, 1, 0.5)))).frame == 15
    x0, y0, x1, y1 = face_region(better)
    assert abs((x0 + x1) / 2 - 0.31) < 1e-9 and abs((y0 + y1) / 2 - 0.22) < 1e-9
    assert x1 - x0 > 0.1 and y1 - y0 > 0.2  # widened from the face to the head
    top = face_region(plain)
    assert top[1] == plain.y0 and top[3] < plain.y1 / 2
