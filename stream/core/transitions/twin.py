"""Twin comparison (Zhang, Kankanhalli and Smoliar 1993), with the wipe and blur-burst checks of what it opens.

A per-frame change above a lower threshold (a multiple of the recent typical change) opens a
candidate, which closes once the change falls back for a few frames. The candidate is:

- a fade or dissolve when its last picture is unlike the one before it (their distance reaches
  the cut level) and the picture went there directly: that distance is most of the path the
  frames took (the sum of their changes). Pans, zooms, shakes and characters walking through
  wander, so most of their path leads nowhere; a quick jerk of the camera can go straight, but
  its last picture is the first one moved (``spans.moved``), which a new picture is not;
- a wipe when its pixels switch once each along a moving edge (``wipe.py``), its path straight or wandering, and
  its frames are pieces of the two pictures, in place (``spans.in_pieces``): a thing that rises into the picture
  switches pixels along an edge too, but brings its parts from elsewhere;
- a blur or flash transition when several of its frames move the latent as a cut does (``burst.py``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from .burst import is_burst
from .config import TransitionConfig
from .frames import Frame, History, distance, since
from .spans import Found, direct, in_pieces, kind, moved, trim
from .wipe import sweeps


@dataclass
class _Candidate:
    """An open candidate: its first frame, its last frame above the lower threshold, that threshold and the
    typical latent change (both fixed when it opened), and its frames' changes."""

    start: int
    last_active: int
    level: float
    latent_level: float
    path: list[float] = field(default_factory=list)


class TwinComparison:
    """Fed each frame after it joined ``history``; returns the transition a candidate turns out to be."""

    def __init__(self, cfg: TransitionConfig, history: History):
        self.cfg = cfg
        self._history = history
        size = max(8, round(cfg.twin.history_s * cfg.fps))
        self._changes: deque[float] = deque(maxlen=size)  # recent changes, for the lower threshold
        self._latents: deque[float] = deque(maxlen=size)  # recent latent changes of encoded frames, for bursts
        self._candidate: _Candidate | None = None

    def push(self, f: Frame) -> list[Found]:
        c = self._candidate
        if c is None:
            self._open(f)
            return []
        self._note(f)
        c.path.append(f.change)
        if f.change > max(c.level, self.cfg.twin.settle * median(c.path)):
            c.last_active = f.index
            if f.index - c.start >= self.cfg.max_frames:  # motion, not a transition: let the baseline learn it
                self._candidate = None
            return []
        if f.index - c.last_active >= self.cfg.quiet:
            return self._close()
        return []

    def finish(self) -> list[Found]:
        """The stream has ended: decide the open candidate."""
        return self._close() if self._candidate is not None else []

    def drop_candidate(self) -> None:
        """Another part's transition went out over the open candidate's frames: the candidate saw that change."""
        self._candidate = None

    def _note(self, f: Frame) -> None:
        self._changes.append(f.change)
        if not math.isnan(f.latent):  # NaN: a calm frame of a file, not encoded (``sparse.py``)
            self._latents.append(f.latent)

    def _open(self, f: Frame) -> None:
        """Open a candidate at ``f`` when it changes more than the lower threshold, once the typical change is known."""
        level = max(self.cfg.floor, (self.cfg.twin.open_ratio * median(self._changes)) if self._changes else 0.0)
        latent_level = median(self._latents) if self._latents else 0.0
        self._note(f)
        if f.change > level and len(self._changes) > self.cfg.min_frames:
            self._candidate = _Candidate(f.index, f.index, level, latent_level, [f.change])

    def _close(self) -> list[Found]:
        c, self._candidate = self._candidate, None
        span = since(self._history, c.start, c.last_active)
        if len(span) < 2:
            return []
        straight = trim(span)  # a fade or dissolve: straight from its first picture to its last
        travel = distance(straight[0], straight[-1])
        if direct(straight, travel, self.cfg):  # unless its last picture is its first moved: motion, no transition
            if moved(straight, self.cfg):
                return []
            found = kind(straight)  # a wipe's frames are pieces of its ends; else a thing moved in: nothing
            return [] if found == "wipe" and not in_pieces(straight, travel, self.cfg) else [Found(straight, found, travel)]
        travel = distance(span[0], span[-1])
        if travel >= self.cfg.cut_level and len(span) - 1 >= self.cfg.min_frames and sweeps(np.stack([f.small for f in span])):
            # the edge moves the picture's content (a wandering path); its frames not pieces, a thing moved in: nothing
            return [Found(span, "wipe", travel)] if in_pieces(span, travel, self.cfg) else []
        if is_burst(span, travel, c.latent_level, self.cfg):
            return [Found(span, "dissolve", travel)]
        return []
