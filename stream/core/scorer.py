"""The online cut scorer: pure logic, fed arrays, returning events (no I/O, no threads).

For every frame it takes the raw change signals against the previous frame (``signals.py``),
divides each by the trimmed mean of its neighbourhood (previous ``before`` frames and the next
``after``, held frames of animation on 2s/3s left out; this local normalisation is what
separates cuts from sustained motion), combines the log-ratios in a weighted mean with the
VAE's KL as the primary signal and each weight divided by that signal's own noise, and compares
the result to a threshold set by k-means on a warm-up window and then re-set on a sliding window.
A cut must also be seen by every signal in use (each rises at least ``min_ratio`` over its
neighbourhood): motion moves some signals, a change of scene moves them all.

Rules that need no calibration tell "the same picture changed" (a brightness dip, a glow, a key-pose
jump or zoom punch of limited animation, a smear: no cut) from "another picture": the pictures'
coarse luma layouts (``signals.layouts``, with pix), which also make two unrelated pictures, each
continuing its own shot, a cut whatever the threshold, the other signals or the last cut (dense fan
edits, whose dips inflate every neighbourhood); and the latent's change beside what its posteriors hold.

A frame is decided once ``lookahead`` later frames have arrived: the next frame is part of the
neighbourhood, and the flash guard needs to see whether the picture returns to the previous
shot (a flash, a one- or two-frame glitch) instead of staying new (a cut). That costs two
frames of latency (~80 ms at 25 fps).

Everything but the decisions is computed with numpy over all the frames a push makes decidable
(with their neighbourhood); only frames that every signal sees as a change (the candidates) go
through the per-frame decision (threshold, flash guard, minimum scene length), in order, and
the threshold's calibration and recalibration happen at the same frames as one frame at a time
would give (``tests/core/reference_scorer.py`` is that frame-by-frame scorer, kept to check it).

Usage::

    scorer = Scorer(ScorerConfig(fps=25))
    for batch in batches:
        for event in scorer.push(batch.index, batch.time, batch.wall, mu, logvar, batch.pixels):
            print(event.frame)
    events = scorer.finish()
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .calibration import Calibration
from .events import CutEvent
from .frames import Frames
from .kl import prior_kl, same_picture
from .normalise import NoiseSpread, local_means, neighbourhoods
from .signals import (
    SIGNALS,
    colour_histograms,
    layout_similarity,
    layouts,
    pair_signals,
    pixel_change,
)
from .sparse import needed
from .threshold import ThresholdConfig, adaptive_threshold, paper_threshold


@dataclass
class ScorerConfig:
    fps: float = 25.0
    threshold_mode: str = "online"  # online | paper (the paper's offline k-means over all raw KL values of a file)
    warmup: float = 4.0  # seconds
    window_s: float = 120.0  # sliding window for recalibration
    recalibrate_s: float = 2.0
    min_scene_len: float = 0.2  # seconds; anime cuts every 4-6 frames; PySceneDetect's 0.6 s would lose half
    before: int = 8  # neighbourhood for local normalisation: previous frames...
    after: int = 1  # ...and following frames
    flash_frames: int = 2  # longest flash (frames) the flash guard recognises
    signals: tuple[str, ...] = SIGNALS  # the signals in use
    weights: dict[str, float] = field(default_factory=lambda: {"kl": 0.5, "pix": 0.25, "hist": 0.25})  # prior weights
    # Noise floors added to numerator and denominator of each ratio, so a static shot scores ~1.
    # kl's default comes from the model's calibration (half the median consecutive-frame KL).
    floors: dict[str, float] = field(default_factory=lambda: {"pix": 0.004, "hist": 0.01})
    min_ratio: float = 2.0  # every signal in use must rise at least this much over its neighbourhood
    min_pix: float = 0.02  # with the pix signal: a cut changes the picture's intensity by 2% on average
    threshold: float | None = None  # set: no k-means, use this normalised-score threshold
    noise_window: int = 500  # frames over which each signal's noise (spread of log-ratios) is measured
    latent_share: float = 0.1  # with kl, without pix: a cut's KL is at least this share of the two frames' KL to the prior (0: off)
    latent_spike: bool = True  # with kl, without pix: a cut's KL is at least min_ratio times the frame before's and after's
    # Picture-layout rules (with the pix signal; ``signals.layouts``): the coarse luma layout ignores brightness,
    # so it tells "the same picture changed" from "another picture" without calibration.
    same_picture_guard: bool = True  # a frame that keeps the previous frame's layout and colour balance is no cut
    unrelated_cuts: bool = True  # two unrelated pictures, each continuing its own shot, are a cut whatever else
    same_layout: float = 0.8  # layout correlation from which two frames show the same picture (dev cuts: <= 0.55 but smears)
    same_colour: float = 0.05  # colour-balance shift up to which a same-layout frame is the same picture (a recolour is a cut)
    unrelated_layout: float = 0.5  # layout correlation up to which two pictures are unrelated (dev in-shot pairs: >= 0.6)
    unrelated_gap: float = 0.5  # each side's own correlation exceeds the across one by this (dev cuts >= 0.53; a shake less)
    unrelated_area: float = 0.25  # share of the layout that must change (dev cuts >= 0.37; an object jumping over a plain ground less)
    trace: bool = False  # keep (frame, score, threshold) of every frame in ``Scorer.trace`` (for plots)
    kmeans: ThresholdConfig = field(default_factory=ThresholdConfig)

    def __post_init__(self) -> None:
        if self.threshold_mode not in ("online", "paper"):
            raise ValueError(f"threshold_mode must be online or paper, not {self.threshold_mode!r}")
        if not self.signals or not set(self.signals) <= self.weights.keys():
            raise ValueError(f"signals must be some of {', '.join(self.weights)}, not {self.signals!r}")
        if self.fps <= 0:
            raise ValueError("fps must be positive")


@dataclass
class _Candidate:
    index: int
    time: float
    wall: float
    score: float
    ratios: dict[str, float]
    return_score: float  # best score of "previous frame -> a later frame": low means a flash
    return_offset: int
    pixels: np.ndarray  # its own copy: a view would keep the scorer's whole batch alive as long as the event
    unrelated: bool  # two unrelated pictures, each continuing its own shot


class Scorer:
    """Scores whole batches with numpy; decides frame by frame only where a decision can change state.

    ``live``: decide warm-up frames at once with the prior threshold (``ThresholdConfig.default``)
    instead of holding them until k-means has its window, so early cuts of a live stream go out
    within the look-ahead too; k-means takes over at the end of the warm-up. Files keep the
    calibrated threshold for warm-up frames, which costs no latency there.
    """

    def __init__(self, cfg: ScorerConfig | None = None, stream: str = "0", calibration: Calibration | None = None,
                 live: bool = False):
        self.cfg = cfg or ScorerConfig()
        self.stream = stream
        self.floors = dict(self.cfg.floors)
        if "kl" not in self.floors:
            median = calibration.kl_median if calibration and calibration.kl_median else None
            self.floors["kl"] = 0.5 * median if median else 0.05
        self._floors = np.array([self.floors[s] for s in SIGNALS])
        self.lookahead = max(self.cfg.after, self.cfg.flash_frames)
        self.needs_ahead = self.cfg.before + 1  # a candidate needs the posteriors of this many frames before it
        self.min_len = max(1, round(self.cfg.min_scene_len * self.cfg.fps))
        self._warming = self.cfg.threshold is None
        self.threshold: float | None = self.cfg.threshold if self.cfg.threshold is not None else (
            self.cfg.kmeans.default if live else None)
        self.weights = {s: self.cfg.weights[s] for s in self.cfg.signals}
        self._weights = np.array([self.weights.get(s, 0.0) for s in SIGNALS])
        self._centres: tuple[float, float] | None = None
        self._frames: Frames | None = None  # the last decided frames (neighbourhood) and those awaiting a decision
        self._decided = 0  # how many frames at the start of ``_frames`` are decided
        self._warm: list[_Candidate] = []
        self._warm_time = 0.0
        self._window: deque[tuple[float, float]] = deque(maxlen=max(16, int(self.cfg.window_s * self.cfg.fps)))
        self.recent: deque[float] = deque(maxlen=120)  # recent combined scores, for stats and charts
        self.recent_last_frame = -1  # the frame ``recent`` ends at
        self._t0: float | None = None
        self._last_recal = -math.inf
        self._last_cut: int | None = None
        self._last_cut_score = math.inf  # the stream's start is no candidate to out-score
        self._flash_until = -1
        self._paper: list[Frames] = []
        self.trace: list[tuple[int, float, float]] = []
        self._noise = NoiseSpread(len(SIGNALS), self.cfg.noise_window)
        self.frames = 0
        self.cuts = 0

    # -- feeding -------------------------------------------------------------------------
    def push(self, index, time, wall, mu, logvar, pixels) -> list[CutEvent]:
        """Add consecutive frames of this stream (arrays with a leading batch axis)."""
        n = len(index)
        if n == 0:
            return []
        hist = colour_histograms(pixels)
        layout, colour = layouts(pixels)
        prev = self._frames[-1:] if self._frames is not None and len(self._frames) else None
        if prev is None:
            prev = Frames(index[:1], time[:1], wall[:1], mu[:1], logvar[:1], pixels[:1], hist[:1], layout[:1], colour[:1],
                           np.zeros((1, len(SIGNALS))))
        raw = pair_signals(
            np.concatenate([prev.mu, mu[:-1]]), np.concatenate([prev.logvar, logvar[:-1]]),
            np.concatenate([prev.pixels, pixels[:-1]]), np.concatenate([prev.hist, hist[:-1]]),
            mu, logvar, pixels, hist,
        )
        new = Frames(np.asarray(index, np.int64), np.asarray(time, np.float64), np.asarray(wall, np.float64), mu, logvar,
                      pixels, hist, layout, colour, np.stack([raw[s] for s in SIGNALS], axis=1))
        if self._t0 is None:
            self._t0 = float(new.time[0])
            self._last_cut = int(new.index[0])
        self.frames += n
        self._frames = new if self._frames is None else self._frames + new
        if self.cfg.threshold_mode == "paper":
            self._paper.append(new)
            self._frames = self._frames[-1:]
            return []
        ready = len(self._frames) - self._decided - self.lookahead
        return self._score(ready) if ready > 0 else []

    def posteriors_needed(self, pixels: np.ndarray, ahead: np.ndarray) -> np.ndarray:
        """Which of the next frames (not pushed yet) the decisions need posteriors for ([n] bool; ``sparse.py``):
        those near a frame whose pixels change by ``min_pix``; every frame without the pix signal or in paper
        mode. ``ahead``: the ``needs_ahead`` frames after them (fewer only where the stream ends)."""
        if "pix" not in self.weights or self.cfg.threshold_mode == "paper":
            return np.ones(len(pixels), bool)
        last, before = pixels[:1], np.zeros(0)  # a stream's first frame changes nothing
        if self._frames is not None:
            last, before = self._frames.pixels[-1:], self._frames.raw[-self.lookahead:, SIGNALS.index("pix")]
        px = np.concatenate([pixels, ahead])
        change = pixel_change(np.concatenate([last, px[:-1]]), px)
        return needed(change >= self.cfg.min_pix, before >= self.cfg.min_pix, self.needs_ahead, self.lookahead)[:len(pixels)]

    def finish(self) -> list[CutEvent]:
        """Decide the frames still waiting for look-ahead and, in paper mode, the whole file."""
        if self.cfg.threshold_mode == "paper":
            return self._finish_paper()
        events: list[CutEvent] = []
        if self._frames is not None and len(self._frames) > self._decided:
            events += self._score(len(self._frames) - self._decided)
        if self._warming:
            events += self._calibrate()
        return events

    # -- scoring -------------------------------------------------------------------------
    def _ratios(self, raw: np.ndarray, local: np.ndarray) -> np.ndarray:
        """Each raw signal over its neighbourhood's, both lifted by the noise floor [m, C]."""
        return (raw + self._floors) / (local + self._floors)

    def _combine(self, ratios: np.ndarray, spread: np.ndarray) -> np.ndarray:
        """Weighted mean of log-ratios [m, C] -> scores [m]; each weight is divided by that signal's noise."""
        logs = np.log(ratios)
        known = ~np.isnan(logs)  # a KL not computed (``sparse.py``) leaves the mean to the other signals
        weights, logs = np.where(known, self._weights / spread, 0.0), np.where(known, logs, 0.0)
        total, log_score = np.zeros(len(ratios)), np.zeros(len(ratios))
        for c in range(len(SIGNALS)):  # added in signal order, as frame-by-frame scoring did
            total = total + weights[:, c]
            log_score = log_score + weights[:, c] * logs[:, c]
        return np.exp(log_score / total)

    def _return_scores(self, f: Frames, pos: np.ndarray, local: np.ndarray, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flash guard: the best score of "frame before -> each of the next ``flash_frames``", and at which offset."""
        best, offset = np.full(len(pos), np.inf), np.zeros(len(pos), np.int64)
        for k in range(1, self.cfg.flash_frames + 1):
            ok = np.nonzero((pos >= 1) & (pos + k < len(f)))[0]
            if not len(ok):
                continue
            a, b = f[pos[ok] - 1], f[pos[ok] + k]
            pair = pair_signals(a.mu, a.logvar, a.pixels, a.hist, b.mu, b.logvar, b.pixels, b.hist)
            s = self._combine(self._ratios(np.stack([pair[n] for n in SIGNALS], axis=1), local[ok]), spread[ok])
            better = s < best[ok]
            best[ok[better]], offset[ok[better]] = s[better], k
        return best, offset

    def _latent_same(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        """With the KL but not the pixels (whose layouts tell it better): ``kl.same_picture`` (the latent's change
        is small beside what the posteriors hold, or gradual)."""
        if "kl" not in self.weights or "pix" in self.weights:
            return np.zeros(len(pos), bool)
        share = self.cfg.latent_share * (prior_kl(f.mu, f.logvar) if self.cfg.latent_share else np.zeros(len(f)))
        return same_picture(f.raw[:, SIGNALS.index("kl")], share, pos, self.cfg.min_ratio if self.cfg.latent_spike else 0.0)

    def _layout_rules(self, f: Frames, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(same, unrelated) per position, from the pictures' layouts (with the pix signal). ``same``: the frame
        keeps the previous one's layout and colour balance (a dip, a glow, a pose jump, a smear): no cut.
        ``unrelated``: its picture is unrelated to those before (and the next ones do not return) while each
        side continues its own shot: a cut, however dense the cuts (at the stream's start: the later side only).
        """
        cfg, m = self.cfg, len(pos)
        same, unrelated = np.zeros(m, bool), np.zeros(m, bool)
        if "pix" not in self.weights:
            return same, unrelated

        def sim(a: int, b: int) -> np.ndarray:  # layout correlation of frames pos+a and pos+b; NaN off the ends
            ok = (pos + a >= 0) & (pos + b < len(f))
            out = np.full(m, np.nan)
            out[ok] = layout_similarity(f.layout[pos[ok] + a], f.layout[pos[ok] + b])
            return out

        cross = sim(-1, 0)
        if cfg.same_picture_guard:
            shift = np.abs(f.colour[pos] - f.colour[np.maximum(pos - 1, 0)]).sum(1)
            same = (cross >= cfg.same_layout) & (shift <= cfg.same_colour)
        if cfg.unrelated_cuts:
            across = np.fmax.reduce([cross, sim(-2, 0)] + [sim(-1, k) for k in range(1, self.lookahead + 1)])
            area = (np.abs(f.layout[pos] - f.layout[np.maximum(pos - 1, 0)]) > 0.5).mean(1)  # by half the contrast
            within = np.fmin(sim(-2, -1), sim(0, 1))  # each side continues its own shot...
            unrelated = (np.isfinite(cross) & (across <= cfg.unrelated_layout) & (area >= cfg.unrelated_area)
                         & (within >= cfg.same_layout) & (within - across >= cfg.unrelated_gap))  # ...far more than across
        return same, unrelated

    def _score(self, m: int) -> list[CutEvent]:
        """Score the next ``m`` undecided frames at once, then decide them in order."""
        f = self._frames
        pos = np.arange(self._decided, self._decided + m)
        local = local_means(neighbourhoods(f.raw, pos, self.cfg.before, self.cfg.after), self._floors)
        ratios = self._ratios(f.raw[pos], local)
        spread = self._noise.advance(np.log(ratios))
        scores = self._combine(ratios, spread)
        # A cut changes every signal well above its neighbourhood; motion moves some signals only (a
        # histogram hardly changes when shapes move, the latent layout does). With the pix signal, a
        # cut also changes the picture's intensity by ``min_pix``. Other frames are no cut whatever the threshold.
        raw_pix = f.raw[pos, SIGNALS.index("pix")]
        faint = raw_pix < self.cfg.min_pix if "pix" in self.weights else np.zeros(m, bool)
        used = [SIGNALS.index(s) for s, w in self.weights.items() if w > 0]
        eligible = ~faint & np.all(ratios[:, used] >= self.cfg.min_ratio, axis=1)
        same, unrelated = self._layout_rules(f, pos)
        eligible = (eligible & ~same & ~self._latent_same(f, pos)) | (unrelated & ~faint)
        back, back_offset = np.full(m, np.inf), np.zeros(m, np.int64)  # the flash guard reads only candidates' scores
        back[eligible], back_offset[eligible] = self._return_scores(f, pos[eligible], local[eligible], spread[eligible])
        self.recent.extend(scores.tolist())
        self.recent_last_frame = int(f.index[pos[-1]])
        events: list[CutEvent] = []
        for j, p in enumerate(pos.tolist()):
            t, score = float(f.time[p]), float(scores[j])
            self._window.append((t, score))
            if self.cfg.trace:
                self.trace.append((int(f.index[p]), score, math.nan if self.threshold is None else self.threshold))
            cand = None
            if eligible[j]:
                cand = _Candidate(int(f.index[p]), t, float(f.wall[p]), score, dict(zip(SIGNALS, ratios[j].tolist())),
                                  float(back[j]), int(back_offset[j]), f.pixels[p].copy(), bool(unrelated[j]))
            if self._warming:
                if cand is not None:
                    if self.threshold is None:
                        self._warm.append(cand)
                    else:
                        events += self._decide(cand)
                self._warm_time = t
                if t - self._t0 >= self.cfg.warmup:
                    events += self._calibrate()
                continue
            if cand is not None:
                events += self._decide(cand)
            if self.cfg.threshold is None and t - self._last_recal >= self.cfg.recalibrate_s:
                self._recalibrate(t)
        self._decided += m
        keep = max(self.cfg.before, 1)  # the neighbourhood, and the frame before for the flash guard
        if self._decided > keep:
            self._frames = f[self._decided - keep:]
            self._decided = keep
        return events

    def _calibrate(self) -> list[CutEvent]:
        """End of warm-up: set the threshold, then decide every held warm-up frame with it."""
        self._recalibrate(self._warm_time)
        self._warming = False
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
        """A candidate (every signal agrees) against the threshold, the flash guard and the minimum scene length."""
        threshold = self.threshold
        if c.unrelated:
            return self._cut(c, threshold)
        if c.score < threshold or c.index <= self._flash_until:
            return []
        if c.return_score < threshold:  # the picture went back to the previous shot: a flash
            self._flash_until = c.index + c.return_offset
            return []
        # Minimum scene length stops one transition from making several cuts; a candidate far
        # stronger than the cut that opened the scene is a different event (that cut was weak).
        if self._last_cut is not None and c.index - self._last_cut < self.min_len and c.score < 2.0 * self._last_cut_score:
            return []
        return self._cut(c, threshold)

    def _cut(self, c: _Candidate, threshold: float) -> list[CutEvent]:
        self._last_cut, self._last_cut_score = c.index, c.score
        self.cuts += 1
        return [CutEvent(self.stream, c.index, c.time, c.score, threshold, c.wall, {s: round(v, 4) for s, v in c.ratios.items()}, c.pixels)]

    def _finish_paper(self) -> list[CutEvent]:
        if not self._paper:
            return []
        f = self._paper[0]
        for more in self._paper[1:]:
            f = f + more
        kl = f.raw[:, SIGNALS.index("kl")]
        threshold = paper_threshold(kl[1:]) if len(kl) > 1 else math.inf
        self.threshold = threshold
        events = []
        for p in np.nonzero(kl[1:] > threshold)[0] + 1:
            self.cuts += 1
            events.append(CutEvent(self.stream, int(f.index[p]), float(f.time[p]), float(kl[p]), float(threshold),
                                   float(f.wall[p]), {"kl": float(kl[p])}))
        self._paper.clear()
        return events
