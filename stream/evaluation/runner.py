"""Running the detector over one labelled clip, for ``reprocut eval``, ``bench`` and the peers.

``detect_clip`` is the clip runner: the pipeline over one file, fed like every other command's
(``sinks.base.feed``) to a sink that collects its cut events, the wall time measured (model
loading excluded: the encoder is shared between clips).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.events import CutEvent, EndEvent, Event

if TYPE_CHECKING:
    from ..runtime.encoder import Encoder
    from ..runtime.pipeline import PipelineConfig


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list[CutEvent]
    trace: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, score, threshold) with ScorerConfig.trace
    seconds: float = 0.0  # wall time of the run, model loading excluded


class CutCollector:
    """Sink: the cut events of one stream and its decoded frame count (from its end event)."""

    def __init__(self) -> None:
        self.cuts: list[CutEvent] = []
        self.frames = 0

    def on_event(self, event: Event) -> None:
        if isinstance(event, CutEvent):
            self.cuts.append(event)
        elif isinstance(event, EndEvent):
            self.frames = event.frames

    def close(self) -> None:
        """Nothing to flush: the run is read from the collector afterwards."""


def detect_clip(clip: str, config: PipelineConfig, encoder: Encoder | None = None) -> ClipRun:
    """Run the pipeline over one file and collect its cut events (``encoder`` shared between clips)."""
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sources import open_source

    pipeline = Pipeline([open_source(clip)], config, encoder=encoder)
    collector = CutCollector()
    start = time.perf_counter()
    feed(pipeline.run(), [collector])
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(collector.frames, collector.cuts, list(scorer.trace) if scorer else [], seconds)
