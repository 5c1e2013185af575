"""``reprocut split``: from a video to one file per scene with one command, from detect's scene list or detecting first."""

import json
import signal
import subprocess
import time

from helpers import TIMEOUT, assert_one_line_error, decode_frames, reprocut, run_cli


def test_split_cuts_the_scenes_detect_finds(tmp_path, clip_factory):
    clip, labels = clip_factory("split", frames=240, seed=5)
    scenes = tmp_path / "scenes.json"
    assert run_cli("detect", clip, "--json", scenes).returncode == 0
    expected = [(s["start_frame"], s["end_frame"]) for s in json.loads(scenes.read_text())["scenes"]]
    result = run_cli("split", clip, "--out", tmp_path / "shots")  # detects with the same (default) options
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "shots") in result.stdout
    manifest = json.loads((tmp_path / "shots" / "manifest.json").read_text())
    assert len(expected) > 1 and [(f["start_frame"], f["end_frame"]) for f in manifest["files"]] == expected
    assert sum(f["frames"] for f in manifest["files"]) == labels["frames"]
    last = manifest["files"][-1]  # decoded, the file holds as many frames as the manifest says
    assert len(decode_frames(tmp_path / "shots" / last["file"])[0]) == last["frames"]


def test_copy_is_documented_as_not_frame_exact(tmp_path, demo_clip):
    clip, _ = demo_clip
    result = run_cli("split", "--help")
    assert "NOT frame-exact" in result.stdout and "--encode" in result.stdout
    scenes = tmp_path / "scenes.json"
    scenes.write_text(json.dumps({"scenes": [{"start_frame": 0, "end_frame": 100, "start_time": 0, "end_time": 100 / 24},
                                             {"start_frame": 100, "end_frame": 480, "start_time": 100 / 24, "end_time": 20.0}]}))
    result = run_cli("split", clip, "--scenes", scenes, "--out", tmp_path / "out", "--copy")
    assert result.returncode == 0, result.stderr
    assert "keyframe-aligned" in result.stdout
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["mode"] == "copy" and manifest["frame_exact"] is False
    for f in manifest["files"]:  # each file holds its scene and the GOPs around it, as many frames as the manifest says
        assert f["file_start_frame"] <= f["start_frame"] and f["file_end_frame"] >= f["end_frame"]
        assert len(decode_frames(tmp_path / "out" / f["file"])[0]) == f["file_end_frame"] - f["file_start_frame"]


def test_mistakes_are_one_line_errors(tmp_path, demo_clip):
    clip, _ = demo_clip
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_one_line_error(run_cli("split", clip, "--out", a_file), "not a folder")
    assert_one_line_error(run_cli("split", clip, "--out", a_file / "sub"), "not a folder")
    assert_one_line_error(run_cli("split", clip, "--out", "/proc/self"), "not writable")  # even for root
    assert_one_line_error(run_cli("split", clip, "--scenes", a_file, "--out", tmp_path / "o"), "not a scene list")
    assert_one_line_error(run_cli("split", tmp_path / "missing.mp4", "--out", tmp_path / "o"), "no such file")
    assert_one_line_error(run_cli("split", clip, "--out", tmp_path / "o", "--crf", "60"), "--crf")


def test_a_stopped_split_leaves_complete_files_only(tmp_path, demo_clip):
    clip, labels = demo_clip
    scenes = tmp_path / "scenes.json"
    cuts = labels["cuts"]
    bounds = [0, *cuts, labels["frames"]]
    scenes.write_text(json.dumps({"scenes": [{"start_frame": a, "end_frame": b, "start_time": a / 24, "end_time": b / 24}
                                             for a, b in zip(bounds, bounds[1:])]}))
    out = tmp_path / "out"
    # the slowest preset, so that the run is still going when the first file is complete
    proc = subprocess.Popen(reprocut("split", str(clip), "--scenes", str(scenes), "--out", str(out), "--preset", "veryslow"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while not list(out.glob("*scene001*.mp4")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert 1 <= len(manifest["files"]) < len(bounds) - 1
    assert sorted(p.name for p in out.iterdir()) == sorted([f["file"] for f in manifest["files"]] + ["manifest.json"])
    for f in manifest["files"]:
        assert len(decode_frames(out / f["file"])[0]) == f["frames"] == f["end_frame"] - f["start_frame"]
