"""Training frames from videos and image folders, decoded once to a 64x64 cache on disk.

Every input is decoded straight to 64x64 RGB (see ``reprocut.stream.sources.decode``) and appended to
one uint8 file in the run directory, which is then memory-mapped: hours of video never sit in
memory, later epochs cost no decoding, and ``--resume`` reuses the cache. The validation set is
the contiguous tail of each source, because random frames of one shot would leak into training.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import av
import numpy as np
from reprocut.stream.core.errors import UsageError
from reprocut.stream.runtime.progress import Progress
from reprocut.stream.sources.decode import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    iter_video,
    open_video,
    read_image,
)

log = logging.getLogger(__name__)


@dataclass
class DataConfig:
    inputs: list[str] = field(default_factory=list)
    stride: int = 1  # keep every stride-th decoded frame
    max_frames_per_source: int = 0  # 0 = no cap; a longer source is subsampled evenly
    val_fraction: float = 0.1
    image_size: int = 64


@dataclass
class Segment:
    """One source's frames in the cache: [start, start + n_train) train, then n_val validation."""

    name: str
    start: int
    n_train: int
    n_val: int


def expand_inputs(inputs: list[str]) -> list[tuple[str, list[str]]]:
    """Turn paths into sources: ("video", [file]) or ("images", sorted files) for an image folder."""
    sources: list[tuple[str, list[str]]] = []
    for path in inputs:
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
        if os.path.isfile(path):
            sources.append(("video", [path]))
            continue
        names = sorted(os.listdir(path))
        images = [os.path.join(path, n) for n in names if os.path.splitext(n)[1].lower() in IMAGE_EXTENSIONS]
        videos = [os.path.join(path, n) for n in names if os.path.splitext(n)[1].lower() in VIDEO_EXTENSIONS]
        if images:
            sources.append(("images", images))
        sources.extend(("video", [v]) for v in videos)
        if not images and not videos:
            raise UsageError(f"{path}: folder holds no video or image files")
    if not sources:
        raise UsageError("no training inputs given")
    return sources


def _estimated_frames(path: str) -> int:
    container = open_video(path)
    with container:
        stream = container.streams.video[0]
        if stream.frames:
            return int(stream.frames)
        if container.duration and stream.average_rate:
            return int(container.duration / av.time_base * float(stream.average_rate))
    return 0


def _source_frames(kind: str, files: list[str], cfg: DataConfig) -> Iterator[np.ndarray]:
    cap = cfg.max_frames_per_source
    if kind == "images":
        step = max(cfg.stride, math.ceil(len(files) / cap) if cap else 1)
        for f in files[::step]:
            yield read_image(f, cfg.image_size)
        return
    step = cfg.stride
    if cap:
        step = max(step, math.ceil(_estimated_frames(files[0]) / cap))
    for frame in iter_video(files[0], cfg.image_size, step):
        yield frame.rgb


class FrameCache:
    """Memory-mapped uint8 frames [N, S, S, 3] plus the segment table that says where each source lies."""

    def __init__(self, directory: str):
        meta_path = os.path.join(directory, "frames.json")
        with open(meta_path) as f:
            meta = json.load(f)
        self.size = meta["image_size"]
        self.segments = [Segment(**s) for s in meta["segments"]]
        total = sum(s.n_train + s.n_val for s in self.segments)
        self.frames = np.memmap(os.path.join(directory, "frames.u8"), dtype=np.uint8, mode="r", shape=(total, self.size, self.size, 3))

    @property
    def train_indices(self) -> np.ndarray:
        return np.concatenate([np.arange(s.start, s.start + s.n_train) for s in self.segments])

    @property
    def val_runs(self) -> list[np.ndarray]:
        """Validation indices per source, in decode order (consecutive-frame statistics need order)."""
        return [np.arange(s.start + s.n_train, s.start + s.n_train + s.n_val) for s in self.segments if s.n_val]

    def batch(self, indices: np.ndarray) -> np.ndarray:
        """Frames as float32 [N,3,S,S] in [0,1], the encoder's input layout."""
        return (self.frames[np.sort(indices)].astype(np.float32) / 255.0).transpose(0, 3, 1, 2)


def build_cache(cfg: DataConfig, directory: str) -> FrameCache:
    """Decode every source into ``directory`` once; an existing complete cache is reused."""
    meta_path = os.path.join(directory, "frames.json")
    if os.path.exists(meta_path):
        return FrameCache(directory)
    os.makedirs(directory, exist_ok=True)
    sources = expand_inputs(cfg.inputs)
    segments: list[Segment] = []
    tmp = os.path.join(directory, "frames.u8.tmp")
    progress = Progress(None, "decoding frames", unit="frame")
    start = 0
    with open(tmp, "wb") as out:
        for kind, files in sources:
            count = 0
            for rgb in _source_frames(kind, files, cfg):
                out.write(np.ascontiguousarray(rgb).tobytes())
                count += 1
                progress.update(1)
            name = files[0] if kind == "video" else os.path.dirname(files[0])
            if count == 0:
                log.warning("%s: no decodable frames, skipped", name)
                continue
            n_val = int(round(count * cfg.val_fraction)) if count >= 10 else 0
            segments.append(Segment(name, start, count - n_val, n_val))
            start += count
    progress.close()
    if start == 0:
        os.remove(tmp)
        raise UsageError("no decodable frames in the training inputs")
    os.replace(tmp, os.path.join(directory, "frames.u8"))
    meta = {"image_size": cfg.image_size, "segments": [s.__dict__ for s in segments]}
    with open(meta_path + ".tmp", "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(meta_path + ".tmp", meta_path)
    log.info("cached %d frames from %d sources", start, len(segments))
    return FrameCache(directory)


def shuffled_batches(indices: np.ndarray, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """One epoch of random batches drawn across all sources, so each batch mixes videos."""
    order = rng.permutation(indices)
    for i in range(0, len(order) - batch_size + 1 if len(order) >= batch_size else 1, batch_size):
        yield order[i : i + batch_size]
