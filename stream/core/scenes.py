"""Scene lists from cuts and gradual transitions, and the timecodes and frame rates editors read.

A hard cut is a boundary at its frame; a transition (fade, dissolve, wipe) is one boundary, at the cut
it holds (its switch of picture) or at its middle frame, and that cut is not a second boundary; a span
that holds two switches is no transition and each of its cuts stays a boundary (``reconcile.py``;
``openings`` says which scene each transition leads into). No I/O: ``sinks/files/scene_files.py`` writes them
as CSV, EDL and JSON (``sinks/files/otio.py`` and ``sinks/files/fcpxml.py`` as timelines),
``sinks/files/terminal.py`` as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .events import TransitionEvent
from .reconcile import boundaries, holds


@dataclass(frozen=True)
class Scene:
    start_frame: int  # 0-based, inclusive
    end_frame: int  # 0-based, exclusive
    start_time: float
    end_time: float


def scenes_from_cuts(cuts: list[tuple[int, float]], frames: int, duration: float,
                     transitions: Sequence[TransitionEvent] = ()) -> list[Scene]:
    """Scenes between consecutive boundaries (``boundaries``), given (frame, time) of each cut, the transitions and
    the end of the media."""
    bounds = [(0, 0.0)] + boundaries(cuts, transitions) + [(frames, duration)]
    return [Scene(a[0], b[0], a[1], b[1]) for a, b in zip(bounds, bounds[1:]) if b[0] > a[0]]


def openings(scenes: Sequence[Scene], transitions: Sequence[TransitionEvent]) -> dict[int, TransitionEvent]:
    """The transitions that open a scene of ``scenes`` (``scenes_from_cuts``), by that scene's first frame: each that
    is one boundary (``reconcile.placed``: at the cut it holds or its middle) holds exactly one scene start."""
    starts = [s.start_frame for s in scenes[1:]]
    out = {}
    for t in transitions:
        inside = [f for f in starts if holds(t, f)]
        if len(inside) == 1:
            out[inside[0]] = t
    return out


def trim_transitions(scenes: list[Scene], transitions: Sequence[TransitionEvent], fps: float) -> list[Scene]:
    """The scenes without the transitions' frames, for shots that must not hold a blend of two scenes.

    Each scene keeps what lies outside every span, and keeps its place in the list: one left with
    nothing (a scene inside a fade-in, say) is empty (``end_frame == start_frame``). A trimmed edge's
    time is that of the transition's first frame, or one frame (``1/fps``) after its last.
    """
    out = []
    for s in scenes:
        start, end, start_time, end_time = s.start_frame, s.end_frame, s.start_time, s.end_time
        for t in transitions:
            if t.start <= start <= t.end:
                start, start_time = t.end + 1, t.end_time + 1.0 / fps
            if start < t.start < end <= t.end + 1:
                end, end_time = t.start, t.time
        out.append(Scene(start, max(start, end), start_time, max(start_time, end_time)))
    return out


def timecode(seconds: float) -> str:
    """HH:MM:SS.mmm, as PySceneDetect writes it."""
    ms = int(round(max(seconds, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02d}:{m:02d}:{rest / 1000:06.3f}"


def frame_rate(fps: float) -> Fraction:
    """The exact rate an editor uses for ``fps``: NTSC rates (23.976, 29.97, 59.94...) as N*1000/1001.

    Containers store 29.97 as 30000/1001, 2997/100 or a float; timelines need the one rational
    their frames sit on, or every time drifts off the frame grid.
    """
    nominal = max(1, round(fps))
    if abs(fps - nominal * 1000 / 1001) < 5e-3:
        return Fraction(nominal * 1000, 1001)
    if abs(fps - nominal) < 5e-3:
        return Fraction(nominal)
    return Fraction(fps).limit_denominator(1001)


def drop_frame(fps: float) -> bool:
    """True for 29.97 and 59.94, whose timecode skips frame numbers to stay on the wall clock."""
    return frame_rate(fps) in (Fraction(30000, 1001), Fraction(60000, 1001))


def smpte(frame: int, fps: float) -> str:
    """SMPTE timecode of a 0-based frame number: HH:MM:SS:FF, or drop-frame HH:MM:SS;FF at 29.97 and 59.94.

    Drop-frame numbering skips frames 0 and 1 (0-3 at 59.94) of every minute except every tenth,
    so that 00:10:00;00 falls on 10 minutes of real time (17982 frames at 29.97).
    """
    rate = max(1, round(fps))
    separator = ":"
    if drop_frame(fps):
        drop = rate // 15  # 2 frame numbers at 29.97, 4 at 59.94
        per_minute, per_ten = rate * 60 - drop, rate * 600 - 9 * drop
        tens, rest = divmod(frame, per_ten)
        frame += 9 * drop * tens + (drop * ((rest - drop) // per_minute) if rest > drop else 0)
        separator = ";"
    s = frame // rate
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{separator}{frame % rate:02d}"
