"""Scene lists from cut events: PySceneDetect-compatible CSV, CMX3600 EDL and JSON.

All files are written atomically (temporary file in the same folder, then rename), so an
interrupted run never leaves a truncated scene list behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Scene:
    start_frame: int  # 0-based, inclusive
    end_frame: int  # 0-based, exclusive
    start_time: float
    end_time: float


def scenes_from_cuts(cuts: list[tuple[int, float]], frames: int, duration: float, first: tuple[int, float] = (0, 0.0)) -> list[Scene]:
    """Scenes between consecutive cuts, given (frame, time) of each cut and the end of the media."""
    bounds = [first] + sorted(cuts) + [(frames, duration)]
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


def to_csv(scenes: list[Scene]) -> str:
    """PySceneDetect's scene list: a cut-list row, a header, then one row per scene (frames 1-based)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Timecode List:", *(timecode(s.start_time) for s in scenes[1:])])
    w.writerow(["Scene Number", "Start Frame", "Start Timecode", "Start Time (seconds)", "End Frame", "End Timecode",
                "End Time (seconds)", "Length (frames)", "Length (timecode)", "Length (seconds)"])
    for i, s in enumerate(scenes, 1):
        length = s.end_time - s.start_time
        w.writerow([i, s.start_frame + 1, timecode(s.start_time), f"{s.start_time:.3f}", s.end_frame, timecode(s.end_time),
                    f"{s.end_time:.3f}", s.end_frame - s.start_frame, timecode(length), f"{length:.3f}"])
    return out.getvalue()


def to_edl(scenes: list[Scene], fps: float, title: str, reel: str = "AX") -> str:
    """CMX3600 EDL: one video cut event per scene, source and record times equal."""
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    for i, s in enumerate(scenes, 1):
        a, b = smpte(s.start_time, fps), smpte(s.end_time, fps)
        lines.append(f"{i:03d}  {reel:<8} V     C        {a} {b} {a} {b}")
    return "\n".join(lines) + "\n"


def to_json(scenes: list[Scene], source: str, fps: float) -> str:
    return json.dumps({"source": source, "fps": fps, "scenes": [
        {"scene": i, "start_frame": s.start_frame, "end_frame": s.end_frame, "start_time": round(s.start_time, 6),
         "end_time": round(s.end_time, 6)} for i, s in enumerate(scenes, 1)]}, indent=1) + "\n"


def write_atomic(path: str, text: str) -> None:
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.tmp")
    with open(tmp, "w", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
