"""Levels: dim or washed-out footage stretched before anything measures it, so its changes count as well-exposed ones.

The scorer's and the transition detector's constants are amounts on a 0-1 intensity scale (a cut changes the
picture by 2%, a transition moves it by a tenth, a flat colour varies under 2%), which suits well-exposed
footage. Under-exposed footage, a night scene or a dim room holds the same pictures in a fraction of the scale,
and so does washed-out footage (haze, a faded transfer, a flat camera profile) between a raised black and a
lowered white: every change shrinks by that fraction, so cuts turn faint, dissolves too small to count and dark
shots flat. Each stream's frames are therefore stretched about its black point by the gain that widens its
range (from the darkest block of the darkest frame to the brightest block of the brightest, over the last
``window`` frames) to ``dim``, three quarters of full scale, as far as the white stays in scale and at most
``max_gain``. Well-exposed footage spans ``dim`` within every window and keeps a gain of 1: its pictures are
measured as decoded. Near-black frames (a fade's colour) do not count.

The stretch must make no change of its own: each change of mapping also moves whole flat areas across a
histogram bin. A stream starts at a gain of 1. The gain falls at once, and only where a frame would leave the
scale (a bright shot after dim ones: a change anyway); a stretch fills at most ``headroom`` of the scale above
black, so a frame a little brighter than the others fits. It jumps up to its target only on a cut, which hides
the jump: a frame that differs from the one before by ``hidden`` of its brightness above black, beyond a change
of brightness (a fade scales the picture, a cut replaces it). Elsewhere it creeps by at most ``rise`` a frame
about the black point it has, under the pictures' own noise, so a static shot does not seem to move and a fade
in is not lifted away as it brightens.

    levels = Levels()
    pixels = levels.apply(pixels)  # [N,S,S,3] uint8, consecutive frames of one stream (the same, whatever the batches)
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .signals import block_sums, pixel_change

BLOCK = 4  # side of the blocks whose mean is a frame's brightness (one hot pixel is no white)


@dataclass(frozen=True)
class LevelsConfig:
    window: int = 250  # frames whose darkest and brightest blocks are the black and white points (10 s at 25 fps)
    dim: float = 192.0  # the range from black to white, of 255, that a narrower range is stretched to
    black: float = 16.0  # a frame whose brightest block is under this is near black: no measure of the footage
    max_gain: float = 4.0  # a range under a quarter of ``dim`` is stretched no further (its noise would be)
    headroom: float = 0.9  # a stretch fills at most this share of the scale above black: a brighter frame fits
    rise: float = 1.002  # elsewhere the gain rises by at most this factor a frame (under the pictures' own noise)
    hidden: float = 0.25  # a frame that changes by this share of its brightness above black hides a jump to the target

    def __post_init__(self) -> None:
        if min(self.max_gain, self.rise) < 1 or self.window < 1 or not (0 < self.dim <= 255 and 0 < self.headroom <= 1):
            raise ValueError("max_gain and rise must be >= 1, window >= 1, dim in (0, 255] and headroom in (0, 1]")


def stretch(pixels: np.ndarray, pivot: float, gain: float) -> np.ndarray:
    """uint8 pixels moved away from ``pivot`` by ``gain``, rounded, within 0-255 (one lookup table)."""
    table = np.clip(pivot + (np.arange(256) - pivot) * gain + 0.5, 0, 255).astype(np.uint8)
    return table[pixels]


def replaced(a: np.ndarray, b: np.ndarray, least: float) -> bool:
    """Whether frame ``b`` differs from ``a`` by at least ``least`` (mean, 0-255) beyond a change of brightness: a fade
    scales the picture, a cut replaces it."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    return float(np.abs(b - a * (b.mean() / max(float(a.mean()), 1.0))).mean()) >= least


class Levels:
    """One stream's stretch, fed its frames in order."""

    def __init__(self, cfg: LevelsConfig | None = None):
        self.cfg = cfg or LevelsConfig()
        self.gain, self.pivot = 1.0, 0.0
        self._white: deque[float] = deque(maxlen=self.cfg.window)
        self._black: deque[float] = deque(maxlen=self.cfg.window)
        self._last: np.ndarray | None = None  # the last frame fed, as decoded

    def apply(self, pixels: np.ndarray) -> np.ndarray:
        """The frames stretched (the same array where the gain is 1)."""
        cfg = self.cfg
        sums = block_sums(pixels, pixels.shape[1] // BLOCK).reshape(len(pixels), -1) / float(BLOCK * BLOCK)
        white, black, level = sums.max(1).tolist(), sums.min(1).tolist(), sums.mean(1)  # 0-255
        before = np.concatenate([pixels[:1] if self._last is None else self._last, pixels[:-1]])
        self._last = pixels[-1:]
        change: np.ndarray | None = None  # each frame's change from the one before (0-255), where the gain would rise
        gains, pivots = np.empty(len(pixels)), np.empty(len(pixels))
        for j, w in enumerate(white):
            if w >= cfg.black:
                self._white.append(w)
                self._black.append(black[j])
            gain, pivot = self.gain, self.pivot
            if self._white:
                low = min(self._black)
                room = min(cfg.dim, cfg.headroom * (255.0 - low))
                target = min(max(room / max(max(self._white) - low, 1.0), 1.0), cfg.max_gain)
                if w >= cfg.black and (pivot + (w - pivot) * gain > 255.5 or pivot + (black[j] - pivot) * gain < -0.5):
                    gain, pivot = min(target, gain), low  # it would leave the scale: the stretch falls at once
                elif target > self.gain:  # a cut hides a jump; elsewhere the gain creeps about the pivot it has
                    if change is None:
                        change = pixel_change(before, pixels) * 255.0
                    least = cfg.hidden * max(level[j] - low, 1.0)
                    if change[j] >= least and replaced(before[j], pixels[j], least):
                        gain, pivot = target, low
                    else:
                        gain, pivot = min(target, self.gain * cfg.rise), self.pivot if self.gain > 1.0 else low
            gains[j], pivots[j] = self.gain, self.pivot = gain, pivot
        if (gains == 1.0).all():
            return pixels
        out = pixels.copy()
        starts = np.flatnonzero((np.diff(gains, prepend=np.nan) != 0) | (np.diff(pivots, prepend=np.nan) != 0))
        for a, b in zip(starts.tolist(), [*starts[1:].tolist(), len(gains)]):
            if gains[a] != 1.0:
                out[a:b] = stretch(pixels[a:b], float(pivots[a]), float(gains[a]))
        return out
