"""The clip runner behind ``reprocut eval`` and ``bench``: every frame decoded, the labelled cuts found."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reprocut.stream.core.events import CutEvent
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.evaluation import runner
from reprocut.stream.evaluation.runner import detect_clip, detect_clip_each
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig
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


@pytest.mark.parametrize("held", [True, False])
def test_each_configuration_of_one_decode_finds_what_its_own_run_finds(clip_factory, monkeypatch, held):
    """eval's ablation rows: the clip decoded and encoded once (decoded again when too long to hold), scored
    under three sets of signals, gives each set's own run exactly (frames, times, cuts and their scores)."""
    if not held:
        monkeypatch.setattr(runner, "RECORD_FRAMES", 100)
    path, _ = clip_factory("each", frames=240, seed=6)
    base = PipelineConfig(device="cpu")
    configs = [base] + [replace(base, scorer=replace(base.scorer, signals=s)) for s in (("kl",), ("pix", "hist"))]
    encoder = Encoder(EncoderConfig(device="cpu"))
    calls = []
    encode = encoder.encode
    encoder.encode = lambda pixels: calls.append(len(pixels)) or encode(pixels)  # count the frames encoded
    each = detect_clip_each(str(path), configs, encoder)
    encoded_once = sum(calls)
    alone = [detect_clip(str(path), c, encoder) for c in configs]
    # The replays encoded nothing: at most each frame once for three configurations (kl-only needs every frame,
    # the default only those near a change), where the runs alone encode again.
    assert 0 < encoded_once <= 240 < sum(calls) - encoded_once
    assert len({tuple(c.frame for c in r.cuts) for r in alone}) > 1  # the signals make a difference here
    for a, b in zip(each, alone):
        assert a.frames == b.frames == 240
        assert [(c.frame, c.time, c.score, c.signals) for c in a.cuts] == [(c.frame, c.time, c.score, c.signals) for c in b.cuts]
