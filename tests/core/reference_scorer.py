"""Today's frame-by-frame scorer, kept as the reference the batched ``core.scorer.Scorer`` must agree with.

This is the scorer as it was before batching (one ``_step`` per frame, ``pair_signals`` per frame for
the flash guard), unchanged but for its imports. ``test_batched_scorer.py`` feeds both the same
posteriors and requires the same cut frames and scores.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from reprocut.stream.core.calibration import Calibration
from reprocut.stream.core.events import CutEvent
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.core.signals import SIGNALS, colour_histograms, pair_signals
from reprocut.stream.core.threshold import adaptive_threshold, paper_threshold


@dataclass
class _Frame:
    index: int
    time: float
    wall: float
    mu: np.ndarray
    logvar: np.ndarray
    pixels: np.ndarray
    hist: np.ndarray
    raw: dict[str, float]


@dataclass
class _Candidate:
    index: int
    time: float
    wall: float
    score: float
    ratios: dict[str, float]
    pix: float
    return_score: float  # best score of "previous frame -> a later frame": low means a flash
    return_offset: int
    pixels: np.ndarray


class ReferenceScorer:
    def __init__(self, cfg: ScorerConfig | None = None, stream: str = "0", calibration: Calibration | None = None):
        self.cfg = cfg or ScorerConfig()
        self.stream = stream
        self.floors = dict(self.cfg.floors)
        if "kl" not in self.floors:
            median = calibration.kl_median if calibration and calibration.kl_median else None
            self.floors["kl"] = 0.5 * median if median else 0.05
        self.lookahead = max(self.cfg.after, self.cfg.flash_frames)
        self.min_len = max(1, round(self.cfg.min_scene_len * self.cfg.fps))
        self.threshold: float | None = self.cfg.threshold
        self.weights = {s: self.cfg.weights[s] for s in self.cfg.signals}
        self._centres: tuple[float, float] | None = None
        self._queue: deque[_Frame] = deque()  # frames awaiting a decision, plus look-ahead
        self._history: deque[dict[str, float]] = deque(maxlen=self.cfg.before)  # raw signals of decided frames
        self._prev: _Frame | None = None  # last frame pushed
        self._decided_prev: _Frame | None = None  # frame just before the head of the queue
        self._warm: list[_Candidate] = []
        self._window: deque[tuple[float, float]] = deque(maxlen=max(16, int(self.cfg.window_s * self.cfg.fps)))
        self.recent: deque[float] = deque(maxlen=120)  # recent combined scores, for stats and charts
        self._t0: float | None = None
        self._last_recal = -math.inf
        self._last_cut: int | None = None
        self._last_cut_score = math.inf  # the stream's start is no candidate to out-score
        self._flash_until = -1
        self._paper: list[tuple[float, _Frame]] = []
        self.trace: list[tuple[int, float, float]] = []
        self._log_ratios = {s: deque(maxlen=self.cfg.noise_window) for s in SIGNALS}
        self._spread = dict.fromkeys(SIGNALS, 1.0)
        self._since_spread = 0
        self.frames = 0
        self.cuts = 0

    # -- feeding -------------------------------------------------------------------------
    def push(self, index, time, wall, mu, logvar, pixels) -> list[CutEvent]:
        """Add consecutive frames of this stream (arrays with a leading batch axis)."""
        n = len(index)
        if n == 0:
            return []
        hist = colour_histograms(pixels)
        if self._prev is None:
            prev = (mu[:1], logvar[:1], pixels[:1], hist[:1])  # the first frame compares to itself: no change
        else:
            p = self._prev
            prev = (p.mu[None], p.logvar[None], p.pixels[None], p.hist[None])
        raw = pair_signals(
            np.concatenate([prev[0], mu[:-1]]), np.concatenate([prev[1], logvar[:-1]]),
            np.concatenate([prev[2], pixels[:-1]]), np.concatenate([prev[3], hist[:-1]]),
            mu, logvar, pixels, hist,
        )
        events: list[CutEvent] = []
        for j in range(n):
            frame = _Frame(int(index[j]), float(time[j]), float(wall[j]), mu[j], logvar[j], pixels[j], hist[j],
                           {s: float(raw[s][j]) for s in SIGNALS})
            if self._t0 is None:
                self._t0 = frame.time
                self._last_cut = frame.index
            self._prev = frame
            self.frames += 1
            if self.cfg.threshold_mode == "paper":
                self._paper.append((frame.raw["kl"], frame))
                continue
            self._queue.append(frame)
            while len(self._queue) > self.lookahead:
                events += self._step()
        return events

    def finish(self) -> list[CutEvent]:
        """Decide the frames still waiting for look-ahead and, in paper mode, the whole file."""
        if self.cfg.threshold_mode == "paper":
            return self._finish_paper()
        events: list[CutEvent] = []
        while self._queue:
            events += self._step()
        if self.threshold is None:
            events += self._calibrate()
        return events

    # -- scoring -------------------------------------------------------------------------
    def _combine(self, raw: dict[str, float], local: dict[str, float]) -> tuple[float, dict[str, float]]:
        """Weighted mean of log-ratios; each weight is divided by that signal's noise (spread of its log-ratio)."""
        ratios = {s: (raw[s] + self.floors[s]) / (local[s] + self.floors[s]) for s in SIGNALS}
        weights = {s: self.weights.get(s, 0.0) / self._spread[s] for s in SIGNALS}
        total = sum(weights.values())
        log_score = sum(weights[s] * math.log(ratios[s]) for s in SIGNALS) / total
        return math.exp(log_score), ratios

    def _update_spread(self, ratios: dict[str, float]) -> None:
        """Track each signal's robust spread (MAD) of log-ratios over recent frames.

        Signals differ in how much their ratios swing on ordinary frames (the KL of a
        well-trained encoder swings more under motion than a colour histogram does); dividing
        by that spread is inverse-noise weighting, so no signal dominates by scale alone.
        """
        for s in SIGNALS:
            self._log_ratios[s].append(math.log(ratios[s]))
        self._since_spread += 1
        if self._since_spread >= 8 and len(self._log_ratios["kl"]) >= 16:
            self._since_spread = 0
            for s in SIGNALS:
                x = np.fromiter(self._log_ratios[s], dtype=np.float64)
                self._spread[s] = max(1.4826 * float(np.median(np.abs(x - np.median(x)))), 0.05)

    def _local(self, nxt: list[_Frame]) -> dict[str, float]:
        local = {}
        for s in SIGNALS:
            values = [h[s] for h in self._history] + [f.raw[s] for f in nxt]
            # Held frames (animation on 2s and 3s: no change below the noise floor) say nothing about
            # how much the picture moves; counting them would halve the mean and double every burst.
            moving = [v for v in values if v > self.floors[s]]
            values = moving if len(moving) >= 2 else values
            if not values:
                local[s] = 0.0
                continue
            if len(values) >= 4:  # drop the largest: a cut a few frames back must not mask this one
                values.remove(max(values))
            local[s] = sum(values) / len(values)
        return local

    def _step(self) -> list[CutEvent]:
        frame = self._queue.popleft()
        ahead = list(self._queue)[: self.lookahead]
        local = self._local(ahead[: self.cfg.after])
        score, ratios = self._combine(frame.raw, local)
        return_score, return_offset = math.inf, 0
        before = self._decided_prev
        if before is not None:
            for k, later in enumerate(ahead[: self.cfg.flash_frames], start=1):
                pair = pair_signals(before.mu, before.logvar, before.pixels, before.hist, later.mu, later.logvar, later.pixels, later.hist)
                s, _ = self._combine({key: float(v) for key, v in pair.items()}, local)
                if s < return_score:
                    return_score, return_offset = s, k
        self._update_spread(ratios)
        self._history.append(frame.raw)
        self._decided_prev = frame
        self.recent.append(score)
        self._window.append((frame.time, score))
        if self.cfg.trace:
            self.trace.append((frame.index, score, math.nan if self.threshold is None else self.threshold))
        cand = _Candidate(frame.index, frame.time, frame.wall, score, ratios, frame.raw["pix"], return_score, return_offset, frame.pixels)
        if self.threshold is None:
            self._warm.append(cand)
            if frame.time - self._t0 >= self.cfg.warmup:
                return self._calibrate()
            return []
        events = self._decide(cand)
        if self.cfg.threshold is None and frame.time - self._last_recal >= self.cfg.recalibrate_s:
            self._recalibrate(frame.time)
        return events

    def _calibrate(self) -> list[CutEvent]:
        """End of warm-up: set the threshold, then decide every warm-up frame with it."""
        self._recalibrate(self._warm[-1].time if self._warm else 0.0)
        events: list[CutEvent] = []
        for cand in self._warm:
            events += self._decide(cand)
        self._warm.clear()
        return events

    def _recalibrate(self, now: float) -> None:
        while self._window and self._window[0][0] < now - self.cfg.window_s:
            self._window.popleft()
        scores = np.fromiter((s for _, s in self._window), dtype=np.float64, count=len(self._window))
        self.threshold, centres = adaptive_threshold(scores, self.cfg.kmeans, self._centres)
        self._centres = centres or self._centres
        self._last_recal = now

    def _decide(self, c: _Candidate) -> list[CutEvent]:
        threshold = self.threshold
        too_faint = "pix" in self.weights and c.pix < self.cfg.min_pix  # part of the pix signal
        # A cut changes every signal well above its neighbourhood; motion moves some signals only
        # (a histogram hardly changes when shapes move, the latent layout does).
        disagree = any(c.ratios[s] < self.cfg.min_ratio for s, w in self.weights.items() if w > 0)
        if c.score < threshold or too_faint or disagree or c.index <= self._flash_until:
            return []
        if c.return_score < threshold:  # the picture went back to the previous shot: a flash
            self._flash_until = c.index + c.return_offset
            return []
        # Minimum scene length stops one transition from making several cuts; a candidate far
        # stronger than the cut that opened the scene is a different event (that cut was weak).
        if self._last_cut is not None and c.index - self._last_cut < self.min_len and c.score < 2.0 * self._last_cut_score:
            return []
        self._last_cut, self._last_cut_score = c.index, c.score
        self.cuts += 1
        return [CutEvent(self.stream, c.index, c.time, c.score, threshold, c.wall, {s: round(v, 4) for s, v in c.ratios.items()}, c.pixels)]

    def _finish_paper(self) -> list[CutEvent]:
        kl = np.array([k for k, _ in self._paper])
        threshold = paper_threshold(kl[1:]) if len(kl) > 1 else math.inf
        self.threshold = threshold
        events = []
        for k, f in self._paper[1:]:
            if k > threshold:
                self.cuts += 1
                events.append(CutEvent(self.stream, f.index, f.time, float(k), float(threshold), f.wall, {"kl": float(k)}))
        self._paper.clear()
        return events
