"""The one place where a stream's cuts and gradual transitions are reconciled.

A cut inside a transition (or just after it) is that transition's own switch of picture (the
frame a blur or flash transition changes content, a fade that ends on a cut), not a second
change of scene. But a dissolve cannot hold two hard cuts: a span in which the scorer sent two
cuts with a shot between them (at least ``SHOT_S`` long) is a run of cuts with motion around them
(a dense edit), not one gradual transition, and it is dropped so every one of its cuts stays a boundary.

Live, a cut goes out at once and a transition only once it has ended, so the transition names the
cuts already sent that it holds (``TransitionEvent.cuts``, kept by ``Reconciler`` as events go out),
and scene lists count that change once (``boundaries``, ``placed``): at the cut it holds, where the
picture switches, or at its middle frame when no cut marks one. Usage::

    reconcile = Reconciler()
    for event in reconcile.sent(scorer_events):  # cuts: noted, out at once
        ...
    for event in reconcile.after_cuts(detector.push(...), cuts_final=scorer.phase is not Phase.WARMING):
        ...  # transitions, each naming the cuts it holds; none that holds two switches
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence

from .decider import DeciderConfig
from .events import CutEvent, Event, TransitionEvent

AFTER = 1  # frames after a transition's last one whose cut is still part of it (see ``holds``)
# The shortest shot (seconds): cuts closer than this are one switch, as the decider's minimum scene length lets the
# second through only when it scores twice the first (a flash's onset, then the switch of picture behind it).
SHOT_S = DeciderConfig.min_scene_len

log = logging.getLogger(__name__)


def holds(transition: TransitionEvent, frame: int) -> bool:
    """Whether a cut at ``frame`` is part of ``transition``: inside it, or on the frame after it (a fade out that lasts
    through the colour until the new shot starts with a cut; the detector places a span's last frame within one
    frame). A cut two frames after a fade in, a dissolve or a wipe is a change of its own."""
    return transition.start <= frame <= transition.end + AFTER


def switches(times: Sequence[float]) -> int:
    """How many changes of picture the cuts a transition holds are (their times, in order): a cut less than
    ``SHOT_S`` after the one before is the same switch (a millisecond's slack for times on a frame grid)."""
    return sum(1 for k, t in enumerate(times) if k == 0 or t - times[k - 1] > SHOT_S - 1e-3)


def middle_time(t: TransitionEvent) -> float:
    """The presentation time of a transition's middle frame, between those of its first and last frames."""
    return t.time + (t.end_time - t.time) * (t.middle - t.start) / max(t.end - t.start, 1)


def placed(cuts: Sequence[tuple[int, float]], transitions: Sequence[TransitionEvent]
           ) -> list[tuple[TransitionEvent, tuple[int, float]]]:
    """The transitions that are scene boundaries, each with its boundary (frame, time), in order: a transition that
    holds one switch is one boundary, at its last cut (where the picture switched: an earlier one, less than a shot
    before, is that switch's onset), or at its middle frame when it holds none; one that holds two or more is none."""
    cuts = sorted(cuts)
    out = []
    for t in transitions:
        held = [c for c in cuts if holds(t, c[0])]
        if switches([time for _, time in held]) <= 1:
            out.append((t, held[-1] if held else (t.middle, middle_time(t))))
    return out


def boundaries(cuts: Sequence[tuple[int, float]], transitions: Sequence[TransitionEvent]) -> list[tuple[int, float]]:
    """A stream's scene boundaries as (frame, time), in order: each transition's (``placed``), and every cut that no
    such transition holds (those of a span with two switches are boundaries of their own)."""
    found = placed(cuts, transitions)
    own = {c for c in cuts if not any(holds(t, c[0]) for t, _ in found)}
    return sorted(own | {boundary for _, boundary in found})


class Reconciler:
    """One stream's cuts and transitions in the order they go out: each transition gets the frames of the cuts
    already sent that it holds (of the last ``keep`` cuts: a transition lasts seconds, never dozens of cuts), and
    one that holds two switches does not go out."""

    def __init__(self, keep: int = 64):
        self._cuts: deque[tuple[int, float]] = deque(maxlen=keep)  # (frame, time) of the last cuts sent (not their pixels)
        self._waiting: list[TransitionEvent] = []  # transitions found while cuts before them were still undecided

    def sent(self, events: Iterable[Event]) -> list[Event]:
        """``events`` as they go out, in order: each cut is noted, each transition lists the noted cuts it holds;
        a transition that holds two switches is dropped (its cuts went out already)."""
        out = []
        for ev in events:
            if isinstance(ev, CutEvent):
                self._cuts.append((ev.frame, ev.time))
            elif isinstance(ev, TransitionEvent):
                held = [(f, time) for f, time in self._cuts if holds(ev, f)]
                ev.cuts = [f for f, _ in held]
                if switches([time for _, time in held]) > 1:
                    log.debug("stream %s: %s %d-%d holds the cuts %s: not one transition", ev.stream, ev.kind, ev.start,
                              ev.end, ev.cuts)
                    continue
            out.append(ev)
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
