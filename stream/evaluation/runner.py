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
    from ..runtime.encoder import Encoder
    from ..runtime.pipeline import PipelineConfig


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list[CutEvent]
    trace: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, score, threshold) with ScorerConfig.trace
    seconds: float = 0.0  # wall time of the run, model loading excluded


def detect_clip(clip: str, config: PipelineConfig, encoder: Encoder | None = None) -> ClipRun:
    """Run the pipeline over one file and collect its cut events (``encoder`` shared between clips)."""
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sinks.scene_files import SceneList
    from ..sources import open_source

    pipeline = Pipeline([open_source(clip)], config, encoder=encoder)
    found = SceneList()
    start = time.perf_counter()
    feed(pipeline.run(), [found])
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(found.end.frames if found.end else 0, found.cuts, list(scorer.trace) if scorer else [], seconds)
