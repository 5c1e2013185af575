"""``reprocut bench``: every section of the report, and the accuracy it measures on a generated clip."""

from __future__ import annotations

import json
import os
from importlib.util import cache_from_source, find_spec

import pytest
from helpers import assert_one_line_error, run_cli
from reprocut.stream.runtime.encoder import default_model_path


def test_quick_bench_report_has_every_section(tmp_path):
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    result = run_cli("bench", "--quick", "--model", default_model_path(), "--json", out_json, "--markdown", out_md, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(out_json.read_text())
    assert report["config"]["quick"] is True and report["config"]["repeats"] == 1
    assert report["machine"]["cores"] >= 1 and report["model"]["latent"] > 0

    [row] = report["throughput"]["rows"]
    assert row["size"] == "160x90" and row["frames"] == 48  # the generated source clip of a quick run
    assert row["decode_fps"] > 0 and row["detect_fps"] > 0 and row["pipeline_fps"] > 0
    assert row["ratio"] == pytest.approx(row["detect_fps"] / row["decode_fps"], abs=0.01)  # ratio has 2 decimals
    assert row["pipeline_ratio"] == pytest.approx(row["pipeline_fps"] / row["decode_fps"], abs=0.01)
    assert row["plain_ratio"] == pytest.approx(row["detect_fps"] / row["plain_decode_fps"], abs=0.01)  # PyAV's to_ndarray
    assert row["detect_fps"] == pytest.approx(48 / row["detect_s"], rel=0.02)  # the whole process, start-up included
    assert row["every_frame_ratio"] == pytest.approx(row["every_frame_fps"] / row["decode_fps"], abs=0.01)
    assert 0 < row["encoded_share"] <= 1  # the frames near a visible change (all of them with --every-frame)
    assert row["decode_s"] == pytest.approx(48 / row["decode_fps"], abs=0.001)  # the detector's own decoding, in process
    # start-up, from detect's -v line: after the process started, before it ended; the clip's cut is at frame 11
    assert row["startup_s"] is not None and 0 < row["startup_s"] < row["detect_s"]
    # ...timed with reprocut's modules compiled, as an installed package has them (even where Python writes no bytecode)
    import reprocut.stream.core.scorer as module

    assert os.path.exists(cache_from_source(module.__file__))

    peer = report["pyscenedetect"]  # the only size of a quick run is the middle one: PySceneDetect ran there, in turn
    assert (peer["clip"], peer["size"], peer["frames"]) == ("throughput-160x90.mp4", "160x90", 48) and peer["reprocut_s"] == row["detect_s"]
    if "error" not in peer:  # PySceneDetect is in the bench extra
        assert peer["pyscenedetect_s"] == row["pyscenedetect_s"] > 0
        assert peer["speedup"] == pytest.approx(peer["pyscenedetect_s"] / peer["reprocut_s"], abs=0.01)
    else:
        assert find_spec("scenedetect") is None and "scenedetect" in row["pyscenedetect_error"]
    assert report["scorer"]["frames"] == 48 and report["scorer"]["fps"] > 0
    assert report["time_to_error"]["seconds"] > 0  # the run checked that detect exits 2 on a missing file

    cpu = [r for r in report["encoder"] if r["device"] == "cpu"]
    assert [r["batch"] for r in cpu] == [1, 16]
    assert all(r["provider"] == "CPUExecutionProvider" and r["fps"] > 0 for r in cpu)

    lat = report["latency"]
    assert (lat["clip"], lat["frames"], lat["fps"]) == ("latency.mp4", 96, 24.0)
    assert set(lat["in_process"]) >= {"cut_p50_ms", "cut_p99_ms", "frame_p50_ms", "cuts_per_run"}
    assert "error" not in lat["websocket"], lat["websocket"]  # reprocut serve is part of this checkout
    for v in (lat["in_process"], lat["websocket"]):
        assert len(v["cuts_per_run"]) == 1
        if v["cut_p50_ms"] is not None:
            assert 0 < v["cut_p50_ms"] <= v["cut_p99_ms"]

    detect, serve = report["memory"]
    assert detect["what"].startswith("reprocut detect") and detect["peak_rss_mb"] > 10
    assert serve["what"] == "reprocut serve (4 streams)" and serve["peak_rss_mb"] > 10

    acc = report["accuracy"]  # one generated 48-frame clip (seed 31) with one hard cut, at frame 11
    assert (acc["clips"], acc["cuts"], acc["tolerance"]) == (["demo-31"], 1, 2)
    assert [r["detector"] for r in acc["rows"]] == ["reprocut", "reprocut-paper", "pixel-l2"]
    for r in acc["rows"]:  # each row scored by eval's rule; reprocut's defaults find the cut and nothing else
        assert "error" not in r, r
        found = r["tp"] + r["fp"]
        assert r["tp"] + r["fn"] == 1 and r["recall"] == r["tp"], r
        assert r["precision"] == (pytest.approx(r["tp"] / found, abs=1e-3) if found else None), r
        assert r["frames"] == 48 and r["fps"] > 0 and r["peak_rss_mb"] > 10
        assert acc["per_clip_f1"][r["detector"]] == {"demo-31": pytest.approx(r["f1"], abs=0.005)}  # 2 decimals there
    assert (acc["rows"][0]["tp"], acc["rows"][0]["fp"], acc["rows"][0]["fn"]) == (1, 0, 0)

    rows = report["archive"]["rows"]  # reprocut batch on 4 generated 48-frame clips: local worker splits, then Ray
    assert [(r["mode"], r.get("workers"), r.get("threads")) for r in rows[:3]] == [("local processes", w, t) for w, t in ((1, 1), (1, 2), (2, 1))]
    assert rows[3]["mode"] == "Ray (local instance)" and ("error" in rows[3]) == (find_spec("ray") is None)
    for r in (row for row in rows if "error" not in row):
        assert (r["videos"], r["frames"]) == (4, 4 * 48) and r["fps"] > 0 and r["busy_fps"] > 0 and r["video_hours_per_hour"] > 0

    md = out_md.read_text()
    assert md == result.stdout
    glance = md.split("### Speed at a glance", 1)[1].split("###", 1)[0]  # issue 27's figures, one table, from the runs above
    assert f"| **speed of detect / speed of decoding** | **{row['ratio']}x** |" in glance
    assert f"| start-up: process start to the first frames at the encoder (s) | {row['startup_s']} |" in glance
    speedup = f"**{peer['speedup']}x**" if "error" not in peer else "–"
    assert f"| **speed of reprocut / speed of PySceneDetect** | {speedup} |" in glance
    for heading in ("### Speed at a glance", "### Throughput", "### Against PySceneDetect", "### Encoder alone", "### Other stages alone",
                    "### Live latency", "### Peak memory", "### Accuracy", "### Archives"):
        assert heading in md


def test_bench_mistakes_are_one_line_errors(tmp_path):
    assert_one_line_error(run_cli("bench", "--dataset", tmp_path / "none"), "dataset folder not found")
    assert_one_line_error(run_cli("bench", "--clip", tmp_path / "none.mp4"), "no such file")
    assert_one_line_error(run_cli("bench", "--repeats", "0", "--quick"), "--repeats")
    assert_one_line_error(run_cli("bench", "--json", tmp_path / "no" / "r.json"), "folder does not exist")
