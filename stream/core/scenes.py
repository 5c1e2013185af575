"""Scene lists from cuts: the shots between consecutive cuts, and the timecodes and frame rates editors read.

No I/O: ``sinks/scene_files.py`` writes them as CSV, EDL and JSON (``sinks/otio.py`` and
``sinks/fcpxml.py`` as timelines), ``sinks/terminal.py`` as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Scene:
    start_frame: int  # 0-based, inclusive
    end_frame: int  # 0-based, exclusive
    start_time: float
    end_time: float


def scenes_from_cuts(cuts: list[tuple[int, float]], frames: int, duration: float) -> list[Scene]:
    """Scenes between consecutive cuts, given (frame, time) of each cut and the end of the media."""
    bounds = [(0, 0.0)] + sorted(cuts) + [(frames, duration)]
    return [Scene(a[0], b[0], a[1], b[1]) for a, b in zip(bounds, bounds[1:]) if b[0] > a[0]]


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
