"""Cut labels: parse and validate the label format (``docs/labels.md``).

Frame numbers are 0-based indices of decoded frames (what PyAV's ``decode()`` yields), never
timestamps times a nominal rate. Every problem with a label file is a ``UsageError`` naming the
file and the key, because a silently misread label skews every figure computed from it.

Usage::

    labels = load_labels("clip.json")            # clip resolved beside the label file
    for labels in load_dataset("../shared/eval"):  # DIR/labels/*.json, clips relative to DIR
        print(labels.name, labels.cuts)
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import av

from ..core.errors import UsageError


@dataclass(frozen=True)
class Labels:
    name: str  # label file name without .json
    source: str  # the label file
    clip: str  # resolved path of the video ("" when the label file names none and none was given)
    cuts: tuple[int, ...]  # first frame of each new shot after a hard cut
    gradual: tuple[tuple[int, int], ...] = ()  # [first, last] frames of fades, dissolves, wipes
    optional: tuple[int, ...] = ()  # boundaries that are neither hit nor miss
    dont_care: tuple[tuple[int, int], ...] = ()  # spans where detections do not count
    hard_negatives: tuple[tuple[int, int, str], ...] = ()  # big changes inside one shot, with their kind
    fps: float | None = None  # nominal; None for variable or unknown rates
    frames: int | None = None  # decoded frames, when the label file says
    notes: str = ""
    family: str = ""  # kind of footage ("animation", "live action", "test pattern"...): eval reports each family apart


def _frame(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{where}: frame {value!r} is not an integer (frames are 0-based decoded indices)")
    if value < 0:
        raise UsageError(f"{where}: frame {value} is negative (frames are 0-based decoded indices)")
    return value


def _frames(data: dict, key: str, where: str) -> tuple[int, ...]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise UsageError(f"{where}: '{key}' must be a list of frame numbers")
    out = [_frame(v, f"{where}: '{key}'") for v in values]
    seen = set()
    for v in out:
        if v in seen:
            raise UsageError(f"{where}: '{key}' lists frame {v} twice")
        seen.add(v)
    return tuple(sorted(out))


def _spans(data: dict, key: str, where: str, kinds: bool = False) -> tuple:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise UsageError(f"{where}: '{key}' must be a list of [first, last] spans")
    out = []
    for span in values:
        size_ok = isinstance(span, list) and (len(span) in (2, 3) if kinds else len(span) == 2)
        if not size_ok:
            shape = "[first, last, kind]" if kinds else "[first, last]"
            raise UsageError(f"{where}: '{key}' entry {span!r} is not a {shape} span")
        first, last = _frame(span[0], f"{where}: '{key}'"), _frame(span[1], f"{where}: '{key}'")
        if last < first:
            raise UsageError(f"{where}: '{key}' span {span!r} ends before it starts")
        if kinds:
            kind = span[2] if len(span) == 3 else "unspecified"
            if not isinstance(kind, str):
                raise UsageError(f"{where}: '{key}' span {span!r}: kind must be a string")
            out.append((first, last, kind.strip() or "unspecified"))
        else:
            out.append((first, last))
    return tuple(sorted(out))


def _fps(value) -> float | None:
    """Nominal rate; free text such as "variable (~16)" is allowed and means unknown."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return float(value)
    return None


def parse_labels(data: object, source: str, clip: str = "") -> Labels:
    """Validate decoded JSON; ``clip`` is the resolved video path (the caller knows the base folder)."""
    where = source
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a JSON object with a 'cuts' list, got {type(data).__name__}")
    if "cuts" not in data:
        raise UsageError(f"{where}: no 'cuts' key (hard cuts as 0-based decoded frame numbers; [] for none)")
    frames = data.get("frames")
    if frames is not None:
        frames = _frame(frames, f"{where}: 'frames'")
    family = data.get("family", "")
    if not isinstance(family, str):
        raise UsageError(f"{where}: 'family' must be a short text such as \"animation\" or \"live action\"")
    labels = Labels(
        name=os.path.splitext(os.path.basename(source))[0],
        source=source,
        clip=clip,
        cuts=_frames(data, "cuts", where),
        gradual=_spans(data, "gradual", where),
        optional=_frames(data, "optional", where),
        dont_care=_spans(data, "dont_care", where),
        hard_negatives=_spans(data, "hard_negatives", where, kinds=True),
        fps=_fps(data.get("fps")),
        frames=frames,
        notes=str(data.get("notes", "")),
        family=family.strip(),
    )
    if frames is not None:
        last = max([*labels.cuts, *labels.optional, *(s[1] for s in labels.gradual), *(s[1] for s in labels.dont_care),
                    *(s[1] for s in labels.hard_negatives)], default=-1)
        if last >= frames:
            raise UsageError(f"{where}: frame {last} is past the end of the clip ('frames' says {frames})")
    return labels


def read_json(path: str) -> object:
    if not os.path.isfile(path):
        raise UsageError(f"{path}: label file not found")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a UTF-8 text file") from None


def _resolve_clip(data: object, path: str, base: str | None) -> str:
    """The label's ``clip`` relative to ``base`` (default: the label file's folder, or its parent for DIR/labels/)."""
    clip = data.get("clip") if isinstance(data, dict) else None
    if clip is None:
        return ""
    if not isinstance(clip, str) or not clip:
        raise UsageError(f"{path}: 'clip' must be a path relative to the dataset folder")
    if base is None:
        here = os.path.dirname(os.path.abspath(path))
        candidates = [os.path.join(here, clip), os.path.join(os.path.dirname(here), clip)]
        return next((c for c in candidates if os.path.exists(c)), candidates[0])
    return os.path.join(base, clip)


def load_labels(path: str, video: str | None = None, base: str | None = None) -> Labels:
    """Read one label file; ``video`` overrides its ``clip``, which must then exist."""
    data = read_json(path)
    clip = video if video else _resolve_clip(data, path, base)
    labels = parse_labels(data, path, clip)
    if not clip:
        raise UsageError(f"{path}: no 'clip' key; give the video too (reprocut eval VIDEO --labels {path})")
    if not os.path.isfile(clip):
        raise UsageError(f"{path}: clip {clip} not found")
    return labels


def load_dataset(folder: str) -> list[Labels]:
    """Every ``folder/labels/*.json`` with its clip (path relative to ``folder``), sorted by name."""
    if not os.path.isdir(folder):
        raise UsageError(f"{folder}: dataset folder not found")
    label_dir = os.path.join(folder, "labels")
    if not os.path.isdir(label_dir):
        raise UsageError(f"{folder}: no labels/ folder (expected {label_dir}/*.json)")
    names = sorted(n for n in os.listdir(label_dir) if n.endswith(".json"))
    if not names:
        raise UsageError(f"{label_dir}: holds no .json label files")
    out = []
    for name in names:
        path = os.path.join(label_dir, name)
        data = read_json(path)
        if not isinstance(data, dict) or "clip" not in data:
            raise UsageError(f"{path}: no 'clip' key (path of the video relative to {folder})")
        out.append(load_labels(path, base=folder))
    return out


def frame_times(path: str, fps: float | None = None) -> list[float]:
    """Presentation time (s) of every frame in decoded order, from the packets alone (no decoding).

    Sorting the packets' timestamps gives presentation order, which is what decoded indices
    count, including on variable-frame-rate files; packets before time 0 are dropped, as the
    decoder drops them (edit lists that trim a clip's start). Used to print times for missed cuts and to map
    tools that report cuts as times back to decoded indices.
    """
    times: list[float] = []
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or 0) or (fps or 25.0)
            untimed = 0
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue  # the flush packet at the end
                if packet.pts is None or packet.time_base is None:
                    untimed += 1
                    continue
                times.append(float(packet.pts * packet.time_base))
    except (av.FFmpegError, IndexError) as exc:
        raise UsageError(f"{path}: cannot read packet times ({exc})") from None
    if untimed:
        return [i / rate for i in range(len(times) + untimed)]
    times.sort()
    return [t for t in times if t >= 0.0] if times and times[-1] >= 0.0 else times
