"""Thresholds from k-means (k=2) on cut scores.

Online mode clusters the log of the locally normalised score: normalisation makes ordinary
frames score about 1 whatever the footage, and the log tames the heavy tail, so the two
centres are "no change" and "cut". Guards: if the centres are closer than ``min_separation``,
or the upper centre lies below the default threshold (sustained motion, not cuts), the window
held no cut and the default is used; the result is clipped to a sane band.
Paper mode clusters the raw KL values of a whole file, as the paper did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class ThresholdConfig:
    # Normalised scores of ordinary frames sit near 1 (99th percentile ~4 on the project's generated
    # hold-out clips, shakes and fast motion included) while true cuts score a median of ~50.
    default: float = 6.0  # when a window holds no cut: a k-means midpoint typical of footage with cuts
    low: float = 3.0  # clip k-means results into [low, high]
    # Twice the 99th percentile of ordinary frames: a candidate (every signal risen) scoring this is a cut whatever
    # the footage. Footage with very strong cuts lifts the cut centre, and the midpoint with it, past its weaker cuts
    # (a 12 fps vlog of look-alike shots scores some cuts at 10 beside others at 150); the better an encoder
    # separates cuts, the more often (BENCHMARKS.md, "The threshold's ceiling").
    high: float = 8.0
    min_separation: float = math.log(3.0)  # log-score gap between centres below which no cut is assumed


def two_centres(values: np.ndarray, init: tuple[float, float] | None = None) -> tuple[float, float]:
    """Sorted centres of 1-D k-means with k=2, solved in numpy.

    In one dimension the two clusters are the values below and above some split of the sorted
    values, so the optimum is found exactly by trying every split with prefix sums (what
    scikit-learn's KMeans searches for with k-means++ restarts). With ``init`` (the last window's
    centres) it runs Lloyd's iterations from there, as KMeans does with ``init=`` and ``n_init=1``,
    so the threshold moves smoothly between re-fits. scikit-learn itself is not imported: it
    pulls in scipy, ~1.5 s of CPU at every start on 2 cores for a split of a few hundred values
    (``tests/core/test_threshold.py`` checks these centres against its KMeans).
    """
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    total = np.concatenate([[0.0], np.cumsum(x)])
    n = len(x)

    def centres(split: int) -> tuple[float, float]:
        return total[split] / split, (total[n] - total[split]) / (n - split)

    if init is not None:
        lo, hi = sorted(init)
        split = -1
        for _ in range(300):  # KMeans' max_iter; 1-D Lloyd settles in a handful
            new = int(np.searchsorted(x, 0.5 * (lo + hi), side="right"))  # nearer the lower centre (ties: lower)
            if new == split or new in (0, n):
                break
            split = new
            lo, hi = centres(split)
        if 0 < split < n:
            return lo, hi
    # Every split at once: the within-cluster sum of squares is sum(x^2) - (left sum)^2/k - (right sum)^2/(n-k);
    # only the last two terms depend on the split. Splits between equal values are not splits.
    k = np.arange(1, n)
    gain = total[1:n] ** 2 / k + (total[n] - total[1:n]) ** 2 / (n - k)
    gain[x[1:] == x[:-1]] = -np.inf
    return centres(int(np.argmax(gain)) + 1)


def adaptive_threshold(scores: np.ndarray, cfg: ThresholdConfig, init: tuple[float, float] | None = None) -> tuple[float, tuple[float, float] | None]:
    """Threshold on the normalised score (not its log) and the log-centres found, or None if no cut."""
    s = np.asarray(scores, dtype=np.float64)
    s = s[np.isfinite(s) & (s > 0)]
    if len(s) < 8 or np.ptp(s) == 0:
        return cfg.default, None
    lo, hi = two_centres(np.log(s), init)
    if hi - lo < cfg.min_separation or hi < math.log(cfg.default):  # a "cut" cluster below the default is motion
        return cfg.default, None
    return float(np.clip(math.exp(0.5 * (lo + hi)), cfg.low, cfg.high)), (lo, hi)


def paper_threshold(kl: np.ndarray) -> float:
    """The paper's offline threshold: midpoint between the two k-means centres of raw KL values."""
    kl = np.asarray(kl, dtype=np.float64)
    kl = kl[np.isfinite(kl)]
    if len(kl) < 2 or np.ptp(kl) == 0:
        return math.inf
    lo, hi = two_centres(kl)
    return 0.5 * (lo + hi)
