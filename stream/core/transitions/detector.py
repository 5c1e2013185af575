"""The combiner: one stream's frames through every part, in a fixed order, and one rule for what they find together.

Per frame the parts are asked in this order: fades, then blends, then twin comparison. Each
part's findings pass the overlap rule before the next part is asked, because the rule reaches
into twin comparison: a transition that goes out ends its open candidate (that candidate saw
the same change), so a candidate the fade or blend of this very frame went out over is gone
before twin comparison sees the frame. While a fade out waits in its colour for a fade in
(``Fades.holding``), those frames are the fades': the other parts drop what they opened over
them. What another part finds after them is the dip's fade in when it leads out of the colour,
else it follows the fade out (``Fades.join``).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..events import TransitionEvent
from .blends import Blends
from .config import TransitionConfig
from .fades import Fades
from .frames import Features, Frame
from .spans import Found
from .twin import TwinComparison


class TransitionDetector:
    """Feeds on consecutive frames of one stream; returns transitions once they end."""

    def __init__(self, cfg: TransitionConfig | None = None, stream: str = "0"):
        self.cfg = cfg or TransitionConfig()
        self.stream = stream
        self._features = Features(self.cfg.flat)
        # as far back as any part looks: the longest candidate, the frames that close it and the picture before it
        self._history: deque[Frame] = deque(maxlen=self.cfg.max_frames + self.cfg.quiet + 2)
        self._fades = Fades(self.cfg, self._history)
        self._blends = Blends(self.cfg, self._history)
        self._twin = TwinComparison(self.cfg, self._history)
        self._last_end = -1  # last frame of the last transition sent
        self.transitions = 0  # transitions sent so far

    def push(self, index: np.ndarray, time: np.ndarray, wall: np.ndarray, pixels: np.ndarray, mu: np.ndarray,
             logvar: np.ndarray) -> list[TransitionEvent]:
        """Add consecutive frames of this stream (arrays with a leading batch axis, as the scorer takes them)."""
        small, frames = self._features.frames(index, time, wall, pixels, mu, logvar)
        tests = self._blends.tests(small)  # the whole batch at once, before it joins the history
        events = []
        for j, f in enumerate(frames):
            self._history.append(f)
            events += self._send(self._fades.push(f))
            if self._fades.holding:  # a fade out waits in its colour for a fade in: the change through it is the fades'
                self._blends.drop_run()
                self._twin.drop_candidate()
            events += self._after_fades(self._blends.push(f, tests[:, j]))
            events += self._after_fades(self._twin.push(f))
        return events

    def _after_fades(self, found: list[Found]) -> list[TransitionEvent]:
        """Another part's transitions, joined to a fade out still waiting for its fade in (``Fades.join``)."""
        return self._send(self._fades.join(found))

    def finish(self) -> list[TransitionEvent]:
        """The stream has ended: each part decides what it still has open, in the same order as per frame."""
        events = self._send(self._fades.finish())
        events += self._after_fades(self._blends.finish())
        events += self._after_fades(self._twin.finish())
        return events + self._send(self._fades.flush())  # a fade out the others found last waits no longer

    def _send(self, found: list[Found]) -> list[TransitionEvent]:
        """The overlap rule, in the order found: a transition that starts on or before the last frame of the last one
        sent is the same change seen by another part (or again), and is dropped; one that goes out ends twin
        comparison's open candidate, and a fade out found later starts after it."""
        events = []
        for t in found:
            first, last = t.span[1], t.span[-1]
            if first.index <= self._last_end:
                continue
            self._last_end = last.index
            self._fades.sent(last.index)
            self._twin.drop_candidate()
            self.transitions += 1
            events.append(TransitionEvent(self.stream, first.index, last.index, t.kind, first.time, last.time,
                                          t.travel / self.cfg.cut_level, last.wall))
        return events
