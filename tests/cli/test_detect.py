"""`reprocut detect` end to end: real video through PyAV, the bundled ONNX model, the scorer, the sinks."""

import csv
import json
import queue
import signal
import subprocess
import threading
import time

import pytest
from helpers import (
    REPROCUT,
    TIMEOUT,
    assert_one_line_error,
    imported,
    jsonl_events,
    matched,
    run_cli,
    to_mpegts,
)
from reprocut.stream.sources.cartoon import DemoConfig
from reprocut.stream.sources.cartoon import labels as demo_labels


def test_a_run_loads_no_scikit_learn_scipy_or_torch(demo_clip):
    """Start-up is paid on every run: the k-means threshold is numpy (``core/threshold.py``), and scikit-learn
    with scipy would add ~1.5 s of CPU to each (a 3,000-frame file decodes in ~4 s); torch is the trainer's."""
    modules = imported("detect", demo_clip[0], "--jsonl")
    assert {"numpy", "av", "onnxruntime"} <= modules  # the run happened
    assert not modules & {"sklearn", "scipy", "torch"}


def test_every_cut_of_a_generated_clip_is_found(demo_clip):
    clip, labels = demo_clip
    result = run_cli("detect", clip, "--jsonl")
    assert result.returncode == 0, result.stderr
    events = jsonl_events(result.stdout)
    cuts = [e["frame"] for e in events if e["type"] == "cut"]
    assert matched(cuts, labels["cuts"]) == labels["cuts"]
    fades = [f for a, b in labels["gradual"] for f in cuts if a - 2 <= f <= b + 2]
    false_alarms = len(cuts) - len(labels["cuts"]) - len(fades)
    assert false_alarms <= 0.1 * len(labels["cuts"])
    end = events[-1] if events[-1]["type"] == "end" else next(e for e in events if e["type"] == "end")
    assert end["frames"] == labels["frames"] and end["reason"] == "eof" and end["dropped"] == 0
    cut = next(e for e in events if e["type"] == "cut")
    assert cut["score"] > cut["threshold"] > 1 and set(cut["signals"]) == {"kl", "pix", "hist"}
    assert abs(cut["time"] - cut["frame"] / labels["fps"]) < 1e-3


def test_no_false_cut_in_a_long_single_shot_with_motion(clip_factory):
    clip, labels = clip_factory("oneshot", frames=360, min_shot=360, max_shot=360, seed=17, shake_probability=1.0, flash_probability=0.0)
    assert labels["cuts"] == []
    result = run_cli("detect", clip, "--jsonl")
    assert result.returncode == 0, result.stderr
    assert [e for e in jsonl_events(result.stdout) if e["type"] == "cut"] == []


def test_scene_files_parse_back_and_agree(tmp_path, demo_clip):
    clip, labels = demo_clip
    out = {k: tmp_path / f"scenes.{k}" for k in ("csv", "edl", "json")}
    result = run_cli("detect", clip, "--jsonl", "--csv", out["csv"], "--edl", out["edl"], "--json", out["json"])
    assert result.returncode == 0, result.stderr
    cuts = [e["frame"] for e in jsonl_events(result.stdout) if e["type"] == "cut"]
    rows = list(csv.reader(out["csv"].open()))
    assert rows[1][0] == "Scene Number" and len(rows) - 2 == len(cuts) + 1
    assert [int(r[1]) - 1 for r in rows[3:]] == cuts  # 1-based start frames of scenes 2..n
    assert int(rows[-1][4]) == labels["frames"]
    scenes = json.loads(out["json"].read_text())["scenes"]
    assert [s["start_frame"] for s in scenes[1:]] == cuts
    edl_events = [line for line in out["edl"].read_text().splitlines() if line[:3].isdigit()]
    assert len(edl_events) == len(cuts) + 1


def test_demo_stream_prints_a_scene_table():
    result = run_cli("detect")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["scene", "start", "frame"]
    starts = [int(line.split()[1]) for line in lines[2:-1]]  # scene 1 starts at frame 0
    truth = demo_labels(DemoConfig(frames=720, seed=0))["cuts"]
    assert len(matched(starts, truth)) >= 0.9 * len(truth)
    assert lines[-1].startswith(f"{len(starts)} cuts, 720 frames")


def test_python_api_yields_events(demo_clip):
    from reprocut.stream import detect

    clip, labels = demo_clip
    events = list(detect(str(clip)))
    cuts = [e.frame for e in events if e.type == "cut"]
    assert matched(cuts, labels["cuts"]) == labels["cuts"]
    assert events[-1].type in ("end", "source")


def test_stdin_pipe(clip_factory):
    clip, labels = clip_factory("pipe", frames=200, seed=23)
    result = run_cli("detect", "-", "--jsonl", input=to_mpegts(clip), text=False)  # MPEG-TS: mp4 needs seeking
    assert result.returncode == 0, result.stderr
    events = jsonl_events(result.stdout.decode())
    assert [e for e in events if e["type"] == "end"][0]["frames"] == 200
    assert matched([e["frame"] for e in events if e["type"] == "cut"], labels["cuts"]) == labels["cuts"]


def test_realtime_paces_a_file_at_its_frame_rate(clip_factory):
    clip, _ = clip_factory("paced", frames=48, seed=29)  # 2 s at 24 fps
    start = time.monotonic()
    result = run_cli("detect", clip, "--realtime", "--jsonl")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start >= 1.9


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_flushes_scene_files_and_exits_cleanly(tmp_path, clip_factory, sig):
    clip, _ = clip_factory("long", frames=480, seed=31)  # 20 s at 24 fps
    out = tmp_path / "scenes.csv"
    with open(tmp_path / "stderr.txt", "w+") as log:
        proc = subprocess.Popen([*REPROCUT, "detect", str(clip), "--realtime", "--csv", str(out), "--jsonl", "--stats"],
                                stdout=subprocess.PIPE, stderr=log, text=True)
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put("")  # the end of stdout

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        printed: list[str] = []
        try:
            # Model load, then a few seconds of paced frames: the stats that say 2 s of frames were scored (the
            # handlers are in place before the first frame is read), not a fixed sleep that a slow start outlasts.
            deadline = time.monotonic() + TIMEOUT
            while not any(e["type"] == "stats" and e["frames"] >= 48 for e in jsonl_events("".join(printed))):
                printed.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
                assert printed[-1], f"detect ended before the signal: {printed}"
            proc.send_signal(sig)
            proc.wait(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(TIMEOUT)
        while (line := lines.get(timeout=TIMEOUT)) != "":
            printed.append(line)
        log.seek(0)
        stdout, stderr = "".join(printed), log.read()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    events = jsonl_events(stdout)
    statuses = [(e["status"], e["detail"]) for e in events if e["type"] == "source"]
    assert statuses == [("stopped", "stopped")] and events[-1]["reason"] == "stopped"  # the source and the end agree
    rows = list(csv.reader(out.open()))
    assert rows[1][0] == "Scene Number"
    assert 0 < int(rows[-1][4]) < 480  # the scene list ends where detection stopped


def test_bad_sources_and_options(tmp_path):
    assert_one_line_error(run_cli("detect", tmp_path / "missing.mp4"), "no such file")
    assert_one_line_error(run_cli("detect", tmp_path), f"is a directory, expected a video file (for every video in a folder: "
                                                      f"reprocut batch {tmp_path} --out DIR)")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert_one_line_error(run_cli("detect", empty), "empty")
    text = tmp_path / "notes.mp4"
    text.write_text("hello\n")
    assert_one_line_error(run_cli("detect", text), "not a readable video")
    assert_one_line_error(run_cli("detect", "gopher://example.invalid/x"), "unsupported url scheme")
    assert_one_line_error(run_cli("detect", "--threshold", "0.5"), "threshold")
    assert_one_line_error(run_cli("detect", "--csv", tmp_path / "no" / "such" / "dir.csv"), "folder does not exist")


def test_a_pipe_of_junk_is_a_one_line_error_with_no_scene_list(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 80)
    out = tmp_path / "scenes.csv"
    with junk.open("rb") as f:
        result = run_cli("detect", "-", "--csv", out, stdin=f)
    assert_one_line_error(result, "standard input is not readable media")
    assert result.stdout == "" and not out.exists()  # the mistake is the answer: no table, no scene list of it
