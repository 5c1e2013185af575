"""Running the detector over one labelled clip, for ``reprocut eval``, ``bench`` and the peers.

``detect_clip`` is the clip runner: the pipeline over one file, fed like every other command's
(``sinks.base.feed``) to a ``SceneList`` that collects its cut and transition events, the wall time
measured (model loading excluded: the encoder is shared between clips).

``detect_clip_each`` scores one clip under several configurations (``eval``'s ablation rows:
KL only, pix+hist, the default) for the price of one decode and one encode: the first run keeps
every frame the source decoded and every posterior the encoder computed, and the others replay
those frames through the same pipeline, their posteriors looked up instead of computed. Only the
scorer's settings may differ between the configurations (the encoder and its input are the same).
A clip longer than ``RECORD_FRAMES`` is decoded again for each configuration instead of held in
memory (64x64 RGB: 12 kB a frame); its posteriors are still computed once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..core.events import CutEvent, TransitionEvent
from ..sources.base import SourceConfig, ThreadedSource

RECORD_FRAMES = 30_000  # frames held in memory for replays (~370 MB at 64x64); a longer clip is decoded again

if TYPE_CHECKING:
    from ..core.contracts import FrameSink, Source, StatusCallback
    from ..core.scenes import Scene
    from ..runtime.encoder import Encoder
    from ..runtime.pipeline import PipelineConfig
    from ..sinks.files.scene_files import SceneList


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list[CutEvent]
    trace: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, score, threshold) with ScorerConfig.trace
    seconds: float = 0.0  # wall time of the run, model loading excluded
    source: Source | None = None  # what was read (frame rate, size)
    transitions: list[TransitionEvent] = field(default_factory=list)
    encoded: int = 0  # frames that went through the encoder (the others repeat a frame or decide nothing)
    scenes: list[Scene] = field(default_factory=list)  # the scene list, as detect --json/--csv and split write it

    @property
    def fps(self) -> float:
        return self.source.fps if self.source else 0.0


def detect_clip(clip: str, config: PipelineConfig, encoder: Encoder | None = None, found: SceneList | None = None,
                source_config: SourceConfig | None = None) -> ClipRun:
    """Run the pipeline over one file and collect its events (``encoder`` shared between clips;
    ``found``: the collector, a ``SceneList`` subclass to keep more of the events)."""
    from ..sources import open_source

    return _run(open_source(clip, source_config), config, encoder, found)


def _run(source: Source, config: PipelineConfig, encoder: Encoder | None, found: SceneList | None = None) -> ClipRun:
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sinks.files.scene_files import SceneList

    pipeline = Pipeline([source], config, encoder=encoder)
    found = found or SceneList()
    start = time.perf_counter()
    feed(pipeline.run(), [found])
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(found.end.frames if found.end else 0, found.cuts, list(scorer.trace) if scorer else [], seconds, source,
                   found.transitions, pipeline.streams[0].encoded, found.scenes() if found.end else [])


def detect_clip_each(clip: str, configs: list[PipelineConfig], encoder: Encoder) -> list[ClipRun]:
    """One clip under each of ``configs`` (differing in their scorer only), decoded and encoded once."""
    from ..sources import open_source

    if len(configs) == 1:
        return [detect_clip(clip, configs[0], encoder)]
    recorder = _Recorder(open_source(clip))
    memo = _Memo(encoder)
    runs = [_run(recorder, configs[0], memo)]
    for config in configs[1:]:
        runs.append(_run(_Replay(recorder) if recorder.frames is not None else open_source(clip), config, memo))
    return runs


class _Tap:
    """The ring buffer as a source sees it, keeping a copy of every frame put into it (up to ``RECORD_FRAMES``)."""

    def __init__(self, ring: FrameSink, recorder: _Recorder):
        self.ring, self.recorder = ring, recorder

    def add_producer(self) -> None:
        self.ring.add_producer()

    def producer_done(self) -> None:
        self.ring.producer_done()

    def put(self, pixels: np.ndarray, index: int, time_s: float, wall: float, stream: int = 0, block: bool = True) -> bool:
        ok = self.ring.put(pixels, index, time_s, wall, stream, block)
        kept = self.recorder.frames
        if ok and kept is not None:
            if len(kept) < RECORD_FRAMES:
                kept.append((pixels.copy(), time_s))
            else:
                self.recorder.frames = None  # too long to hold: replays decode again
        return ok


class _Recorder:
    """A source, unchanged, whose decoded frames are kept (``frames``; None once there were too many) for replays."""

    def __init__(self, source: Source):
        self._source = source
        self.frames: list[tuple[np.ndarray, float]] | None = []

    def __getattr__(self, name: str):
        return getattr(self._source, name)

    def start(self, ring: FrameSink, slot: int, size: int, on_status: StatusCallback) -> None:
        self._source.start(_Tap(ring, self), slot, size, on_status)


class _Replay(ThreadedSource):
    """The frames a ``_Recorder`` kept, fed to the ring again as its source fed them (same indices and times)."""

    def __init__(self, recorded: _Recorder):
        super().__init__(recorded.url, SourceConfig(), live=False)
        self.fps, self.width, self.height = recorded.fps, recorded.width, recorded.height
        self.total_frames = len(recorded.frames)
        self._frames = recorded.frames

    def _produce(self) -> None:
        self._emit(iter(self._frames))
        self._ended("end of the recording")


class _Memo:
    """The encoder, with each frame's posterior remembered by the frame's content: a replayed frame is not encoded again."""

    def __init__(self, encoder: Encoder):
        self._encoder = encoder
        self._seen: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def __getattr__(self, name: str):
        return getattr(self._encoder, name)

    def encode(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = [hashlib.blake2b(p.tobytes(), digest_size=16).digest() for p in pixels]
        new = [i for i, k in enumerate(keys) if k not in self._seen]
        if new:
            mu, logvar = self._encoder.encode(pixels[new])
            for j, i in enumerate(new):
                self._seen[keys[i]] = (mu[j], logvar[j])
        return np.stack([self._seen[k][0] for k in keys]), np.stack([self._seen[k][1] for k in keys])
