"""Writing spliced edits (``reprocut eval --splice``): decode, render, encode, and a label file for each.

The plans and the frames they hold come from ``splice.py``; here the source clip is decoded once
(only the frames the plans use are kept) at its own size scaled down to ``max_side`` pixels, so
the detector's own scaling to 64x64 still runs on the edits, and each edit is written with PyAV
(H.264, the source's frame rate, constant) beside its label file, as a dataset folder:
``DIR/clips/NAME.mp4`` and ``DIR/labels/NAME.json``, which ``reprocut eval --dataset DIR`` scores
on its own too.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

import av
import numpy as np

from ..core.errors import UsageError
from ..sources.decode import RGBScaler, open_video, stream_fps
from .labels import Labels, load_labels
from .splice import Edit, SpliceConfig, edit_labels, pieces, plan_edit, render, rng_for

log = logging.getLogger(__name__)


@dataclass
class Written:
    """The edits written: their labels (parsed back from the files), the clip each was spliced from, the clips that
    could not be spliced and why, how many joins of each kind, and the kind of each edit's generated transitions."""

    labels: list[Labels] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # edit name -> name of the labelled clip it came from
    skipped: list[dict] = field(default_factory=list)
    joins: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, list[str]] = field(default_factory=dict)  # edit name -> its generated transitions' kinds, in order


@contextmanager
def work_folder(path: str | None) -> Iterator[str]:
    """``path`` (created if needed, kept), or a temp dir removed afterwards."""
    if path:
        if os.path.exists(path) and not os.path.isdir(path):
            raise UsageError(f"{path}: not a folder (--workdir keeps the spliced edits there)")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="reprocut-splice-") as folder:
        yield folder


def splice_dataset(targets: Sequence[Labels], cfg: SpliceConfig, folder: str) -> Written:
    """``cfg.splice`` edits of every clip of ``targets`` written to ``folder`` (a progress bar counts them)."""
    from ..runtime.progress import Progress

    cfg.check()
    for sub in ("clips", "labels"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    written = Written()
    progress = Progress(len(targets) * cfg.splice, "splicing", unit="edit")
    try:
        for labels in targets:
            flat = flat_frames(labels.clip, cfg.flat)
            safe = pieces(labels, len(flat), cfg.margin, cfg.min_segment, flat)
            if len({p.shot for p in safe}) < 2:
                why = f"fewer than 2 shots with {cfg.min_segment} frames clear of every labelled boundary and span, not flat"
                log.info("%s: not spliced: %s", labels.name, why)
                written.skipped.append({"clip": labels.name, "why": why})
                progress.update(cfg.splice)
                continue
            edits = [plan_edit(safe, cfg, rng_for(cfg.seed, labels.name, i)) for i in range(cfg.splice)]
            source, fps = read_frames(labels.clip, _used(edits), cfg.max_side)
            for i, edit in enumerate(edits):
                name = f"{labels.name}-s{cfg.seed}-{i + 1}"
                clip = f"clips/{name}.mp4"
                write_video(os.path.join(folder, clip), render(edit, source.__getitem__), fps)
                path = os.path.join(folder, "labels", name + ".json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(edit_labels(edit, labels, clip, fps, cfg.seed, i + 1), f, indent=1)
                written.labels.append(load_labels(path, base=folder))  # read back: the format eval reads
                written.sources[name] = labels.name
                for join in edit.joins:
                    written.joins[join.kind] = written.joins.get(join.kind, 0) + 1
                written.kinds[name] = [join.kind for join in edit.joins if join.frames]  # the order of its spans
                progress.update()
    finally:
        progress.close()
    return written


def _used(edits: Iterable[Edit]) -> set[int]:
    """Every source frame the edits show, their transitions' included."""
    return {f for e in edits for s in e.segments for f in range(s.first - s.lead, s.last + s.tail + 1)}


def decode_scaled(path: str, max_side: int) -> Iterator[np.ndarray]:
    """Every frame of ``path`` in decoded order (as labels number them; damaged packets skipped, as the detector skips
    them) as RGB at the clip's own size scaled down to ``max_side`` on its longer side (even sizes, as H.264 needs)."""
    container = open_video(path)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        scale = min(1.0, max_side / max(stream.width, stream.height))
        to_rgb = RGBScaler(max(2, round(stream.width * scale / 2) * 2), max(2, round(stream.height * scale / 2) * 2))
        for packet in container.demux(stream):
            try:
                decoded = packet.decode()
            except av.FFmpegError:
                continue
            for frame in decoded:
                yield to_rgb(frame)


def flat_frames(path: str, flat: float) -> np.ndarray:
    """For every decoded frame, whether it shows no picture: the standard deviation of its grey levels is under ``flat``."""
    return np.array([img.astype(np.float32).mean(axis=2).std() < flat for img in decode_scaled(path, 64)], bool)


def read_frames(path: str, wanted: set[int], max_side: int) -> tuple[dict[int, np.ndarray], float]:
    """The ``wanted`` decoded frames of ``path`` (``decode_scaled``) and the clip's frame rate."""
    with open_video(path) as container:
        fps = stream_fps(container.streams.video[0])
    kept: dict[int, np.ndarray] = {}
    last = max(wanted)
    for index, img in enumerate(decode_scaled(path, max_side)):
        if index in wanted:
            kept[index] = img
        if index >= last:
            break
    if len(kept) < len(wanted):
        raise UsageError(f"{path}: decodes to fewer frames than the splice planned; cannot splice it")
    return kept, fps


def write_video(path: str, frames: Iterable[np.ndarray], fps: float) -> None:
    """H.264 at a constant ``fps``, one picture per frame, so decoded indices are the edit's frame numbers."""
    frames = iter(frames)
    first = next(frames)
    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast"}
        for img in itertools.chain([first], frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
