"""Scoring: raw change signals to normalised scores and cut candidates, with numpy over whole runs of frames.

Each raw signal against the frame before (``signals.py``) is divided by the trimmed mean of its
neighbourhood (previous ``before`` frames and the next ``after``, held frames of animation on 2s/3s left
out; ``normalise.py``): this local normalisation is what separates cuts from sustained motion. The
log-ratios are combined in a weighted mean, the VAE's KL the primary signal and each weight divided by
that signal's own noise. A candidate is a frame that every signal in use sees rise at least ``min_ratio``
over its neighbourhood (motion moves some signals, a change of scene moves them all) and that no rule
(``rules.py``) vetoes; only candidates reach the per-frame decision (``decider.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .calibration import Calibration
from .frames import Frames
from .normalise import NoiseSpread, local_means, neighbourhoods
from .rules import Rules
from .signals import SIGNALS, colour_histograms, layouts, pair_signals

PIX, KL = SIGNALS.index("pix"), SIGNALS.index("kl")


@dataclass
class ScoringConfig:
    before: int = 8  # neighbourhood for local normalisation: previous frames...
    after: int = 1  # ...and following frames
    weights: dict[str, float] = field(default_factory=lambda: {"kl": 0.5, "pix": 0.25, "hist": 0.25})  # prior weights
    # Noise floors added to numerator and denominator of each ratio, so a static shot scores ~1.
    # kl's default comes from the model's calibration (half the median consecutive-frame KL; ``noise_floors``).
    floors: dict[str, float] = field(default_factory=lambda: {"pix": 0.004, "hist": 0.01})
    min_ratio: float = 2.0  # every signal in use must rise at least this much over its neighbourhood
    min_pix: float = 0.02  # with the pix signal: a cut changes the picture's intensity by 2% on average
    noise_window: int = 500  # frames over which each signal's noise (spread of log-ratios) is measured


def noise_floors(cfg: ScoringConfig, calibration: Calibration | None = None) -> dict[str, float]:
    """Each signal's noise floor; the KL's, unless set, from the model's own footage (its scale is the model's)."""
    floors = dict(cfg.floors)
    if "kl" not in floors:
        median = calibration.kl_median if calibration and calibration.kl_median else None
        floors["kl"] = 0.5 * median if median else 0.05
    return floors


def measure(index: np.ndarray, time: np.ndarray, wall: np.ndarray, mu: np.ndarray, logvar: np.ndarray, pixels: np.ndarray,
            last: Frames | None = None) -> Frames:
    """Consecutive frames (arrays with a leading frame axis) with their picture summaries and raw signals
    against the frame before: ``last``, or at a stream's start the first frame itself (no change)."""
    hist = colour_histograms(pixels)
    layout, colour = layouts(pixels)
    if last is None:
        last = Frames(index[:1], time[:1], wall[:1], mu[:1], logvar[:1], pixels[:1], hist[:1], layout[:1], colour[:1],
                      np.zeros((1, len(SIGNALS))))
    raw = pair_signals(
        np.concatenate([last.mu, mu[:-1]]), np.concatenate([last.logvar, logvar[:-1]]),
        np.concatenate([last.pixels, pixels[:-1]]), np.concatenate([last.hist, hist[:-1]]),
        mu, logvar, pixels, hist,
    )
    return Frames(np.asarray(index, np.int64), np.asarray(time, np.float64), np.asarray(wall, np.float64), mu, logvar,
                  pixels, hist, layout, colour, np.stack([raw[s] for s in SIGNALS], axis=1))


@dataclass
class Scored:
    """What scoring says about the frames it was asked about (one entry per position)."""

    scores: np.ndarray  # combined normalised score
    ratios: np.ndarray  # [m, len(SIGNALS)] each signal over its neighbourhood's
    candidate: np.ndarray  # bool: goes to the decider
    unrelated: np.ndarray  # bool: a rule makes it a cut whatever the threshold
    back: np.ndarray  # flash guard: best score of "frame before -> one of the next ``flash_frames``" (inf: not computed)
    back_offset: np.ndarray  # ...and at which offset


class Scoring:
    """Scores runs of frames with numpy; stateful only in each signal's noise spread, measured as frames go by."""

    def __init__(self, cfg: ScoringConfig, signals: tuple[str, ...], floors: dict[str, float], rules: Rules,
                 flash_frames: int):
        self.cfg, self.rules, self.flash_frames = cfg, rules, flash_frames
        weights = {s: cfg.weights[s] for s in signals}
        self._floors = np.array([floors[s] for s in SIGNALS])
        self._weights = np.array([weights.get(s, 0.0) for s in SIGNALS])
        self._used = [SIGNALS.index(s) for s, w in weights.items() if w > 0]
        self._pix = "pix" in weights
        self._noise = NoiseSpread(len(SIGNALS), cfg.noise_window)

    def score(self, f: Frames, pos: np.ndarray) -> Scored:
        """Score the frames of ``f`` at ``pos`` (consecutive, each once and in order: the noise spread moves on)."""
        local = local_means(neighbourhoods(f.raw, pos, self.cfg.before, self.cfg.after), self._floors)
        ratios = self._ratios(f.raw[pos], local)
        # A cut changes every signal well above its neighbourhood; motion moves some signals only (a histogram
        # hardly changes when shapes move, the latent layout does). With the pix signal, a cut also changes the
        # picture's intensity by ``min_pix``: a faint frame is never a candidate, and its signals' noise is not
        # the noise a candidate must stand out of, so the spread is measured on the frames that changed visibly
        # (and a file decides the same whether its calm frames are encoded or not: ``plan.py``).
        m = len(pos)
        faint = f.raw[pos, PIX] < self.cfg.min_pix if self._pix else np.zeros(m, bool)
        spread = self._noise.advance(np.log(ratios), ~faint)
        # A faint frame's score only feeds the threshold's window: it leaves out the KL, which a file does not
        # compute on most faint frames, so that what is encoded never moves the threshold.
        scores = self._combine(np.where(faint[:, None] & (np.arange(len(SIGNALS)) == KL), np.nan, ratios), spread)
        agreed = ~faint & np.all(ratios[:, self._used] >= self.cfg.min_ratio, axis=1)
        candidate, unrelated = self.rules.apply(f, pos, agreed, faint)
        back, back_offset = np.full(m, np.inf), np.zeros(m, np.int64)  # the flash guard reads only candidates'
        back[candidate], back_offset[candidate] = self._return_scores(f, pos[candidate], local[candidate], spread[candidate])
        return Scored(scores, ratios, candidate, unrelated, back, back_offset)

    def _ratios(self, raw: np.ndarray, local: np.ndarray) -> np.ndarray:
        """Each raw signal over its neighbourhood's, both lifted by the noise floor [m, C]."""
        return (raw + self._floors) / (local + self._floors)

    def _combine(self, ratios: np.ndarray, spread: np.ndarray) -> np.ndarray:
        """Weighted mean of log-ratios [m, C] -> scores [m]; each weight is divided by that signal's noise."""
        logs = np.log(ratios)
        known = ~np.isnan(logs)  # a KL not computed (``plan.py``) leaves the mean to the other signals
        weights, logs = np.where(known, self._weights / spread, 0.0), np.where(known, logs, 0.0)
        total, log_score = np.zeros(len(ratios)), np.zeros(len(ratios))
        for c in range(len(SIGNALS)):  # added in signal order, whatever the batch: a batch decides as frames one by one
            total = total + weights[:, c]
            log_score = log_score + weights[:, c] * logs[:, c]
        return np.exp(log_score / total)

    def _return_scores(self, f: Frames, pos: np.ndarray, local: np.ndarray, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flash guard: the best score of "frame before -> each of the next ``flash_frames``", and at which offset."""
        best, offset = np.full(len(pos), np.inf), np.zeros(len(pos), np.int64)
        for k in range(1, self.flash_frames + 1):
            ok = np.nonzero((pos >= 1) & (pos + k < len(f)))[0]
            if not len(ok):
                continue
            a, b = f[pos[ok] - 1], f[pos[ok] + k]
            pair = pair_signals(a.mu, a.logvar, a.pixels, a.hist, b.mu, b.logvar, b.pixels, b.hist)
            s = self._combine(self._ratios(np.stack([pair[n] for n in SIGNALS], axis=1), local[ok]), spread[ok])
            better = s < best[ok]
            best[ok[better]], offset[ok[better]] = s[better], k
        return best, offset
