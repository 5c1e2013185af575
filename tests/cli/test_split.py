"""``reprocut split``: from a video to one file per scene with one command, from detect's scene list or detecting first."""

import json
import signal
import subprocess
import time

import numpy as np
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
    # (the complete file's name: the one being written is hidden, ".NAME.part.mp4", and pathlib's glob sees it)
    while not list(out.glob("[!.]*scene001*.mp4")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert 1 <= len(manifest["files"]) < len(bounds) - 1
    assert sorted(p.name for p in out.iterdir()) == sorted([f["file"] for f in manifest["files"]] + ["manifest.json"])
    for f in manifest["files"]:
        assert len(decode_frames(out / f["file"])[0]) == f["frames"] == f["end_frame"] - f["start_frame"]


def write_dissolve_clip(path, frames: int = 96, dissolve: tuple[int, int] = (30, 41), cut: int = 70) -> list[np.ndarray]:
    """Three flat-coloured shots, each with a moving square: a cross-dissolve from the first to the second over
    frames ``dissolve`` (inclusive), a hard cut to the third at ``cut``. Returns the colour of each shot."""
    import av

    colours = [np.array(c, np.float32) for c in ((200, 40, 40), (40, 60, 200), (40, 190, 60))]
    start, end = dissolve
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        video.options = {"crf": "12", "preset": "veryfast"}
        for i in range(frames):
            mix = min(max((i - start + 1) / (end - start + 2), 0.0), 1.0)  # 0 before the dissolve, 1 after it
            colour = colours[2] if i >= cut else (1 - mix) * colours[0] + mix * colours[1]
            img = np.empty((96, 160, 3), np.uint8)
            img[:] = colour.round().astype(np.uint8)
            x = i * 3 % 140
            img[40:52, x:x + 12] = 255
            container.mux(video.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        container.mux(video.encode(None))
    return colours


def test_trim_transitions_leaves_the_dissolve_frames_out_of_the_files(tmp_path):
    from reprocut.stream.core.events import TransitionEvent
    from reprocut.stream.core.scenes import scenes_from_cuts
    from reprocut.stream.sinks.files.scene_files import to_json

    clip = tmp_path / "dissolve.mp4"
    colours = write_dissolve_clip(clip)
    dissolve = TransitionEvent("0", 30, 41, "dissolve", 30 / 24, 41 / 24, 1.5, 0.0)  # as detect reports it: middle 36
    scenes = scenes_from_cuts([(70, 70 / 24)], 96, 4.0, [dissolve])
    (tmp_path / "scenes.json").write_text(to_json(scenes, str(clip), 24.0, [dissolve]))
    for trim in (False, True):
        out = tmp_path / ("trimmed" if trim else "whole")
        result = run_cli("split", clip, "--scenes", tmp_path / "scenes.json", "--out", out, *(["--trim-transitions"] if trim else []))
        assert result.returncode == 0, result.stderr
        files = json.loads((out / "manifest.json").read_text())["files"]
        if not trim:
            assert [(f["start_frame"], f["end_frame"]) for f in files] == [(0, 36), (36, 70), (70, 96)]
            continue
        assert [(f["scene"], f["start_frame"], f["end_frame"]) for f in files] == [(1, 0, 30), (2, 42, 70), (3, 70, 96)]
        for f, colour in zip(files, colours):  # every picture of each file is its own shot's, none a blend
            pictures, _ = decode_frames(out / f["file"])
            assert len(pictures) == f["frames"] == f["end_frame"] - f["start_frame"]
            corners = np.array([p[:30, :30].reshape(-1, 3).mean(0) for p in pictures])
            assert np.abs(corners - colour).max() < 12, (f["file"], np.abs(corners - colour).max())
    assert "--trim-transitions" in run_cli("split", "--help").stdout
