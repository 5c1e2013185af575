"""The batched scorer decides exactly as the frame-by-frame reference did, on real footage and generated clips.

Each clip is decoded (PyAV, 64x64) and encoded (the bundled model) once per test session; both
scorers are then fed the same posteriors in the pipeline's batches and must give the same cut
frames, the same scores and the same thresholds, frame by frame.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from helpers import SHARED, shared_path
from reference_scorer import ReferenceScorer
from reprocut.stream.core.scorer import Scorer, ScorerConfig
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig
from reprocut.stream.sources.decode import iter_video, open_video, stream_fps

LABELS = sorted(p.stem for p in (SHARED / "eval" / "labels").glob("*.json"))
DEMO_SEEDS = (3, 11)  # the clips tests/runtime/test_pipeline.py makes too (one session cache)
# issue 12's rules, which the reference predates, are switched off: the batched core must still decide as it did
RULES_OFF = {"same_picture_guard": False, "unrelated_cuts": False, "latent_share": 0.0, "latent_spike": False}
CONFIGS = {
    "default": ScorerConfig(**RULES_OFF),
    "kl-only": ScorerConfig(signals=("kl",), **RULES_OFF),
    "paper": ScorerConfig(threshold_mode="paper", **RULES_OFF),
}


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(EncoderConfig())


@pytest.fixture(scope="module")
def posteriors(encoder):
    """clip path -> (fps, index, time, mu, logvar, pixels): each clip decoded and encoded once."""
    cache: dict[str, tuple] = {}

    def get(path: str) -> tuple:
        if path not in cache:
            with open_video(path) as c:
                fps = stream_fps(c.streams.video[0])
            frames = list(iter_video(path))
            pixels = np.stack([f.rgb for f in frames])
            mu, logvar = zip(*(encoder.encode(pixels[s:s + 64]) for s in range(0, len(pixels), 64)))
            cache[path] = (fps, np.array([f.index for f in frames]), np.array([f.time for f in frames]),
                           np.concatenate(mu), np.concatenate(logvar), pixels)
        return cache[path]

    return get


def feed(scorer, data, batch: int = 64) -> list:
    _, index, time, mu, logvar, pixels = data
    events = []
    for s in range(0, len(index), batch):
        sl = slice(s, s + batch)
        events += scorer.push(index[sl], time[sl], index[sl] * 0.0, mu[sl], logvar[sl], pixels[sl])
    return events + scorer.finish()


def assert_same_decisions(data, encoder) -> None:
    fps = data[0]
    for name, base in CONFIGS.items():
        cfg = replace(base, fps=fps, trace=True)
        new, ref = Scorer(cfg, calibration=encoder.calibration), ReferenceScorer(cfg, calibration=encoder.calibration)
        got, want = feed(new, data), feed(ref, data, batch=16)  # other batch boundaries, too
        assert [e.frame for e in got] == [e.frame for e in want], name
        assert [e.score for e in got] == pytest.approx([e.score for e in want], rel=1e-9), name
        assert [e.threshold for e in got] == pytest.approx([e.threshold for e in want], rel=1e-9), name
        assert [e.signals for e in got] == [e.signals for e in want], name
        assert np.allclose(np.array(new.trace, dtype=float), np.array(ref.trace, dtype=float), rtol=1e-9, equal_nan=True), name
        assert (new.frames, new.cuts, new.threshold) == (ref.frames, ref.cuts, pytest.approx(ref.threshold, rel=1e-9)), name


@pytest.mark.parametrize("label", LABELS or ["(none)"])
def test_same_decisions_as_the_reference_on_the_eval_clips(label, posteriors, encoder):
    labels = json.loads(shared_path("eval", "labels", f"{label}.json").read_text())
    assert_same_decisions(posteriors(str(SHARED / "eval" / labels["clip"])), encoder)


@pytest.mark.parametrize("seed", DEMO_SEEDS)
def test_same_decisions_as_the_reference_on_demo_clips(seed, clip_factory, posteriors, encoder):
    path, _ = clip_factory(f"seed{seed}", frames=240, seed=seed)
    assert_same_decisions(posteriors(str(path)), encoder)
