"""One video in a worker process: detect its cuts, render its scene files, report a manifest record.

The same function runs in the local process pool and in Ray tasks. A worker process keeps its
encoder (one ONNX Runtime session) for every video it is given, so the model is loaded once per
worker, not once per video. Whatever goes wrong with one input (a missing path, a file that is
not a video, a decoder that gives up half-way) becomes that input's ``failed`` record; nothing
is raised, so one bad file never stops the others.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.events import Event, SourceEvent
from ..evaluation.runner import detect_clip
from ..runtime.encoder import Encoder, EncoderConfig
from ..runtime.pipeline import PipelineConfig
from ..sinks.files.scene_files import SceneList, render
from ..sources import SourceConfig
from .inputs import Input

log = logging.getLogger(__name__)


@dataclass
class Job:
    """What every worker does to each input."""

    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    source: SourceConfig = field(default_factory=lambda: SourceConfig(live=False))  # read whole: a URL too, nothing dropped
    kinds: tuple[str, ...] = ("json", "csv")  # scene files to render
    threads: int = 1  # the encoder's intra-op threads in each worker


@dataclass
class Result:
    item: Input
    record: dict  # the worker's part of the manifest line
    texts: dict[str, str]  # kind -> scene file text (none when the input failed)


class Outcome(SceneList):
    """The scene list, and why a source failed (for the manifest)."""

    def __init__(self) -> None:
        super().__init__()
        self.error: str | None = None

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, SourceEvent) and event.status == "failed":
            self.error = event.detail


_encoders: dict[tuple[str, str, int], Encoder] = {}


def encoder_for(model: str, device: str, threads: int) -> Encoder:
    """This worker's encoder, loaded at its first video."""
    key = (model, device, threads)
    if key not in _encoders:
        _encoders[key] = Encoder(EncoderConfig(model=model, device=device, threads=threads))
    return _encoders[key]


def failed(item: Input, error: str, seconds: float = 0.0) -> Result:
    return Result(item, {"status": "failed", "frames": 0, "cuts": 0, "cut_frames": [], "transitions": [],
                         "seconds": round(seconds, 3), "fps": None, "duration": 0.0, "error": error}, {})


def detect_one(item: Input, job: Job, model: str = "") -> Result:
    """Detect ``item`` with ``job`` (``model``: a local path that overrides the job's, e.g. a shipped copy)."""
    start = time.perf_counter()
    try:
        cfg = job.pipeline
        encoder = encoder_for(model or cfg.model, cfg.device, job.threads)
        outcome = Outcome()
        run = detect_clip(item.source, cfg, encoder, found=outcome, source_config=job.source)
    except UsageError as exc:
        return failed(item, str(exc), time.perf_counter() - start)
    except Exception as exc:  # anything else one input does to the pipeline stays with that input
        log.debug("%s failed", item.source, exc_info=True)
        return failed(item, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    end = outcome.end
    if end is None or end.reason == "failed":
        return failed(item, outcome.error or "the source failed", run.seconds)
    cut_frames = [c.frame for c in outcome.cuts]
    transitions = [{"kind": t.kind, "start": t.start, "end": t.end} for t in outcome.transitions]
    return Result(item, {"status": "ok", "frames": end.frames, "cuts": len(cut_frames), "cut_frames": cut_frames,
                         "transitions": transitions, "seconds": round(run.seconds, 3), "fps": run.fps,
                         "duration": round(end.duration, 3), "error": None},
                  render(outcome, run.source, item.source, list(job.kinds)))
