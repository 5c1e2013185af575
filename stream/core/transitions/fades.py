"""Fades: towards a flat colour (black, white, any colour), or away from one.

They are found from the flat frame: looking back while the picture's distance from it shrank
(a fade out), and forward while it grows (a fade in). A cut out of a flat colour into a moving
shot is no fade in: one frame does most of the travel (``spans.direct``).
"""

from __future__ import annotations

from .config import TransitionConfig
from .frames import Frame, History, distance, since
from .spans import Found, direct


class Fades:
    """Fed each frame after it joined ``history``; returns the fades it finds."""

    def __init__(self, cfg: TransitionConfig, history: History):
        self.cfg = cfg
        self._history = history
        self._fade_in: list[Frame] | None = None  # a flat frame and the frames since, while they move away from it
        self._tolerance = cfg.floor / 2  # no farther than this more from the flat frame: no progress

    def push(self, f: Frame) -> list[Found]:
        if f.flat:
            found = self._fade_in_ends() if self._fade_in else []
            self._fade_in = [f]
            frames = list(self._history)
            if len(frames) > 1 and not frames[-2].flat:  # a picture just became flat: did it fade there?
                found += self._fade_out(frames)
            return found
        if self._fade_in is None:
            return []
        self._fade_in.append(f)
        return self._fade_in_ends() if self._fade_in_stopped(self._fade_in) else []

    def finish(self) -> list[Found]:
        """The stream has ended: a fade in that was still going ends here."""
        return self._fade_in_ends() if self._fade_in else []

    def _fade_out(self, frames: list[Frame]) -> list[Found]:
        """Back from the flat frame ``frames[-1]`` while each earlier picture was farther from it."""
        flat = frames[-1]
        span = [flat]
        for g in reversed(frames[:-1]):
            if g.flat or distance(flat, g) <= distance(flat, span[0]) + self._tolerance:
                break
            span.insert(0, g)
        return self._fade(since(self._history, span[0].index, flat.index))

    def _fade_in_stopped(self, span: list[Frame]) -> bool:
        """Too long for a fade, or none of the last ``quiet`` frames got farther from the flat frame than the one before them."""
        quiet = self.cfg.quiet
        if len(span) > self.cfg.max_frames:
            return True
        if len(span) <= quiet + 1:
            return False
        reached = distance(span[0], span[-quiet - 1]) + self._tolerance
        return all(distance(span[0], g) <= reached for g in span[-quiet:])

    def _fade_in_ends(self) -> list[Found]:
        """The picture stopped moving away from the flat frame: the fade in ends at the farthest frame."""
        span, self._fade_in = self._fade_in, None
        far = max(range(len(span)), key=lambda k: distance(span[0], span[k]))
        return self._fade(span[: far + 1])

    def _fade(self, span: list[Frame]) -> list[Found]:
        """A fade when the frames from ``span[0]`` to ``span[-1]`` went there directly, far enough, long enough."""
        if len(span) < 2:
            return []
        travel = distance(span[0], span[-1])
        return [Found(span, "fade", travel)] if direct(span, travel, self.cfg) else []
