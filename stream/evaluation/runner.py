"""Running the detector over one labelled clip, for ``reprocut eval``, ``bench`` and the peers.

``detect_clip`` is the clip runner: the pipeline over one file, fed like every other command's
(``sinks.base.feed``) to a ``SceneList`` that collects its cut events, the wall time measured (model
loading excluded: the encoder is shared between clips).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.events import CutEvent

if TYPE_CHECKING:
    from ..core.contracts import Source
    from ..runtime.encoder import Encoder
    from ..runtime.pipeline import PipelineConfig
    from ..sinks.scene_files import SceneList
    from ..sources import SourceConfig


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list[CutEvent]
    trace: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, score, threshold) with ScorerConfig.trace
    seconds: float = 0.0  # wall time of the run, model loading excluded
    source: Source | None = None  # what was read (frame rate, size)

    @property
    def fps(self) -> float:
        return self.source.fps if self.source else 0.0


def detect_clip(clip: str, config: PipelineConfig, encoder: Encoder | None = None, found: SceneList | None = None,
                source_config: SourceConfig | None = None) -> ClipRun:
    """Run the pipeline over one file and collect its cut events (``encoder`` shared between clips;
    ``found``: the collector, a ``SceneList`` subclass to keep more of the events)."""
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sinks.scene_files import SceneList
    from ..sources import open_source

    source = open_source(clip, source_config)
    pipeline = Pipeline([source], config, encoder=encoder)
    found = found or SceneList()
    start = time.perf_counter()
    feed(pipeline.run(), [found])
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(found.end.frames if found.end else 0, found.cuts, list(scorer.trace) if scorer else [], seconds, source)
