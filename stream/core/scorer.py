"""The online cut scorer: pure logic, fed arrays, returning events (no I/O, no threads).

It wires three parts, each in its own module: scoring (``scoring.py``: raw signals to locally normalised
scores and candidates, with numpy over every frame a push makes decidable), the rules that tell "the
same picture changed" from "another picture" (``rules.py``) and the decider (``decider.py``: threshold,
flash guard, minimum scene length, one candidate at a time, in order). The paper's offline threshold is
a scorer of its own (``paper.py``); ``make_scorer`` picks one by ``threshold_mode``.

A frame is decided once ``lookahead`` later frames have arrived: the next frame is part of the
neighbourhood, and the flash guard needs to see whether the picture returns to the previous shot (a
flash) instead of staying new (a cut). That costs two frames of latency (~80 ms at 25 fps).

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
from dataclasses import dataclass, field, replace

import numpy as np

from .calibration import Calibration
from .decider import Candidate, Decider, DeciderConfig, Phase
from .events import CutEvent
from .frames import Frames
from .paper import PaperScorer
from .rules import (
    LatentShare,
    LatentShareConfig,
    LatentSpike,
    LatentSpikeConfig,
    LatentUnrelated,
    LatentUnrelatedConfig,
    Rules,
    SamePictureConfig,
    SamePictureGuard,
    UnrelatedConfig,
    UnrelatedCuts,
    Veil,
    VeilConfig,
)
from .scoring import Scored, Scoring, ScoringConfig, measure, noise_floors
from .signals import SIGNALS


@dataclass
class ScorerConfig:
    fps: float = 25.0
    threshold_mode: str = "online"  # online | paper (the paper's offline k-means over all raw KL values of a file)
    signals: tuple[str, ...] = SIGNALS  # the signals in use
    trace: bool = False  # keep (frame, score, threshold) of every frame in ``Scorer.trace`` (for plots)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    decider: DeciderConfig = field(default_factory=DeciderConfig)
    # The rules (``rules.py``): the layout ones and the veil with the pix signal, the latent ones with the KL but not the pix.
    same_picture: SamePictureConfig = field(default_factory=SamePictureConfig)
    unrelated: UnrelatedConfig = field(default_factory=UnrelatedConfig)
    veil: VeilConfig = field(default_factory=VeilConfig)
    latent_share: LatentShareConfig = field(default_factory=LatentShareConfig)
    latent_spike: LatentSpikeConfig = field(default_factory=LatentSpikeConfig)
    latent_unrelated: LatentUnrelatedConfig = field(default_factory=LatentUnrelatedConfig)

    def __post_init__(self) -> None:
        if self.threshold_mode not in ("online", "paper"):
            raise ValueError(f"threshold_mode must be online or paper, not {self.threshold_mode!r}")
        if not self.signals or not set(self.signals) <= self.scoring.weights.keys():
            raise ValueError(f"signals must be some of {', '.join(self.scoring.weights)}, not {self.signals!r}")
        if self.fps <= 0:
            raise ValueError("fps must be positive")

    @property
    def lookahead(self) -> int:
        """Frames after a frame that its decision reads: its neighbourhood's, and the flash guard's."""
        return max(self.scoring.after, self.decider.flash_frames)

    @property
    def reach_back(self) -> int:
        """Frames before a candidate whose posteriors its decision reads: its neighbourhood and the frame before."""
        return self.scoring.before + 1


def rules_for(cfg: ScorerConfig) -> Rules:
    """The rules for the signals in use: the layouts need the pixels; the latent rules stand in without them (vetoes
    and the unrelated-pictures cut). With both, the same-picture guard asks the latent whether the picture stayed, and
    two pictures are unrelated where the layouts say so, or where the latent does and the pictures are not related by
    layout and colour (flat colours under one overlay give the layouts nothing)."""
    alone = "pix" not in cfg.signals
    kl = "kl" in cfg.signals
    latent = (LatentShare(cfg.latent_share, alone), LatentSpike(cfg.latent_spike)) if kl else ()
    # with the layouts, related pictures: correlated beyond what unrelated ones reach, in the same colour balance
    related = None if alone else SamePictureGuard(replace(cfg.same_picture, layout=cfg.unrelated.layout))
    unrelated = (LatentUnrelated(cfg.latent_unrelated, cfg.lookahead, related),) if kl else ()
    if not alone:
        return Rules(vetoes=(SamePictureGuard(cfg.same_picture, latent),),
                     cuts=(UnrelatedCuts(cfg.unrelated, cfg.lookahead), *unrelated), final=(Veil(cfg.veil),))
    alone_kl = tuple(cfg.signals) == ("kl",)  # with the histogram in use too, a cut needs it to agree
    return Rules(vetoes=latent, cuts=unrelated if alone_kl else ())


class Scorer:
    """Scores whole batches with numpy; decides frame by frame only where a decision can change state.

    ``live``: decide warm-up frames at once with the prior threshold (``ThresholdConfig.default``) instead of
    holding them until k-means has its window (``Phase``), so early cuts of a live stream go out within the
    look-ahead too. Files keep the calibrated threshold for warm-up frames, which costs no latency there.
    """

    def __init__(self, cfg: ScorerConfig | None = None, stream: str = "0", calibration: Calibration | None = None,
                 live: bool = False):
        self.cfg = cfg or ScorerConfig()
        if self.cfg.threshold_mode != "online":
            raise ValueError("Scorer scores online; make_scorer gives the paper's scorer for threshold_mode='paper'")
        self.stream = stream
        self.lookahead = self.cfg.lookahead
        self.scoring = Scoring(self.cfg.scoring, self.cfg.signals, noise_floors(self.cfg.scoring, calibration),
                               rules_for(self.cfg), self.cfg.decider.flash_frames)
        self.decider = Decider(self.cfg.decider, self.cfg.fps, live)
        self._frames: Frames | None = None  # the last decided frames (neighbourhood) and those awaiting a decision
        self._decided = 0  # how many frames at the start of ``_frames`` are decided
        self.recent: deque[float] = deque(maxlen=256)  # recent combined scores, for stats and charts
        self.recent_last_frame = -1  # the frame ``recent`` ends at
        self.trace: list[tuple[int, float, float]] = []
        self.frames = 0
        self.cuts = 0

    @property
    def phase(self) -> Phase:
        return self.decider.phase

    @property
    def threshold(self) -> float | None:
        return self.decider.threshold

    def push(self, index: np.ndarray, time: np.ndarray, wall: np.ndarray, mu: np.ndarray, logvar: np.ndarray,
             pixels: np.ndarray) -> list[CutEvent]:
        """Add consecutive frames of this stream (arrays with a leading batch axis)."""
        if len(index) == 0:
            return []
        new = measure(index, time, wall, mu, logvar, pixels, None if self._frames is None else self._frames[-1:])
        if self._frames is None:
            self.decider.start(int(new.index[0]), float(new.time[0]))
        self._frames = new if self._frames is None else self._frames + new
        self.frames += len(new)
        ready = len(self._frames) - self._decided - self.lookahead
        return self._score(ready) if ready > 0 else []

    def finish(self) -> list[CutEvent]:
        """Decide the frames still waiting for look-ahead, and a warm-up the stream did not outlast."""
        events = []
        if self._frames is not None and len(self._frames) > self._decided:
            events = self._score(len(self._frames) - self._decided)
        return events + self._events(self.decider.finish())

    def _score(self, m: int) -> list[CutEvent]:
        """Score the next ``m`` undecided frames at once, then decide them in order."""
        f = self._frames
        pos = np.arange(self._decided, self._decided + m)
        s = self.scoring.score(f, pos)
        scores = s.scores.tolist()
        self.recent.extend(scores)
        self.recent_last_frame = int(f.index[pos[-1]])
        cuts, step, trace = [], self.decider.step, self.cfg.trace
        for j, (p, t, score, chosen) in enumerate(zip(pos.tolist(), f.time[pos].tolist(), scores, s.candidate.tolist())):
            if trace:
                threshold = self.decider.threshold
                self.trace.append((int(f.index[p]), score, math.nan if threshold is None else threshold))
            cuts += step(t, score, self._candidate(f, p, s, j) if chosen else None)
        self._decided += m
        keep = max(self.cfg.scoring.before, 1)  # the neighbourhood, and the frame before for the flash guard
        if self._decided > keep:
            self._frames = f[self._decided - keep:]
            self._decided = keep
        return self._events(cuts)

    @staticmethod
    def _candidate(f: Frames, p: int, s: Scored, j: int) -> Candidate:
        return Candidate(int(f.index[p]), float(f.time[p]), float(f.wall[p]), float(s.scores[j]),
                         dict(zip(SIGNALS, s.ratios[j].tolist())), float(s.back[j]), int(s.back_offset[j]),
                         f.pixels[p].copy(), bool(s.unrelated[j]))

    def _events(self, cuts: list[tuple[Candidate, float]]) -> list[CutEvent]:
        self.cuts += len(cuts)
        return [CutEvent(self.stream, c.index, c.time, c.score, threshold, c.wall,
                         {s: round(v, 4) for s, v in c.ratios.items()}, c.pixels) for c, threshold in cuts]


def make_scorer(cfg: ScorerConfig | None = None, stream: str = "0", calibration: Calibration | None = None,
                live: bool = False) -> Scorer | PaperScorer:
    """The scorer ``cfg.threshold_mode`` asks for: online (``Scorer``) or the paper's (``PaperScorer``)."""
    cfg = cfg or ScorerConfig()
    return PaperScorer(stream) if cfg.threshold_mode == "paper" else Scorer(cfg, stream, calibration, live)
