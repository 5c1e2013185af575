"""The paper's scorer: k-means (k=2) over the raw KL of every pair of consecutive frames of a whole file.

Kept beside the online scorer (``scorer.py``) to compare against what the paper did; the same interface
(``push``/``finish``), but every cut comes at ``finish``: the threshold needs the whole file. No local
normalisation, no other signal, no rule.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from .decider import Phase
from .events import CutEvent
from .kl import symmetric_kl
from .threshold import paper_threshold


class PaperScorer:
    """Collects each frame's KL against the frame before; decides the file at ``finish``."""

    def __init__(self, stream: str = "0"):
        self.stream = stream
        self.phase = Phase.WARMING  # the whole file is its warm-up: cuts are held until the end
        self.threshold: float | None = None
        self.frames = 0
        self.cuts = 0
        self.recent: deque[float] = deque()  # no running scores: for the pipeline's stats
        self.recent_last_frame = -1
        self.trace: list[tuple[int, float, float]] = []
        self._last: tuple[np.ndarray, np.ndarray] | None = None  # mu, logvar of the last frame pushed
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # index, time, wall, kl

    def push(self, index: np.ndarray, time: np.ndarray, wall: np.ndarray, mu: np.ndarray, logvar: np.ndarray,
             pixels: np.ndarray | None = None) -> list[CutEvent]:
        """Add consecutive frames (arrays with a leading frame axis); ``pixels`` are not read."""
        if len(index) == 0:
            return []
        last_mu, last_logvar = self._last if self._last is not None else (mu[:1], logvar[:1])
        kl = symmetric_kl(np.concatenate([last_mu, mu[:-1]]), np.concatenate([last_logvar, logvar[:-1]]), mu, logvar)
        self._runs.append((np.asarray(index, np.int64), np.asarray(time, np.float64), np.asarray(wall, np.float64), kl))
        self._last = (mu[-1:], logvar[-1:])
        self.frames += len(index)
        return []

    def finish(self) -> list[CutEvent]:
        """Every frame whose KL lies above the midpoint of the two k-means centres (the first frame has none)."""
        if not self._runs:
            return []
        index, time, wall, kl = (np.concatenate(a) for a in zip(*self._runs))
        self._runs.clear()
        threshold = paper_threshold(kl[1:]) if len(kl) > 1 else math.inf
        self.threshold, self.phase = threshold, Phase.CALIBRATED
        cuts = np.nonzero(kl[1:] > threshold)[0] + 1
        self.cuts += len(cuts)
        return [CutEvent(self.stream, int(index[p]), float(time[p]), float(kl[p]), float(threshold), float(wall[p]),
                         {"kl": float(kl[p])}) for p in cuts]
