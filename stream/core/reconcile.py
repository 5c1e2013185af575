"""The one place where a stream's cuts and gradual transitions are reconciled: a cut inside a transition (or just
after it) is the same change of scene, not a second one.

Live, a cut goes out at once and a transition only once it has ended, so the transition names the
cuts already sent that it holds (``TransitionEvent.cuts``, kept by ``Reconciler`` as events go out),
and scene lists count that change once, at the transition's middle frame (``boundaries``). Usage::

    reconcile = Reconciler()
    for event in reconcile.sent(scorer_events):  # cuts: noted, out at once
        ...
    for event in reconcile.after_cuts(detector.push(...), cuts_final=scorer.phase is not Phase.WARMING):
        ...  # transitions, each naming the cuts it holds
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from .events import CutEvent, Event, TransitionEvent

AFTER = 2  # frames after a transition's last one whose cut is still part of it (see ``holds``)


def holds(transition: TransitionEvent, frame: int) -> bool:
    """Whether a cut at ``frame`` is part of ``transition``: inside it, or just after it (a fade that ends on a flat
    frame, then the new shot starts; the detector places a span's last frame within one frame)."""
    return transition.start <= frame <= transition.end + AFTER


def middle_time(t: TransitionEvent) -> float:
    """The presentation time of a transition's middle frame, between those of its first and last frames."""
    return t.time + (t.end_time - t.time) * (t.middle - t.start) / max(t.end - t.start, 1)


def boundaries(cuts: Sequence[tuple[int, float]], transitions: Sequence[TransitionEvent]) -> list[tuple[int, float]]:
    """A stream's scene boundaries as (frame, time), in order: each transition's middle frame, and each cut
    that no transition holds (the transition replaces the cuts it holds)."""
    kept = [c for c in cuts if not any(holds(t, c[0]) for t in transitions)]
    return sorted(kept + [(t.middle, middle_time(t)) for t in transitions])


class Reconciler:
    """One stream's cuts and transitions in the order they go out: each transition gets the frames of the cuts
    already sent that it holds (of the last ``keep`` cuts: a transition lasts seconds, never dozens of cuts)."""

    def __init__(self, keep: int = 64):
        self._cuts: deque[int] = deque(maxlen=keep)  # frames of the last cuts sent
        self._waiting: list[TransitionEvent] = []  # transitions found while cuts before them were still undecided

    def sent(self, events: Iterable[Event]) -> list[Event]:
        """``events`` as they go out, in order: each cut is noted, each transition lists the noted cuts it holds."""
        out = list(events)
        for ev in out:
            if isinstance(ev, CutEvent):
                self._cuts.append(ev.frame)
            elif isinstance(ev, TransitionEvent):
                ev.cuts = [f for f in self._cuts if holds(ev, f)]
        return out

    def after_cuts(self, transitions: Iterable[TransitionEvent], cuts_final: bool) -> list[Event]:
        """Transitions go out after every cut they could hold: while the scorer still holds cuts back
        (``cuts_final`` False: a file's warm-up, or paper mode, decides them later) they wait here, then go out,
        in the order found, with the first call where ``cuts_final`` is True (the stream's end is one)."""
        self._waiting += transitions
        if not cuts_final:
            return []
        waiting, self._waiting = self._waiting, []
        return self.sent(waiting)
