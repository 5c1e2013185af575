"""Running the detector over one labelled clip, for ``reprocut eval``, ``bench`` and the peers.

``detect_clip`` is the clip runner: the pipeline over one file, its cut events collected,
the wall time measured (model loading excluded: the encoder is shared between clips).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list  # CutEvent
    trace: list[tuple[int, float, float]] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the run, model loading excluded


def detect_clip(clip: str, config, encoder=None) -> ClipRun:
    """Run the pipeline over one file and collect its cut events (``encoder`` shared between clips)."""
    import time

    from ..core.events import CutEvent, EndEvent
    from ..runtime.pipeline import Pipeline
    from ..sources import open_source

    pipeline = Pipeline([open_source(clip)], config, encoder=encoder)
    cuts, end = [], None
    start = time.perf_counter()
    for event in pipeline.run():
        if isinstance(event, CutEvent):
            cuts.append(event)
        elif isinstance(event, EndEvent):
            end = event
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(end.frames if end else 0, cuts, list(getattr(scorer, "trace", []) or []), seconds)
