"""Levels (``core/levels.py``): dim and washed-out footage stretched to three quarters of full scale, well-exposed
footage untouched, and no change of brightness the stretch makes by itself."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic import pictures

from reprocut.stream.core.levels import Levels, LevelsConfig, stretch


def shots(brightness: float, n: int = 240, cut_every: int = 40, seed: int = 0) -> np.ndarray:
    """Textured shots (white ~235) that pan slowly, a hard cut every ``cut_every`` frames, times ``brightness``."""
    rng = np.random.default_rng(seed)
    pics = pictures(n // cut_every + 1, rng)
    frames = np.stack([pics[i // cut_every][(i % cut_every) // 3:(i % cut_every) // 3 + 64, 4:68] for i in range(n)])
    frames = frames * (235.0 / frames.max())
    return np.clip(frames * brightness + rng.normal(0, 1.0, frames.shape), 0, 255).round().astype(np.uint8)


def feed(levels: Levels, frames: np.ndarray, batch: int) -> np.ndarray:
    """The frames through ``levels`` in batches of ``batch``."""
    return np.concatenate([levels.apply(frames[s:s + batch]) for s in range(0, len(frames), batch)])


def blocks(frames: np.ndarray) -> np.ndarray:
    """Each frame's 4x4 block means per channel, [N, 768], as ``Levels`` measures them."""
    n = len(frames)
    return frames.reshape(n, 16, 4, 16, 4, 3).astype(float).mean((2, 4)).reshape(n, -1)


def brightest(frames: np.ndarray) -> np.ndarray:
    return blocks(frames).max(1)


def test_well_exposed_footage_is_measured_as_decoded():
    frames = shots(1.0)
    levels = Levels()
    for s in range(0, len(frames), 64):
        part = frames[s:s + 64]
        assert levels.apply(part) is part
    assert levels.gain == 1.0


def test_dim_footage_is_lifted_to_three_quarters_of_full_scale_from_its_first_cut():
    """Shots at 30% of full scale (white ~70): before the first cut the gain only creeps; the cut hides a jump to
    its target, after which the pictures span ``dim`` (192) from their black and their changes are ~2.9x as large."""
    frames = shots(0.3)
    out = Levels().apply(frames)
    assert brightest(out[:40]).max() < brightest(frames[:40]).max() * 1.1  # no jump before the cut: 1.002 a frame
    after = blocks(out[41:])
    assert after.max() - after.min() == pytest.approx(192, rel=0.05)
    gain = 192 / (blocks(frames[41:]).max() - blocks(frames[41:]).min())
    pix = lambda f: np.abs(np.diff(f.astype(float), axis=0)).mean((1, 2, 3))  # noqa: E731
    assert pix(out[41:80]).mean() == pytest.approx(pix(frames[41:80]).mean() * gain, rel=0.1)


def test_the_gains_do_not_depend_on_the_batches():
    frames = np.concatenate([shots(0.3, 160), shots(0.9, 160, seed=1)])
    a = feed(Levels(), frames, 64)
    b = feed(Levels(), frames, 7)
    assert np.array_equal(a, b)


def test_a_fade_in_from_black_is_not_lifted_away():
    """A stream opening on a fade in from black to a dim shot: the fade is no cut, so the gain creeps, and each
    frame of the fade stays brighter than the one before, as decoded."""
    shot = shots(0.4, 60)
    fade = np.stack([shot[k] * (k / 30) for k in range(1, 31)]).round().astype(np.uint8)
    out = Levels().apply(np.concatenate([fade, shot[30:]]))
    means = out[:30].reshape(30, -1).mean(1)
    assert (np.diff(means) > 0).all()
    assert out[:30].astype(float).mean() < 1.1 * fade.astype(float).mean()


def test_a_bright_shot_after_dim_ones_drops_the_gain_at_once_and_is_not_blown_out():
    """The dim shots' white sits at 192 after the first cut; the bright shot would leave the scale, so the gain
    falls on its first frame, to 1: its range spans 192 already."""
    frames = np.concatenate([shots(0.3, 120), shots(1.0, 40, seed=2)])
    levels = Levels()
    out = levels.apply(frames)
    assert levels.gain == 1.0
    assert np.array_equal(out[120:], frames[120:])  # the bright shot as decoded: its white is above ``dim`` already
    assert brightest(out[100:120]).min() > 150  # the dim shots before it were lifted


def test_a_frame_a_little_brighter_than_the_window_keeps_the_stretch():
    """A change of mapping flips whole flat areas across a histogram bin: only a frame that would leave the scale
    moves it, and a stretch keeps 10% headroom."""
    frames = shots(0.3, 120)
    frames[100:] = np.minimum(frames[100:].astype(float) * 1.05, 255).astype(np.uint8)  # 5% brighter, no cut
    levels = Levels()
    levels.apply(frames[:100])
    gain = levels.gain
    levels.apply(frames[100:])
    assert gain > 2 and levels.gain == gain


def test_washed_out_footage_is_stretched_about_its_black_point():
    """Shots between a raised black and a lowered white (64 + x/2: haze, a faded transfer; range ~100): after the
    first cut they span three quarters of full scale again from the same black, as far as 90% of the scale above
    their black allows (the headroom that keeps a brighter frame in scale)."""
    frames = (64 + shots(1.0).astype(float) / 2).round().astype(np.uint8)
    out = Levels().apply(frames)
    before, after = blocks(frames[41:]), blocks(out[41:])
    assert after.min() == pytest.approx(before.min(), abs=1.5)
    assert after.max() - after.min() == pytest.approx(min(192, 0.9 * (255 - before.min())), rel=0.05)
    assert after.max() - after.min() > 1.6 * (before.max() - before.min())


def test_stretch_moves_pixels_away_from_the_pivot_and_clips():
    px = np.array([0, 10, 64, 100, 200, 255], np.uint8)
    assert stretch(px, 0.0, 1.5).tolist() == [0, 15, 96, 150, 255, 255]
    assert stretch(px, 64.0, 1.5).tolist() == [0, 0, 64, 118, 255, 255]


@pytest.mark.parametrize("bad", [dict(max_gain=0.5), dict(rise=0.9), dict(window=0), dict(dim=300.0),
                                 dict(headroom=0.0)])
def test_impossible_settings_are_refused(bad):
    with pytest.raises(ValueError):
        LevelsConfig(**bad)
