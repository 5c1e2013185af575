"""What the hub keeps of a whole run beyond its recent messages, so that a page opened late shows what one opened at
the start would: the score trace (bounded, downsampled) and the scene count as the scene lists count it.

    trace = ScoreTrace(points=1024)
    trace.add(stats.scores_last_frame, stats.scores)  # overlapping stats are fine: each frame counts once
    trace.to_dict()  # {"step": 1, "scores": [...], "scored": 60}

    count = SceneCount()
    count.cut(146, 6.08)   # -> 2: a new scene
    count.transition(t)    # -> 2: a dissolve that holds the cut at 146 is that cut's change of scene (``core/reconcile.py``)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from ...core.events import TransitionEvent
from ...core.reconcile import boundaries


def _higher(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


class ScoreTrace:
    """A stream's scores over the whole run in at most ``points`` buckets: bucket ``i`` holds the highest score of
    frames ``i * step`` to ``(i + 1) * step - 1`` (None: none of theirs arrived). The step doubles whenever the run
    outgrows the buckets, so memory stays bounded and the peaks, the cuts, survive the downsampling."""

    def __init__(self, points: int = 1024):
        self.points = max(points, 2)
        self.step = 1
        self.scores: list[float | None] = []
        self.scored = 0  # frames whose score arrived (a file read faster than stats carry scores has gaps)
        self._last = -1  # the last frame added

    def add(self, last_frame: int, scores: Sequence[float | None]) -> None:
        """The scores of a ``stats`` message, the last of them belonging to ``last_frame``; frames already added
        (stats overlap) are skipped."""
        for frame, value in enumerate(scores, last_frame + 1 - len(scores)):
            if frame <= self._last or value is None:
                continue
            self._last = frame
            self.scored += 1
            while frame // self.step >= self.points:
                self._halve()
            i = frame // self.step
            if i >= len(self.scores):
                self.scores.extend([None] * (i + 1 - len(self.scores)))
            self.scores[i] = _higher(self.scores[i], value)

    def _halve(self) -> None:
        pairs = self.scores + [None] * (len(self.scores) % 2)
        self.scores = [_higher(a, b) for a, b in zip(pairs[::2], pairs[1::2])]
        self.step *= 2

    def to_dict(self) -> dict:
        return {"step": self.step, "scores": list(self.scores), "scored": self.scored}


class SceneCount:
    """Scenes so far, as the scene lists (and so the CLI's table) count them: ``core.reconcile.boundaries`` over the
    cuts and transitions, whichever of a cut and the transition that holds it arrives first. Only the last ``keep``
    of each are kept; one that leaves takes along what it changed in the count. That is exact: a transition lasts
    seconds and holds cuts of one switch of picture, never cuts dozens apart."""

    def __init__(self, keep: int = 64):
        self.keep = keep
        self._cuts: deque[tuple[int, float]] = deque()  # (frame, time) of the last cuts
        self._transitions: deque[TransitionEvent] = deque()
        self._settled = 0  # boundaries of the cuts and transitions no longer kept
        self._kept = 0  # boundaries of those kept

    @property
    def scenes(self) -> int:
        return 1 + self._settled + self._kept

    def cut(self, frame: int, time: float) -> int:
        """A cut: the scene count after it."""
        self._cuts.append((frame, time))
        return self._count()

    def transition(self, t: TransitionEvent) -> int:
        """A transition: the scene count after it (as before it when it holds a cut already counted)."""
        self._transitions.append(t)
        return self._count()

    def _boundaries(self) -> int:
        return sum(1 for frame, _ in boundaries(list(self._cuts), list(self._transitions)) if frame > 0)  # 0: no scene ends

    def _count(self) -> int:
        kept = self._boundaries()
        while len(self._cuts) > self.keep or len(self._transitions) > self.keep:
            (self._cuts if len(self._cuts) > self.keep else self._transitions).popleft()
            left = self._boundaries()
            self._settled += kept - left
            kept = left
        self._kept = kept
        return self.scenes
