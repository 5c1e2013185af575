"""The batch manifest: append-only lines that survive a kill, and what a rerun counts as done or does again."""

from __future__ import annotations

import json
import os
from dataclasses import replace

from reprocut.stream.batch.inputs import Input
from reprocut.stream.batch.manifest import Manifest, Todo, source_stat
from reprocut.stream.batch.settings import changes, settings_of
from reprocut.stream.batch.work import Job
from reprocut.stream.core.decider import DeciderConfig
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.runtime.pipeline import PipelineConfig

MODEL = "9f" * 32
SETTINGS = settings_of(Job(), MODEL)


def job(min_scene_len: float) -> Job:
    return Job(pipeline=PipelineConfig(scorer=ScorerConfig(decider=DeciderConfig(min_scene_len=min_scene_len))))


def finished(tmp_path, name="ep", kinds=("json",), settings=SETTINGS):
    """A source, its scene files and an ``ok`` manifest line for it."""
    src = tmp_path / f"{name}.mp4"
    src.write_bytes(b"video")
    (tmp_path / "out").mkdir(exist_ok=True)
    for kind in kinds:
        (tmp_path / "out" / f"{name}.{kind}").write_text("{}")
    item = Input(str(src), name)
    m = Manifest(str(tmp_path / "out"))
    m.append({"path": item.source, "status": "ok", "outputs": {k: f"{name}.{k}" for k in kinds}, **source_stat(item.source),
              "settings": settings})
    m.close()
    return item


def test_an_ok_input_with_its_files_settings_and_unchanged_source_is_done(tmp_path):
    item = finished(tmp_path)
    m = Manifest(str(tmp_path / "out"))
    assert m.plan(item, SETTINGS, ("json",)) is None
    assert m.plan(item, SETTINGS, ("csv",)) == Todo(item, ("csv", "json"), "no csv scene file yet")  # added, json kept
    os.utime(item.source, (1, 1))  # the source changed
    assert m.plan(item, SETTINGS, ("json",)) == Todo(item, ("json",))


def test_other_settings_redo_a_video_with_every_format_it_had_and_say_what_changed(tmp_path):
    item = finished(tmp_path, kinds=("json", "edl"))
    other = settings_of(job(1.0), MODEL)
    assert other["options"] == {"scorer.decider.min_scene_len": 1.0} and other["id"] != SETTINGS["id"]
    plan = Manifest(str(tmp_path / "out")).plan(item, other, ("json", "csv"))
    assert plan == Todo(item, ("json", "csv", "edl"), "made with other settings (scorer.decider.min_scene_len default -> 1.0)",
                        changed=True)
    assert changes(other, settings_of(job(0.5), "ab" * 32)) == "model 9f9f9f9f -> abababab, scorer.decider.min_scene_len 1.0 -> 0.5"
    assert changes(None, SETTINGS) == "its line records no settings (made by an older reprocut)"


def test_what_decides_no_result_is_no_setting():
    fast = replace(Job(threads=4), pipeline=PipelineConfig(device="cpu", batch=16, every_frame=True, max_delay_ms=10))
    assert settings_of(fast, MODEL) == SETTINGS
    assert settings_of(Job(kinds=("edl",)), MODEL) == SETTINGS  # formats are the line's outputs
    assert settings_of(Job(), "ab" * 32)["id"] != SETTINGS["id"]
    assert json.loads(json.dumps(SETTINGS)) == SETTINGS  # as it is read back from the manifest


def test_a_missing_output_or_a_failure_means_redo(tmp_path):
    item = finished(tmp_path)
    os.remove(tmp_path / "out" / "ep.json")
    assert Manifest(str(tmp_path / "out")).plan(item, SETTINGS, ("json",)) == Todo(item, ("json",), "no json scene file yet")
    item = finished(tmp_path, "other")
    m = Manifest(str(tmp_path / "out"))
    m.append({"path": item.source, "status": "failed", "outputs": {}})  # the last line of a path counts
    assert m.plan(item, SETTINGS, ("json",)) == Todo(item, ("json",))


def test_a_line_cut_short_by_a_kill_is_dropped_and_the_rest_kept(tmp_path):
    item = finished(tmp_path)
    path = tmp_path / "out" / "manifest.jsonl"
    with open(path, "a") as f:
        f.write('{"path": "/half/writ')
    m = Manifest(str(tmp_path / "out"))
    assert m.plan(item, SETTINGS, ("json",)) is None
    m.append({"path": "/next.mp4", "status": "ok", "outputs": {}})
    m.close()
    assert [json.loads(line)["path"] for line in path.read_text().splitlines()] == [item.source, "/next.mp4"]
