"""Local normalisation and noise weighting of the raw signals, vectorised over a run of frames.

The scorer divides each frame's raw signals by the trimmed mean of its neighbourhood and
weights each signal by the inverse of its own noise; both are computed here for a whole batch at
once, with the same arithmetic (and order of additions) as one frame at a time, so a batch gives
the decisions of frame-by-frame scoring.
"""

from __future__ import annotations

import numpy as np


def neighbourhoods(raw: np.ndarray, positions: np.ndarray, before: int, after: int) -> np.ndarray:
    """[m, before + after, C] raw signals around each position (previous ``before``, next ``after``), NaN off the ends."""
    offsets = np.concatenate([np.arange(-before, 0), np.arange(1, after + 1)])
    q = positions[:, None] + offsets[None, :]
    inside = (q >= 0) & (q < len(raw))
    out = raw[np.clip(q, 0, len(raw) - 1)]
    out[~inside] = np.nan
    return out


def local_means(window: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Trimmed mean of each neighbourhood ([m, K, C] -> [m, C]).

    Held frames (animation on 2s and 3s: no change below the noise floor) say nothing about how
    much the picture moves, so only moving frames count when there are at least two. In a
    neighbourhood of four or more frames the largest value is dropped, so a cut a few frames back
    does not mask this one: also when held frames leave fewer than four moving ones (a still shot
    of a few frames after a cut: the cut and one frame would otherwise be its mean).
    Values are added left to right, as ``sum`` over a list would.
    """
    valid = ~np.isnan(window)
    moving = valid & (window > floors)
    use = np.where((moving.sum(1) >= 2)[:, None, :], moving, valid)
    count = use.sum(1)
    largest = np.argmax(np.where(use, window, -np.inf), axis=1)  # first occurrence, as list.remove(max(...))
    m, _, c = window.shape
    drop = (valid.sum(1) >= 4) & (count >= 2)
    rows, cols = np.nonzero(drop)
    use[rows, largest[rows, cols], cols] = False
    values = np.where(use, window, 0.0)
    total = np.zeros((m, c))
    for k in range(window.shape[1]):
        total = total + values[:, k]
    kept = count - drop
    return np.where(kept > 0, total / np.maximum(kept, 1), 0.0)


class NoiseSpread:
    """Each signal's robust spread (MAD) of log-ratios over the last ``window`` frames measured (the scorer measures
    those that changed visibly), re-measured every 8 frames.

    Signals differ in how much their ratios swing on ordinary frames (the KL of a well-trained
    encoder swings more under motion than a colour histogram does); dividing each weight by that
    spread is inverse-noise weighting, so no signal dominates by scale alone.
    """

    EVERY = 8
    MIN_FRAMES = 16

    def __init__(self, channels: int, window: int):
        self.window = window
        self.history = np.zeros((0, channels))
        self.spread = np.ones(channels)
        self._since = 0

    def advance(self, log_ratios: np.ndarray, measured: np.ndarray | None = None) -> np.ndarray:
        """Take the log-ratios of the next frames; return the spread each of them was scored with [m, C].
        ``measured`` ([m] bool): the frames whose log-ratios the spread is measured on (default: all)."""
        m = len(log_ratios)
        keep = np.ones(m, bool) if measured is None else measured
        out = np.empty_like(log_ratios)
        j = 0
        while j < m:
            seen = len(self.history)
            steps = max(self.EVERY - self._since, self.MIN_FRAMES - seen, 1)
            due = j + steps - 1 if self.window >= self.MIN_FRAMES else m  # frame after which the spread is re-measured
            end = min(due, m - 1) + 1
            out[j:end] = self.spread
            self.history = np.concatenate([self.history, log_ratios[j:end][keep[j:end]]])[-self.window:]
            self._since += end - j
            if due < m:
                if len(self.history) >= self.MIN_FRAMES:  # too few frames measured yet: the spread stays
                    self.spread = self._measure(self.history)
                self._since = 0
            j = end
        return out

    def _measure(self, x: np.ndarray) -> np.ndarray:
        """1.4826 MAD per signal, at least 0.05; a signal not computed on some frames (NaN) is measured on the
        others, and keeps its last spread while it has none."""
        if not np.isnan(x).any():
            return np.maximum(1.4826 * np.median(np.abs(x - np.median(x, axis=0)), axis=0), 0.05)
        spread = self.spread.copy()
        for c in range(x.shape[1]):  # column by column: np.nanmedian goes through masked arrays, 10x slower
            v = x[~np.isnan(x[:, c]), c]
            if len(v):
                spread[c] = max(1.4826 * float(np.median(np.abs(v - np.median(v)))), 0.05)
        return spread
