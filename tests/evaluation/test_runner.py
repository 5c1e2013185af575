"""The clip runner behind ``reprocut eval`` and ``bench``: every frame decoded, the labelled cuts found."""

from __future__ import annotations

from reprocut.stream.core.events import CutEvent
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.evaluation.runner import detect_clip
from reprocut.stream.runtime.pipeline import PipelineConfig


def test_detect_clip_counts_every_frame_and_finds_the_labelled_cuts(clip_factory):
    path, meta = clip_factory("peers", frames=120, seed=3)
    run = detect_clip(str(path), PipelineConfig(device="cpu", scorer=ScorerConfig(trace=True)))
    assert run.frames == meta["frames"] == 120
    assert [c.frame for c in run.cuts] == meta["cuts"] == [14, 38, 55, 70, 119]
    assert all(isinstance(c, CutEvent) and c.stream == "0" for c in run.cuts)
    assert [c.time for c in run.cuts] == [f / 24 for f in meta["cuts"]]  # the demo is 24 fps from time 0
    assert [t[0] for t in run.trace] == list(range(120))  # one (frame, score, threshold) per decoded frame
    assert run.seconds > 0


def test_detect_clip_keeps_no_trace_unless_asked(clip_factory):
    path, _ = clip_factory("peers", frames=120, seed=3)
    run = detect_clip(str(path), PipelineConfig(device="cpu"))
    assert run.trace == [] and len(run.cuts) == 5
