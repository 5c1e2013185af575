"""The picture summaries the scorer and the transition detector share: block sums must be exact sums."""

from __future__ import annotations

import numpy as np
import pytest
from reprocut.stream.core.signals import block_sums, layouts


@pytest.mark.parametrize("side, grid", [(64, 16), (64, 8), (64, 2), (66, 16), (64, 4)])
def test_block_sums_are_the_sums_of_each_block(side, grid):
    rng = np.random.default_rng(side + grid)
    pixels = rng.integers(0, 256, (4, side, side, 3), dtype=np.uint8)
    k = side // grid
    blocks = pixels[:, : k * grid, : k * grid].reshape(4, grid, k, grid, k, 3).sum((2, 4))
    assert np.array_equal(block_sums(pixels, grid), blocks)
    white = np.full((1, side, side, 3), 255, np.uint8)  # the largest sums do not wrap around
    assert (block_sums(white, grid) == 255 * k * k).all()


def test_a_layout_ignores_brightness_and_contrast_but_not_the_picture():
    rng = np.random.default_rng(3)
    picture = rng.integers(40, 200, (1, 64, 64, 3)).astype(np.float64)
    dimmed = np.clip(0.5 * picture + 10, 0, 255)
    other = rng.integers(40, 200, (1, 64, 64, 3)).astype(np.float64)
    (a, b, c), _ = layouts(np.concatenate([picture, dimmed, other]).astype(np.uint8))
    assert a @ b / len(a) > 0.99  # the same picture, darker and flatter
    assert abs(a @ c / len(a)) < 0.3  # an unrelated picture


@pytest.mark.parametrize("where", ["letterbox", "pillarbox"])
def test_bars_are_no_part_of_a_layout(where):
    """Two unrelated pictures between the same black bars share the bars, not a layout; the same picture with and
    without bars has one layout; a black shape inside the picture is part of it."""
    rng = np.random.default_rng(4)
    pictures = rng.integers(40, 200, (3, 64, 64, 3)).astype(np.uint8)
    barred = pictures.copy()
    if where == "letterbox":
        barred[:, :8], barred[:, 56:] = 0, 0
    else:
        barred[:, :, :12], barred[:, :, 52:] = 0, 0
    (a, b, _), _ = layouts(barred)
    assert abs(a @ b / len(a)) < 0.3  # unrelated, whatever the bars
    assert a @ a / len(a) == pytest.approx(1.0)
    shapes = pictures.copy()
    shapes[:, 16:48, 16:48] = 0  # the same black square inside two unrelated pictures: a shared shape
    (c, d, _), _ = layouts(shapes)
    assert c @ d / len(c) > 0.8


def test_a_vertical_video_in_a_landscape_frame_is_the_picture_between_its_bars():
    """A phone's vertical video in a 16:9 frame keeps a third of its width: two unrelated ones share only the bars.
    A dark picture's dark edges have texture: they are picture, not bars."""
    rng = np.random.default_rng(6)
    pictures = rng.integers(40, 200, (2, 64, 64, 3)).astype(np.uint8)
    pictures[:, :, :22], pictures[:, :, 42:] = 0, 0  # 20 of 64 columns: 9:16 in 16:9
    (a, b), _ = layouts(pictures)
    assert abs(a @ b / len(a)) < 0.3
    dark = rng.integers(0, 24, (2, 64, 64, 3)).astype(np.uint8)  # a night: texture under the black level
    dark[:, 24:40, 24:40] = 200  # the same lit window in two night pictures
    (c, d), _ = layouts(dark)
    assert (c != 0).all() and (d != 0).all()  # the dark edges are part of each layout
