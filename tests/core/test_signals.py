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
