"""Fades: towards a flat colour (black, white, any colour), or away from one.

They are found from the flat frame: looking back while the picture's distance from it shrank
(a fade out), and forward while it grows (a fade in). A cut out of a flat colour into a moving
shot is no fade in: one frame does most of the travel (``spans.direct``).

A fade out and the fade in that follows it through a flat colour held less than ``hold_s``, the
shortest scene (a dip to black), are one transition: nothing but a moment of the colour lies between
them, no scene. A fade out therefore waits (``holding``) until the picture comes back: faded in, it
goes out with that fade in as one; cut in, or once the colour has held ``hold_s`` (a scene of its
own), alone. A transition another part found that ends in a flat colour is a fade out all the same
(a shot that drifts before it fades hides the fade's start from the look back here, not from twin
comparison's trimmed span), and waits the same way.
"""

from __future__ import annotations

from itertools import takewhile

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
        self._out: Found | None = None  # a fade out waiting for the fade in that may follow it
        self._after: list[Frame] = []  # the frames since that fade out's last
        self._sent = -1  # the last frame of the last transition sent: a fade out starts after it
        self._flat = False  # whether the last frame was a flat colour

    @property
    def holding(self) -> bool:
        """Whether a fade out waits in its colour for a fade in (the frames of the colour are this part's)."""
        return self._out is not None and self._flat

    def join(self, found: list[Found]) -> list[Found]:
        """Another part's transitions, in order: one that starts within the last one sent or a waiting fade out is the
        same change seen again, and is dropped; one that leads out of a waiting fade out's colour (it starts in this
        part's fade in attempt) is the dip's fade in, and goes out with it as one fade; one that ends in a flat colour
        is a fade out, and waits as this part's own do; before any other, the fade out goes alone."""
        out = []
        for t in found:
            if t.span[1].index <= self._sent or self._out is not None and t.span[1].index <= self._out.span[-1].index:
                continue
            if self._out is not None and self._fade_in is not None and t.span[1].index >= self._fade_in[0].index:
                out += self._dip(t)
            elif t.span[-1].flat:  # a fade out, found some frames after its end: those frames are behind it already
                out += [self._release()] if self._out is not None else []
                self._out, self._after = t, [g for g in self._history if g.index > t.span[-1].index]
            else:
                out += ([self._release()] if self._out is not None else []) + [t]
        return out

    def push(self, f: Frame) -> list[Found]:
        self._flat = f.flat
        if self._out is not None:
            self._after.append(f)
        found = self._pair(self._fades(f))
        if self._out is not None and not f.flat and self._fade_in is None:  # the picture is back, and did not fade in:
            found.append(self._release(through=True))
        elif self._out is not None and f.flat and f.time - self._out.span[-1].time >= self.cfg.hold_s:
            found.append(self._release())
        return found

    def sent(self, last: int) -> None:
        """A transition went out (this part's or another's), ending at frame ``last``."""
        self._sent = last

    def finish(self) -> list[Found]:
        """The stream has ended: a fade in that was still going ends here, and a fade out waits no longer."""
        return self._pair(self._fade_in_ends() if self._fade_in else []) + self.flush()

    def flush(self) -> list[Found]:
        """The stream has ended: a fade out still waiting (another part's may come after ``finish``) goes out, lasting
        through the colour it reached."""
        return [self._release(through=True)] if self._out is not None else []

    def _fades(self, f: Frame) -> list[Found]:
        """The fades that end at ``f``: a fade in that stopped, or a fade out into ``f``, a flat frame."""
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

    def _pair(self, found: list[Found]) -> list[Found]:
        """Fade outs wait; a fade in from the colour a waiting fade out reached, with nothing but flat frames
        between them, goes out with it as one fade."""
        out = []
        for t in found:
            if t.span[-1].flat:  # a fade out: it waits (one that waited already goes alone)
                out += [self._release()] if self._out is not None else []
                self._out, self._after = t, []
            elif self._out is not None and all(g.flat for g in self._after if g.index <= t.span[0].index):
                out += self._dip(t)
            else:
                out += ([self._release()] if self._out is not None else []) + [t]
        return out

    def _dip(self, into: Found) -> list[Found]:
        """The waiting fade out and ``into``, the fade in out of its colour, as one fade."""
        colour_and_in = [g for g in self._after if g.index <= into.span[-1].index]
        waited = self._release()
        return [Found(waited.span + colour_and_in, "fade", max(waited.travel, into.travel))]

    def _release(self, through: bool = False) -> Found:
        """The waiting fade out, alone; ``through``: lasting through the colour it reached, until the cut that ended
        it (or the stream's end)."""
        held = list(takewhile(lambda g: g.flat, self._after)) if through else []
        waited, self._out, self._after = self._out, None, []
        return Found(waited.span + held, waited.kind, waited.travel)

    def _fade_out(self, frames: list[Frame]) -> list[Found]:
        """Back from the flat frame ``frames[-1]`` while each earlier picture was farther from it."""
        flat = frames[-1]
        span = [flat]
        for g in reversed(frames[:-1]):
            if g.flat or g.index <= self._sent or distance(flat, g) <= distance(flat, span[0]) + self._tolerance:
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
        """The picture stopped moving away from the flat frame: the fade in ends where it arrived, at the first frame
        that went ``arrived`` of the way to the farthest (the shot's own motion after it adds little, and can carry
        the farthest frame up to the next cut)."""
        span, self._fade_in = self._fade_in, None
        away = [distance(span[0], g) for g in span]
        arrived = next(k for k, d in enumerate(away) if d >= self.cfg.arrived * max(away))
        return self._fade(span[: arrived + 1])

    def _fade(self, span: list[Frame]) -> list[Found]:
        """A fade when the frames from ``span[0]`` to ``span[-1]`` went there directly, far enough, long enough."""
        if len(span) < 2:
            return []
        travel = distance(span[0], span[-1])
        return [Found(span, "fade", travel)] if direct(span, travel, self.cfg) else []
