"""What a person running ``reprocut detect`` sees: cuts of a live source as they happen, a progress
bar on stderr (when it is a terminal) and the table of scenes at the end."""

from __future__ import annotations

from typing import TextIO

from ...core.events import Event
from ...core.scenes import timecode
from ...runtime.progress import Progress
from .scene_files import SceneList


def count(n: int, noun: str) -> str:
    """``1 cut``, ``2 cuts``: a number and a noun that agrees with it (plural: noun + s)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


class CutLines:
    """One line per cut and per transition, as it happens (a live source has no end to wait for)."""

    def __init__(self, out: TextIO | None = None):
        self.out = out  # None: sys.stdout

    def on_event(self, event: Event) -> None:
        if event.type == "cut":
            print(f"cut  frame {event.frame:>7}  {event.time:10.3f} s  score {event.score:6.2f} (threshold {event.threshold:.2f})",
                  file=self.out, flush=True)
        elif event.type == "transition":
            print(f"{event.kind:<8} frames {event.start}-{event.end}  {event.time:.3f}-{event.end_time:.3f} s  "
                  f"score {event.score:6.2f}", file=self.out, flush=True)

    def close(self) -> None:
        pass


class ProgressBar:
    """Frames scored so far, from the ``stats`` events, out of ``total`` (None: unknown, e.g. live).

    The ``end`` event has the true count: the bar ends there, also when the container's frame
    count was only an estimate.
    """

    def __init__(self, total: int | None):
        self.progress = Progress(total, "frames", unit="frame")

    def on_event(self, event: Event) -> None:
        if event.type == "stats":
            self.progress.set(event.frames)
        elif event.type == "end":
            self.progress.set(event.frames, total=event.frames)

    def close(self) -> None:
        self.progress.close()


class SceneTable(SceneList):
    """The scenes, one row each, and a summary line, printed once the stream has ended (not for a source that
    failed before its first frame: it has no scene, and its failure is the line that says why)."""

    def __init__(self, out: TextIO | None = None):
        super().__init__()
        self.out = out  # None: sys.stdout

    def close(self) -> None:
        if not self.ended:
            return
        end, out = self.end, self.out
        print(f"{'scene':>5}  {'start frame':>11}  {'start':>12}  {'end frame (excl.)':>17}  {'length (s)':>10}", file=out)
        for i, s in enumerate(self.scenes(), 1):
            print(f"{i:>5}  {s.start_frame:>11}  {timecode(s.start_time):>12}  {s.end_frame:>17}  {s.end_time - s.start_time:>10.3f}",
                  file=out)
        extra = (f", {count(len(self.transitions), 'transition')}" if self.transitions else "") + (
            f", {count(end.dropped, 'frame')} dropped" if end.dropped else "")
        print(f"{count(len(self.cuts), 'cut')}, {count(end.frames, 'frame')}, {end.duration:.2f} s{extra}", file=out)
