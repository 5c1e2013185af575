"""Levels: dim footage lifted before anything measures it, so that its changes count as those of well-exposed footage.

The scorer's and the transition detector's constants are amounts on a 0-1 intensity scale (a cut changes the
picture by 2%, a transition moves it by a tenth, a flat colour varies under 2%), which suits well-exposed
footage. Under-exposed footage, a night scene or a dim room holds the same pictures at a fraction of the scale:
every change shrinks by that fraction, so its cuts turn faint, its dissolves too small to count and its dark
shots flat. Each stream's frames are therefore multiplied by the gain that brings its white point (the
brightest frame's brightest block over the last ``window`` frames) up to ``dim``, three quarters of full
scale, and at most by ``max_gain``. Well-exposed footage reaches ``dim`` within every window and keeps a gain
of 1: its pictures are measured as decoded. Near-black frames (a fade's colour) do not count.

The gain must make no change of its own. A stream starts at a gain of 1. The gain falls at once, and only where
a frame is brighter than any in the window (a bright shot after dim ones: a change anyway). It jumps up to its
target only on a cut, which hides the jump: a frame that differs from the one before by ``hidden`` of its
brightness, beyond a change of brightness (a fade scales the picture, a cut replaces it). Elsewhere it creeps
by at most ``rise`` a frame, under the pictures' own noise, so a static shot does not seem to move and a fade
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
    window: int = 250  # frames whose brightest is the white point (10 s at 25 fps)
    dim: float = 192.0  # the white point dim footage is lifted to, of 255 (footage that reaches it is not lifted)
    black: float = 16.0  # a frame whose brightest block is under this is near black: no measure of the footage
    max_gain: float = 4.0  # footage under a quarter of ``dim`` is lifted no further (its noise would be)
    rise: float = 1.002  # elsewhere the gain rises by at most this factor a frame (under the pictures' own noise)
    hidden: float = 0.25  # a frame that changes by this share of its brightness hides a jump of the gain to its target

    def __post_init__(self) -> None:
        if self.max_gain < 1 or self.rise < 1 or self.window < 1 or not 0 < self.dim <= 255:
            raise ValueError("max_gain and rise must be >= 1, window >= 1 and dim in (0, 255]")


def lift(pixels: np.ndarray, gain: float) -> np.ndarray:
    """uint8 pixels times ``gain``, rounded, at most 255 (one lookup table)."""
    table = np.minimum(np.arange(256) * gain + 0.5, 255).astype(np.uint8)
    return table[pixels]


def replaced(a: np.ndarray, b: np.ndarray, least: float) -> bool:
    """Whether frame ``b`` differs from ``a`` by at least ``least`` (mean, 0-255) beyond a change of brightness: a fade
    scales the picture, a cut replaces it."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    return float(np.abs(b - a * (b.mean() / max(float(a.mean()), 1.0))).mean()) >= least


class Levels:
    """One stream's gain, fed its frames in order."""

    def __init__(self, cfg: LevelsConfig | None = None):
        self.cfg = cfg or LevelsConfig()
        self.gain = 1.0
        self._white: deque[float] = deque(maxlen=self.cfg.window)
        self._last: np.ndarray | None = None  # the last frame fed, as decoded

    def apply(self, pixels: np.ndarray) -> np.ndarray:
        """The frames with the stream's gain applied (the same array where the gain is 1)."""
        cfg = self.cfg
        sums = block_sums(pixels, pixels.shape[1] // BLOCK).reshape(len(pixels), -1) / float(BLOCK * BLOCK)
        white, level = sums.max(1).tolist(), sums.mean(1)  # brightest block, mean brightness (0-255)
        before = np.concatenate([pixels[:1] if self._last is None else self._last, pixels[:-1]])
        self._last = pixels[-1:]
        change: np.ndarray | None = None  # each frame's change from the one before (0-255), where the gain would rise
        gains = np.empty(len(pixels))
        for j, w in enumerate(white):
            if w >= cfg.black:
                self._white.append(w)
            target = min(max(cfg.dim / max(self._white), 1.0), cfg.max_gain) if self._white else 1.0
            if target > self.gain:
                if change is None:
                    change = pixel_change(before, pixels) * 255.0
                least = cfg.hidden * level[j]
                if not (change[j] >= least and replaced(before[j], pixels[j], least)):
                    target = min(target, self.gain * cfg.rise)  # no cut to hide a jump in: the gain creeps
            gains[j] = self.gain = target
        if (gains == 1.0).all():
            return pixels
        out = pixels.copy()
        starts = np.flatnonzero(np.diff(gains, prepend=np.nan))  # runs of one gain (most batches are one)
        for a, b in zip(starts.tolist(), [*starts[1:].tolist(), len(gains)]):
            if gains[a] != 1.0:
                out[a:b] = lift(pixels[a:b], float(gains[a]))
        return out
