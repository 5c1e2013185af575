"""Scene lists from cuts: the shots between consecutive cuts, and the timecodes editors read.

No I/O: ``sinks/scene_files.py`` writes them as CSV, EDL and JSON, ``sinks/terminal.py`` as a table.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def smpte(seconds: float, fps: float) -> str:
    """HH:MM:SS:FF (non-drop-frame) for EDLs."""
    rate = max(1, round(fps))
    total = int(round(seconds * fps))
    frames = total % rate
    s = total // rate
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{frames:02d}"
