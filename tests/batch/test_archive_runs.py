"""``reprocut batch`` end to end: real worker processes, a real local Ray instance, a SIGKILL and a rerun."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import REPROCUT, TIMEOUT, model_args, require_extra, run_cli
from reprocut.stream.core.events import TransitionEvent
from reprocut.stream.core.reconcile import boundaries
from reprocut.stream.runtime.encoder import default_model_path


def manifest(out) -> list[dict]:
    """The complete lines of ``out``'s manifest (a kill may leave the last one cut short)."""
    path = out / "manifest.jsonl"
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()]


def check_run(result, out, labelled, broken, missing) -> dict[str, dict]:
    """One manifest line per input; every clip's labelled cuts and scene files; the broken and missing failed."""
    assert result.returncode == 1, result.stderr
    lines = manifest(out)
    by_path = {r["path"]: r for r in lines}
    assert len(lines) == len(by_path) == len(labelled) + 2
    for path, (cuts, fades) in labelled.items():
        r = by_path[path]
        assert (r["status"], r["cut_frames"], r["cuts"], r["frames"], r["error"]) == ("ok", cuts, len(cuts), 120, None)
        found = [(t["start"], t["end"]) for t in r["transitions"]]
        assert len(found) == len(fades) and all(abs(a - s) <= 3 and abs(b - e) <= 3 for (a, b), (s, e) in zip(found, fades)), found
        scenes = json.loads((out / r["outputs"]["json"]).read_text())["scenes"]
        assert [s["start_frame"] for s in scenes] == sorted([0, *cuts] + [(a + b + 1) // 2 for a, b in found])
        assert (out / r["outputs"]["csv"]).read_text().startswith("Timecode List:")
        assert r["size"] == os.path.getsize(path)
    assert by_path[os.path.join(os.path.dirname(broken), "s01", "ep2.mp4")]["outputs"]["json"] == "s01/ep2.json"
    for bad, why in ((broken, "not a readable video"), (missing, "no such file")):
        assert by_path[bad]["status"] == "failed" and why in by_path[bad]["error"] and by_path[bad]["outputs"] == {}
        assert f"failed: {bad}" in result.stdout
    assert f"{len(labelled) + 2} inputs: {len(labelled)} ok, 2 failed" in result.stdout
    return by_path


def mtimes(out, records) -> dict[str, int]:
    return {r["path"]: os.stat(out / r["outputs"]["json"]).st_mtime_ns for r in records if r["status"] == "ok"}


def test_local_workers_find_the_labelled_cuts_and_a_rerun_redoes_only_the_failed(tmp_path, archive):
    inputs, labelled, broken, missing = archive
    out = tmp_path / "scenes"
    first = check_run(run_cli("batch", *inputs, "--out", out, "--workers", "2", *model_args()), out, labelled, broken, missing)
    before = mtimes(out, first.values())
    again = run_cli("batch", *inputs, "--out", out, *model_args())
    assert again.returncode == 1 and "0 ok, 2 failed, 3 done before" in again.stdout
    lines = manifest(out)
    assert len(lines) == len(first) + 2 and {r["path"] for r in lines[len(first):]} == {broken, missing}
    assert mtimes(out, first.values()) == before


def test_a_rerun_redoes_what_other_settings_or_formats_change_says_why_and_keeps_the_formats(tmp_path, clip_factory):
    """Resume keys on what decides a result: other scoring options or other model bytes redo a video, with a warning
    that says what changed; the same model under another name does not; a format added is written beside the
    others (all of them rewritten), and a later run without it finds everything done."""
    folder, out = tmp_path / "clips", tmp_path / "scenes"
    folder.mkdir()
    shutil.copyfile(clip_factory("archive-1", frames=120, seed=1)[0], folder / "ep1.mp4")
    bundled = Path(default_model_path()).read_bytes()
    (tmp_path / "copy.onnx").write_bytes(bundled)
    (tmp_path / "mine.onnx").write_bytes(bundled + b"\x32\x04mine")  # a doc string appended: other bytes, still a model

    def batch(*args) -> subprocess.CompletedProcess:
        result = run_cli("batch", folder, "--out", out, "--workers", "1", *args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        return result

    batch("--model", tmp_path / "copy.onnx")
    assert manifest(out)[0]["settings"]["options"] == {}
    stamp = mtimes(out, manifest(out))
    result = batch("--min-scene-len", "1.0")  # the bundled model, under its own name: the same bytes
    assert "1 ok (1 done again), 0 failed, 0 done before" in result.stdout
    assert result.stderr.splitlines() == ["WARNING: 1 video done before: made with other settings "
                                          "(scorer.decider.min_scene_len default -> 1.0); doing it again"]
    line = manifest(out)[-1]
    assert line["settings"]["options"] == {"scorer.decider.min_scene_len": 1.0} and mtimes(out, [line]) != stamp
    scenes = json.loads((out / "ep1.json").read_text())["scenes"]
    found = [TransitionEvent("0", t["start"], t["end"], t["kind"], 0.0, 0.0, 0.0, 0.0) for t in line["transitions"]]
    assert [s["start_frame"] for s in scenes] == [0] + [f for f, _ in boundaries([(c, 0.0) for c in line["cut_frames"]], found)]
    result = batch("--min-scene-len", "1.0")
    assert "0 ok, 0 failed, 1 done before" in result.stdout and result.stderr == ""
    result = batch("--min-scene-len", "1.0", "--model", tmp_path / "mine.onnx")
    assert "1 ok (1 done again)" in result.stdout and len(result.stderr.splitlines()) == 1
    assert "made with other settings (model " in result.stderr
    result = batch("--min-scene-len", "1.0", "--model", tmp_path / "mine.onnx", "--edl")
    assert "1 ok (1 done again)" in result.stdout and result.stderr == ""  # asked for: no warning
    assert manifest(out)[-1]["outputs"] == {"edl": "ep1.edl", "json": "ep1.json", "csv": "ep1.csv"}
    assert all((out / f"ep1.{kind}").stat().st_size > 0 for kind in ("edl", "json", "csv"))
    result = batch("--min-scene-len", "1.0", "--model", tmp_path / "mine.onnx")
    assert "0 ok, 0 failed, 1 done before" in result.stdout


def test_ray_tasks_give_the_same_results(tmp_path, archive):
    require_extra("ray")
    inputs, labelled, broken, missing = archive
    out = tmp_path / "scenes"
    result = run_cli("batch", *inputs, "--out", out, "--ray", "--workers", "2", *model_args())
    check_run(result, out, labelled, broken, missing)
    assert [line for line in result.stderr.splitlines() if " reprocut." not in line] == []  # Ray says nothing


def test_a_run_killed_with_sigkill_resumes_without_redoing_finished_videos(tmp_path, clip_factory):
    folder, out = tmp_path / "clips", tmp_path / "scenes"
    folder.mkdir()
    for seed in (1, 2, 4, 5):
        shutil.copyfile(clip_factory(f"archive-{seed}", frames=120, seed=seed)[0], folder / f"ep{seed}.mp4")
    cmd = [*REPROCUT, "batch", str(folder), "--out", str(out), "--workers", "1", *model_args()]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT
    while not manifest(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = manifest(out)
    assert 1 <= len(done) < 4, "the run must be killed mid-way"
    psutil.wait_procs(workers, timeout=10)
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]  # no orphan decoding on
    before = mtimes(out, done)

    result = run_cli("batch", str(folder), "--out", out, *model_args())
    assert result.returncode == 0, result.stderr
    lines = manifest(out)
    assert sorted(r["path"] for r in lines) == sorted(str(p) for p in folder.iterdir())  # each video once, none redone
    assert all(r["status"] == "ok" for r in lines)
    assert mtimes(out, done) == before
    assert f"{4 - len(done)} ok, 0 failed, {len(done)} done before" in result.stdout


def test_ray_not_installed_is_one_line_that_says_how_to_install_it(tmp_path, archive):
    inputs, *_ = archive
    code = ("import sys; sys.modules['ray'] = None; from reprocut.stream.cli.main import main; "
            f"sys.exit(main(['batch', *{inputs!r}, '--out', {str(tmp_path / 'o')!r}, '--ray']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "reprocut batch: error: --ray needs Ray, which is not installed (pip install 'reprocut[ray]')"]
    assert not (tmp_path / "o").exists()  # said before any work


def busy_worker(proc: subprocess.Popen, marker: str, videos: set[str]) -> tuple[psutil.Process, str]:
    """A descendant of ``proc`` whose command line holds ``marker``, that is using the CPU and has one of
    ``videos`` (file names) open: detecting it, its task not returned. Returns it and that video's name."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        for child in psutil.Process(proc.pid).children(recursive=True):
            try:
                if marker in " ".join(child.cmdline()) and child.cpu_percent(0.2) > 20:
                    reading = {Path(f.path).name for f in child.open_files()} & videos
                    if reading:
                        return child, reading.pop()
            except psutil.NoSuchProcess:
                pass
    raise AssertionError(f"no busy worker ({marker}) with a video open appeared")


@pytest.mark.parametrize("mode", ["local", "ray"])
def test_a_worker_killed_mid_video_is_replaced_and_its_video_done_again(tmp_path, clip_factory, mode):
    if mode == "ray":
        require_extra("ray")
    folder, out = tmp_path / "clips", tmp_path / "scenes"
    folder.mkdir()
    for seed in (1, 2):
        # long, not big: quick to render, and busy long enough to be caught now that a file run starts fast
        long = clip_factory(f"archive-long-{seed}", frames=1200, seed=seed, width=160, height=90)
        shutil.copyfile(long[0], folder / f"ep{seed}.mp4")
    extra = ["--ray", "--workers", "1"] if mode == "ray" else ["--workers", "1"]
    proc = subprocess.Popen([*REPROCUT, "batch", str(folder), "--out", str(out), *extra, *model_args()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        worker, video = busy_worker(proc, "ray::detect_task" if mode == "ray" else "spawn_main", {"ep1.mp4", "ep2.mp4"})
        worker.kill()
        stdout, stderr = proc.communicate(timeout=TIMEOUT * 2)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    # The worker died with ``video`` open, its task not returned: that video is done only if it ran again.
    assert "2 inputs: 2 ok, 0 failed" in stdout
    assert {r["path"]: r["status"] for r in manifest(out)}[str(folder / video)] == "ok"
    if mode == "local":
        assert "its worker process died; trying again" in stderr
    assert sorted(r["path"] for r in manifest(out)) == sorted(str(p) for p in folder.iterdir())
