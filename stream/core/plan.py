"""The encode plan: which frames of a stream need a posterior, so the encoder does only work that can change a decision.

- **Repeats.** Animation holds a drawing for 2-3 frames: the same 64x64 input has the same posterior, so a
  repeat of the frame before takes that frame's (exact: the KL between them is 0 either way).
- **Sparse encoding** (files). A frame whose picture hardly changes (its mean absolute difference from the
  frame before is below the scorer's ``min_pix``) is never a cut, so its own KL matters only inside a
  candidate's neighbourhood: a candidate at p is scored with the KL of frames p-before .. p+after, and its
  flash guard compares frame p-1 with the next ``lookahead`` frames, so the posteriors of frames
  p-before-1 .. p+lookahead decide it as encoding every frame would. Calm footage (a static shot, a
  slideshow, held drawings) then needs a small share of its frames encoded; the others' posteriors are NaN.
  The scorer never reads those KLs, whatever is encoded: each signal's noise is measured on the frames that
  changed visibly, and a faint frame's score (which only feeds the threshold's window) leaves out the KL
  (``scoring.py``); so a file's cuts are those of encoding every frame. The transition detector's typical
  latent change is measured on the encoded frames, so a transition can still differ (1 of 70 dev clips).
- **Held-back frames.** Whether a frame is needed depends on up to ``reach_back`` frames after it, so a
  stream keeps that many back from the encoder until they arrive: what is encoded depends on the file
  alone, not on batch boundaries. Live and paced streams encode every frame and hold nothing back (the
  encoder keeps up with real time; holding back would delay their events).

    plan = plan_for(scorer_config, sparse=True)
    run = plan.release(frames)                  # None: everything is held back for now
    chosen = plan.select(run.pixels)            # which frames to encode
    mu, logvar = plan.fill(chosen, *encoder.encode(run.pixels[chosen.fresh]))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic

import numpy as np

from .frames import HeldBack, Run
from .scorer import ScorerConfig
from .signals import pixel_change


def needed(changed: np.ndarray, changed_before: np.ndarray, reach_back: int, reach_ahead: int) -> np.ndarray:
    """[n] bool: the frames within ``reach_back`` frames before or ``reach_ahead`` after a changed one.

    ``changed``: the flags of the frames in question and of at least ``reach_back`` frames after them (fewer
    where the stream ends); ``changed_before``: those of the ``reach_ahead`` frames before them (fewer at a
    stream's start). The result covers every frame of ``changed``; only the first ones are settled.
    """
    pad = np.zeros(reach_ahead - len(changed_before), bool)
    ext = np.concatenate([pad, changed_before, changed, np.zeros(reach_back, bool)]).astype(np.int64)
    count = np.concatenate([[0], np.cumsum(ext)])
    width = reach_ahead + reach_back + 1  # frame i sees ext[i : i + width]: from i - reach_ahead to i + reach_back
    i = np.arange(len(changed))
    return count[i + width] - count[i] > 0


@dataclass
class Selection:
    """Which frames of a run go to the encoder, and where each of the others takes its posterior from."""

    fresh: np.ndarray  # [n] bool: encode this frame
    source: np.ndarray  # [n] int: the frame whose posterior it takes (itself, a frame it repeats; -1: the run's before)

    @property
    def count(self) -> int:
        return int(self.fresh.sum())


class EncodePlan(Generic[Run]):
    """One stream's plan: fed its runs of frames in order (``release``, ``select``, ``fill`` for each run).

    ``min_pix``: the picture change below which a frame is never a cut (None: every frame is needed);
    ``hold``: keep ``reach_back`` frames back from the encoder, so that the frames they settle are known.
    """

    def __init__(self, reach_back: int, reach_ahead: int, min_pix: float | None = None, hold: bool = False):
        self.reach_back, self.reach_ahead, self.min_pix = reach_back, reach_ahead, min_pix
        self._hold: HeldBack[Run] = HeldBack(reach_back if hold else 0)
        self._changed = np.zeros(0, bool)  # change flags of the last ``reach_ahead`` frames selected
        self._last_pixels: np.ndarray | None = None  # [1, S, S, 3] the last frame selected
        self._last: tuple[np.ndarray, np.ndarray] | None = None  # mu, logvar of the last frame filled

    @property
    def held_back(self) -> int:
        """Frames kept back from the encoder at most."""
        return self._hold.count

    @property
    def held(self) -> int:
        """Frames held back now."""
        return self._hold.held

    def release(self, frames: Run) -> Run | None:
        """The frames (with those held before them) that can go to the encoder now; the last ``held_back`` wait."""
        run, k = self._hold.add(frames)
        return run[:k] if k else None

    def rest(self) -> Run | None:
        """What is held back, at the stream's end: nothing follows it."""
        return self._hold.rest()

    def select(self, pixels: np.ndarray) -> Selection:
        """Which frames of the next run (uint8 [n, S, S, 3], after those selected before) to encode."""
        n = len(pixels)
        same = np.empty(n, bool)
        same[0] = (self._last is not None and not np.isnan(self._last[0]).any()
                   and np.array_equal(pixels[0], self._last_pixels[0]))
        same[1:] = (pixels[1:] == pixels[:-1]).all(axis=(1, 2, 3))
        source = np.maximum.accumulate(np.where(same, -1, np.arange(n)))  # the frame each repeats (-1: the one before)
        wanted = self._wanted(pixels)
        fresh = ~same & wanted
        fresh[source[wanted & (source >= 0)]] = True  # a repeat that is needed needs the frame it repeats
        self._last_pixels = pixels[-1:]
        return Selection(fresh, source)

    def fill(self, chosen: Selection, mu: np.ndarray, logvar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posteriors of every frame of the run from those of its fresh frames ([k, L] each): repeats take their
        source's, frames not needed NaN."""
        full_mu = np.full((len(chosen.fresh), mu.shape[1]), np.nan, np.float32)
        full_logvar = full_mu.copy()
        full_mu[chosen.fresh], full_logvar[chosen.fresh] = mu, logvar
        source = chosen.source
        carried = source < 0  # repeats of the previous run's last frame
        full_mu[~carried], full_logvar[~carried] = full_mu[source[~carried]], full_logvar[source[~carried]]
        if carried.any():
            full_mu[carried], full_logvar[carried] = self._last
        self._last = (full_mu[-1], full_logvar[-1])
        return full_mu, full_logvar

    def _wanted(self, pixels: np.ndarray) -> np.ndarray:
        """Frames whose posteriors a decision may read, judged with the held-back frames that follow them."""
        if self.min_pix is None or not self.held_back:
            return np.ones(len(pixels), bool)
        last = self._last_pixels if self._last_pixels is not None else pixels[:1]  # a stream's first frame changes nothing
        ahead = self._hold.pending.pixels if self._hold.pending is not None else pixels[:0]
        px = np.concatenate([pixels, ahead])
        changed = pixel_change(np.concatenate([last, px[:-1]]), px) >= self.min_pix
        wanted = needed(changed, self._changed, self.reach_back, self.reach_ahead)[:len(pixels)]
        history = np.concatenate([self._changed, changed[:len(pixels)]])
        self._changed = history[max(len(history) - self.reach_ahead, 0):]
        return wanted


def plan_for(cfg: ScorerConfig, sparse: bool) -> EncodePlan:
    """The plan for a scorer's config; ``sparse``: skip frames that decide nothing (files read as fast as they
    decode). Only the online scorer with the pix signal can tell those frames; the others read every KL."""
    skips = "pix" in cfg.signals and cfg.threshold_mode == "online"
    return EncodePlan(cfg.reach_back, cfg.lookahead, cfg.scoring.min_pix if skips else None, hold=sparse)
