"""Scene lists as files: PySceneDetect-compatible CSV, CMX3600 EDL, JSON and timelines, written atomically.

A gradual transition is one scene boundary, at the cut it holds or else its middle frame (``core/reconcile.py``); the JSON also
lists the transitions with their spans and kinds, and the EDL writes each as a dissolve (``D`` with
its length in frames). ``SceneFiles`` is the sink: it collects one stream's cuts and transitions and
writes the files from ``close()``,
once the stream's ``end`` is known, so a run stopped by Ctrl-C or SIGTERM (``end`` reason
``stopped``) still leaves complete scene lists. Each file is written to a temporary file in the
same folder and renamed, so an interrupted write never leaves a truncated one behind. The
timelines (OpenTimelineIO, FCPXML) are written by ``otio.py`` and ``fcpxml.py``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence

from ...core.contracts import Source
from ...core.errors import UsageError
from ...core.events import CutEvent, EndEvent, Event, TransitionEvent
from ...core.scenes import Scene, drop_frame, openings, scenes_from_cuts, smpte, timecode

REEL = "AX"  # the EDL's source reel name


class SceneList:
    """One stream's cut and transition events and its ``end``: the scene list, complete once the stream has ended."""

    def __init__(self) -> None:
        self.cuts: list[CutEvent] = []
        self.transitions: list[TransitionEvent] = []
        self.end: EndEvent | None = None

    def on_event(self, event: Event) -> None:
        if isinstance(event, CutEvent):
            self.cuts.append(event)
        elif isinstance(event, TransitionEvent):
            self.transitions.append(event)
        elif isinstance(event, EndEvent):
            self.end = event

    @property
    def ended(self) -> bool:
        """The stream has ended and has a scene list: not a source that failed before its first frame (a camera
        that never connected), whose failure is the only thing to say."""
        return self.end is not None and not (self.end.reason == "failed" and not self.end.frames)

    def scenes(self) -> list[Scene]:
        return scenes_from_cuts([(c.frame, c.time) for c in self.cuts], self.end.frames, self.end.duration, self.transitions)

    def close(self) -> None:
        pass


class SceneFiles(SceneList):
    """Writes the scene list of ``source`` to the paths given, at close (nothing if it never ended, or never began).

    ``name`` is the title of the EDL (its base name) and the ``source`` of the JSON; the frame
    rate is read from ``source`` at close, as a live source knows it only once connected.
    """

    def __init__(self, name: str, source: Source, csv: str | None = None, edl: str | None = None, json: str | None = None,
                 otio: str | None = None, fcpxml: str | None = None):
        super().__init__()
        self.name = name
        self.source = source
        self.csv, self.edl, self.json, self.otio, self.fcpxml = csv, edl, json, otio, fcpxml
        if otio:
            from .otio import require_otio

            require_otio()  # before the run, not at its end

    def close(self) -> None:
        if not self.ended:
            return
        paths = {"csv": self.csv, "edl": self.edl, "json": self.json, "otio": self.otio, "fcpxml": self.fcpxml}
        for kind, text in render(self, self.source, self.name, [k for k, p in paths.items() if p]).items():
            write_atomic(paths[kind], text)


def render(found: SceneList, source: Source, name: str, kinds: list[str]) -> dict[str, str]:
    """The text of each scene file kind asked for (``csv``, ``edl``, ``json``, ``otio``, ``fcpxml``) of an
    ended stream's scene list, as ``SceneFiles`` writes them (``name``: the source as the user gave it)."""
    fps, scenes, transitions = source.fps, found.scenes(), found.transitions
    makers = {"csv": lambda: to_csv(scenes), "edl": lambda: to_edl(scenes, fps, os.path.basename(name), transitions),
              "json": lambda: to_json(scenes, name, fps, transitions)}
    texts = {kind: makers[kind]() for kind in kinds if kind in makers}
    if "otio" in kinds or "fcpxml" in kinds:
        from .fcpxml import to_fcpxml
        from .otio import to_otio
        from .timeline import Media

        media = Media.of(name, source, scenes[-1].end_frame)
        if "otio" in kinds:
            texts["otio"] = to_otio(scenes, media, transitions)
        if "fcpxml" in kinds:
            texts["fcpxml"] = to_fcpxml(scenes, media)
    return texts


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


def to_edl(scenes: list[Scene], fps: float, title: str, transitions: Sequence[TransitionEvent] = ()) -> str:
    """CMX3600 EDL: one video event per scene, source and record times equal, counted in frames at the
    source's rate (drop-frame timecode at 29.97 and 59.94, as editors number such footage).

    A scene that begins with a transition is a dissolve: the previous event ends where the
    transition starts, and the scene's event is a zero-length cut line (the outgoing picture)
    and a ``D`` line with the transition's length in frames from there (a comment names its kind).
    """
    lines = [f"TITLE: {title}", f"FCM: {'DROP FRAME' if drop_frame(fps) else 'NON-DROP FRAME'}", ""]
    opening = openings(scenes, transitions)
    for i, s in enumerate(scenes, 1):
        into = opening.get(s.start_frame) if i > 1 else None
        leaving = opening.get(s.end_frame)
        first = into.start if into else s.start_frame
        a, b = smpte(first, fps), smpte(leaving.start if leaving else s.end_frame, fps)
        if into:
            lines.append(f"{i:03d}  {REEL:<8} V     C        {a} {a} {a} {a}")
            lines.append(f"{i:03d}  {REEL:<8} V     D    {into.end + 1 - into.start:03d} {a} {b} {a} {b}")
            lines.append(f"* TRANSITION: {into.kind}, frames {into.start}-{into.end}")
        else:
            lines.append(f"{i:03d}  {REEL:<8} V     C        {a} {b} {a} {b}")
    return "\n".join(lines) + "\n"


def to_json(scenes: list[Scene], source: str, fps: float, transitions: Sequence[TransitionEvent] = ()) -> str:
    """The scene list for programs: frames 0-based, scene ends exclusive, times in seconds; and the transitions,
    each with its first and last frame (inclusive), its kind and the boundary frame the scenes use."""
    return json.dumps({"source": source, "fps": fps, "scenes": [
        {"scene": i, "start_frame": s.start_frame, "end_frame": s.end_frame, "start_time": round(s.start_time, 6),
         "end_time": round(s.end_time, 6)} for i, s in enumerate(scenes, 1)],
        "transitions": [{"kind": t.kind, "start_frame": t.start, "last_frame": t.end, "boundary_frame": frame,
                         "start_time": round(t.time, 6), "last_time": round(t.end_time, 6)}
                        for frame, t in openings(scenes, transitions).items()]},
        indent=1) + "\n"


def read_json(path: str) -> tuple[list[Scene], list[TransitionEvent]]:
    """The scenes and transitions of a JSON scene list written by ``to_json`` (``detect --json``; a list
    without ``transitions`` has none); a bad file is one line."""
    try:
        with open(path) as f:
            data = json.load(f)
        scenes = [Scene(int(s["start_frame"]), int(s["end_frame"]), float(s["start_time"]), float(s["end_time"]))
                  for s in data["scenes"]]
        transitions = [TransitionEvent("0", int(t["start_frame"]), int(t["last_frame"]), str(t["kind"]), float(t["start_time"]),
                                       float(t["last_time"]), math.nan, math.nan) for t in data.get("transitions", [])]
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the scene list ({exc.strerror})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: not a scene list written by 'reprocut detect --json' ({exc.__class__.__name__}: {exc})") from None
    if not scenes or any(s.end_frame <= s.start_frame for s in scenes) or any(
            b.start_frame < a.end_frame for a, b in zip(scenes, scenes[1:])):
        raise UsageError(f"{path}: the scene list is empty or its scenes overlap")
    if any(t.end < t.start for t in transitions):
        raise UsageError(f"{path}: a transition ends before it starts")
    return scenes, transitions


def write_atomic(path: str, text: str) -> None:
    """A temporary file in the same folder, synced, then renamed over ``path``: never half a file."""
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.tmp")
    with open(tmp, "w", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
