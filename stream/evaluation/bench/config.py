"""What one ``reprocut bench`` run measures, and how each figure is summarised over its repeats."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from ...core.errors import UsageError
from ..metrics import EvalConfig


@dataclass
class BenchConfig:
    model: str = ""  # ONNX encoder; empty: the bundled default
    dataset: str | None = None  # labelled clips (DIR/labels/*.json); None: generated demo clips
    clip: tuple[str, ...] = ()  # real clips, joined and re-encoded to each size for throughput; none: a generated one
    throughput_frames: int = 3000  # frames of the joined clip (looped if the clips are shorter)
    peers: bool = False  # PySceneDetect and TransNetV2 beside reprocut and the pixel baseline
    quick: bool = False  # smoke run: one tiny clip, one repeat
    repeats: int = 3
    sizes: tuple[tuple[int, int], ...] = ((160, 90), (640, 360), (1280, 720))
    batches: tuple[int, ...] = (1, 16, 64, 256)
    latency_frames: int = 720  # paced demo clip for latency (30 s at 24 fps)
    serve_streams: int = 4
    tolerance: int = EvalConfig.tolerance  # accuracy is scored by reprocut eval's rule
    workdir: str | None = None  # where generated clips go (default: a temp dir, removed after)

    def __post_init__(self) -> None:
        self.clip = tuple(self.clip)  # argparse gives a list
        if self.repeats < 1:
            raise UsageError("--repeats must be at least 1")
        if self.quick:
            self.repeats, self.sizes, self.batches, self.latency_frames = 1, ((160, 90),), (1, 16), 96
            self.throughput_frames = 48


def median(values: Iterable[float | None]) -> float | None:
    """The median of the finite values: a run that measured nothing does not drag the figure."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(values) if values else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
