"""Thresholds from k-means (k=2, scikit-learn) on cut scores.

Online mode clusters the log of the locally normalised score: normalisation makes ordinary
frames score about 1 whatever the footage, and the log tames the heavy tail, so the two
centres are "no change" and "cut". Guards: if the centres are closer than ``min_separation``,
or the upper centre lies below the default threshold (sustained motion, not cuts), the window
held no cut and the default is used; the result is clipped to a sane band.
Paper mode clusters the raw KL values of a whole file, as the paper did.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass
class ThresholdConfig:
    # Normalised scores of ordinary frames sit near 1 (99th percentile ~4 on the project's generated
    # hold-out clips, shakes and fast motion included) while true cuts score a median of ~50.
    default: float = 6.0  # when a window holds no cut: a k-means midpoint typical of footage with cuts
    low: float = 3.0  # clip k-means results into [low, high]
    high: float = 12.0
    min_separation: float = math.log(3.0)  # log-score gap between centres below which no cut is assumed


def load_kmeans() -> type:
    """scikit-learn's KMeans, imported here rather than with this module: it takes ~1 s to load, which
    ``--help`` and usage errors should not wait for. Whoever runs a stream calls this up front (with
    the model), so the first calibration does not stall mid-stream or inside a timed run."""
    from sklearn.cluster import KMeans

    _threadpools()
    return KMeans


def preload_kmeans() -> None:
    """Import scikit-learn on a background thread (~2 s, scipy included) while the stream opens and the
    first frames decode and encode; the first calibration joins it through Python's import lock."""
    threading.Thread(target=load_kmeans, name="reprocut-import-sklearn", daemon=True).start()


def one_thread():
    """A context in which scikit-learn's OpenMP runs on one thread. A 1-D k-means of a few thousand
    values gains nothing from more, and its spinning OpenMP threads fight the decoder and the encoder
    for the two cores: measured 0.41 s per fit on 2 threads beside other work, 9 ms on one."""
    return _threadpools().limit(limits=1, user_api="openmp")


@cache
def _threadpools():
    """The process's thread pools, found once (scanning the loaded libraries takes ~10 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def two_centres(values: np.ndarray, init: tuple[float, float] | None = None) -> tuple[float, float]:
    """Sorted centres of 1-D k-means with k=2."""
    KMeans = load_kmeans()
    x = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    if init is None:
        km = KMeans(n_clusters=2, n_init=3, random_state=0)
    else:
        km = KMeans(n_clusters=2, n_init=1, init=np.array(init, dtype=np.float64).reshape(2, 1))
    with one_thread():
        km.fit(x)
    lo, hi = sorted(float(c) for c in km.cluster_centers_.ravel())
    return lo, hi


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
