"""The decider: candidates (``scoring.py``) to cuts, one frame at a time, with explicit state.

Three small policies, each with the state it needs:

- ``OnlineThreshold``: k-means (``threshold.py``) on the warm-up's scores sets the threshold, then a sliding
  window re-fits it every ``recalibrate_s``. Its ``Phase`` says where it stands: a file's warm-up holds its
  candidates until the threshold is known (``WARMING``: no latency cost there), a live stream's decides
  them at once with the prior (``PRIOR``), so early cuts go out within the look-ahead.
- ``FlashGuard``: a spike whose picture returns to the previous shot within ``flash_frames`` (a flash, a
  one- or two-frame glitch) is no cut, nor is a candidate inside it (PySceneDetect's ``FlashFilter``).
- ``MinSceneLength``: one transition makes one cut; a candidate far stronger than the cut that opened the
  scene is a different event (that cut was weak), so it still counts.

    decider = Decider(DeciderConfig(), fps=25.0)
    decider.start(index=0, time=0.0)
    for time, score, candidate in frames:          # candidate: None for most frames
        for cut, threshold in decider.step(time, score, candidate):
            ...
    decider.finish()                               # a warm-up the stream did not outlast
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .threshold import ThresholdConfig, adaptive_threshold


class Phase(Enum):
    WARMING = "warming"  # collecting the warm-up's scores; candidates held until the threshold is known
    PRIOR = "prior"  # collecting the warm-up's scores; candidates decided with the prior threshold (live)
    CALIBRATED = "calibrated"  # k-means set the threshold and re-fits it on a sliding window
    FIXED = "fixed"  # the user's threshold, never re-fitted


@dataclass
class DeciderConfig:
    warmup: float = 4.0  # seconds
    window_s: float = 120.0  # sliding window for recalibration
    recalibrate_s: float = 2.0
    min_scene_len: float = 0.2  # seconds; anime cuts every 4-6 frames; PySceneDetect's 0.6 s would lose half
    flash_frames: int = 2  # longest flash (frames) the flash guard recognises
    threshold: float | None = None  # set: no k-means, use this normalised-score threshold
    kmeans: ThresholdConfig = field(default_factory=ThresholdConfig)


@dataclass
class Candidate:
    """A frame that every signal sees as a change; what the decider reads and what its cut event carries."""

    index: int
    time: float
    wall: float
    score: float
    ratios: dict[str, float]
    return_score: float  # best score of "previous frame -> a later frame": low means a flash
    return_offset: int
    pixels: np.ndarray  # its own copy: a view would keep the scorer's whole batch alive as long as the event
    unrelated: bool  # two unrelated pictures, each continuing its own shot: a cut whatever the threshold


class OnlineThreshold:
    """The threshold over time: none, the prior or the user's at first, then k-means on a sliding window."""

    def __init__(self, cfg: DeciderConfig, fps: float, live: bool):
        self.cfg = cfg
        if cfg.threshold is not None:
            self.phase, self.value = Phase.FIXED, cfg.threshold
        else:
            self.phase, self.value = (Phase.PRIOR, cfg.kmeans.default) if live else (Phase.WARMING, None)
        self._window: deque[tuple[float, float]] = deque(maxlen=max(16, int(cfg.window_s * fps)))
        self._centres: tuple[float, float] | None = None
        self._last_fit = -math.inf

    def add(self, time: float, score: float) -> None:
        self._window.append((time, score))

    def calibrate(self, now: float) -> None:
        """End of warm-up: the first k-means threshold."""
        self.refit(now)
        self.phase = Phase.CALIBRATED

    def due(self, now: float) -> bool:
        return self.phase is Phase.CALIBRATED and now - self._last_fit >= self.cfg.recalibrate_s

    def refit(self, now: float) -> None:
        while self._window and self._window[0][0] < now - self.cfg.window_s:
            self._window.popleft()
        scores = np.fromiter((s for _, s in self._window), dtype=np.float64, count=len(self._window))
        self.value, centres = adaptive_threshold(scores, self.cfg.kmeans, self._centres)
        self._centres = centres or self._centres  # the next fit starts from the last centres that held a cut
        self._last_fit = now


class FlashGuard:
    """Blocks a candidate whose picture returns to the shot before it, and every candidate until it has returned."""

    def __init__(self) -> None:
        self._until = -1

    def blocks(self, c: Candidate, threshold: float) -> bool:
        if c.index <= self._until:
            return True
        if c.return_score < threshold:
            self._until = c.index + c.return_offset
            return True
        return False


class MinSceneLength:
    """Blocks a cut within ``frames`` of the last one unless it scores at least twice that one."""

    def __init__(self, frames: int):
        self.frames = frames
        self._last: int | None = None
        self._last_score = math.inf  # the stream's start is no cut to out-score

    def start(self, index: int) -> None:
        self._last = index

    def blocks(self, c: Candidate) -> bool:
        return self._last is not None and c.index - self._last < self.frames and c.score < 2.0 * self._last_score

    def cut(self, c: Candidate) -> None:
        self._last, self._last_score = c.index, c.score


class Decider:
    """Candidates to cuts, in frame order: ``step`` for every scored frame, ``finish`` at the stream's end.
    A cut comes back as ``(candidate, threshold)``, the threshold it passed."""

    def __init__(self, cfg: DeciderConfig | None = None, fps: float = 25.0, live: bool = False):
        self.cfg = cfg or DeciderConfig()
        self._threshold = OnlineThreshold(self.cfg, fps, live)
        self.flash = FlashGuard()
        self.min_len = MinSceneLength(max(1, round(self.cfg.min_scene_len * fps)))
        self._held: list[Candidate] = []
        self._t0 = 0.0
        self._warm_time = 0.0

    @property
    def phase(self) -> Phase:
        return self._threshold.phase

    @property
    def threshold(self) -> float | None:
        """The normalised score a candidate must reach now; None while a file's warm-up holds its candidates."""
        return self._threshold.value

    def start(self, index: int, time: float) -> None:
        """The stream's first frame: the warm-up and the first scene start there."""
        self._t0 = time
        self.min_len.start(index)

    def step(self, time: float, score: float, candidate: Candidate | None) -> list[tuple[Candidate, float]]:
        """The next frame's score (every frame's feeds the threshold) and its candidate, if any."""
        th = self._threshold
        th.add(time, score)
        if th.phase in (Phase.WARMING, Phase.PRIOR):
            cuts = []
            if candidate is not None:
                if th.phase is Phase.WARMING:
                    self._held.append(candidate)
                else:
                    cuts = self._decide(candidate)
            self._warm_time = time
            if time - self._t0 >= self.cfg.warmup:
                cuts += self._calibrate()
            return cuts
        cuts = self._decide(candidate) if candidate is not None else []
        if th.due(time):
            th.refit(time)
        return cuts

    def finish(self) -> list[tuple[Candidate, float]]:
        """A stream that ended within its warm-up: calibrate on what it had and decide what was held."""
        return self._calibrate() if self.phase in (Phase.WARMING, Phase.PRIOR) else []

    def _calibrate(self) -> list[tuple[Candidate, float]]:
        self._threshold.calibrate(self._warm_time)
        cuts = []
        for c in self._held:
            cuts += self._decide(c)
        self._held.clear()
        return cuts

    def _decide(self, c: Candidate) -> list[tuple[Candidate, float]]:
        threshold = self._threshold.value
        if not c.unrelated and (c.score < threshold or self.flash.blocks(c, threshold) or self.min_len.blocks(c)):
            return []
        self.min_len.cut(c)
        return [(c, threshold)]
