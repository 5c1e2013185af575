"""The batch manifest: append-only lines that survive a kill, and what a rerun counts as done."""

from __future__ import annotations

import json
import os

from reprocut.stream.batch.inputs import Input
from reprocut.stream.batch.manifest import Manifest, source_stat


def finished(tmp_path, name="ep"):
    """A source, its scene file and an ``ok`` manifest line for it."""
    src = tmp_path / f"{name}.mp4"
    src.write_bytes(b"video")
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / f"{name}.json").write_text("{}")
    item = Input(str(src), name)
    m = Manifest(str(tmp_path / "out"))
    m.append({"path": item.source, "status": "ok", "outputs": {"json": f"{name}.json"}, **source_stat(item.source)})
    m.close()
    return item


def test_an_ok_input_with_its_files_and_unchanged_source_is_done(tmp_path):
    item = finished(tmp_path)
    m = Manifest(str(tmp_path / "out"))
    assert m.done(item, ("json",))
    assert not m.done(item, ("json", "csv"))  # a kind of scene file not written then
    os.utime(item.source, (1, 1))  # the source changed
    assert not m.done(item, ("json",))


def test_a_missing_output_or_a_failure_means_redo(tmp_path):
    item = finished(tmp_path)
    os.remove(tmp_path / "out" / "ep.json")
    assert not Manifest(str(tmp_path / "out")).done(item, ("json",))
    item = finished(tmp_path, "other")
    m = Manifest(str(tmp_path / "out"))
    m.append({"path": item.source, "status": "failed", "outputs": {}})  # the last line of a path counts
    assert not m.done(item, ("json",))


def test_a_line_cut_short_by_a_kill_is_dropped_and_the_rest_kept(tmp_path):
    item = finished(tmp_path)
    path = tmp_path / "out" / "manifest.jsonl"
    with open(path, "a") as f:
        f.write('{"path": "/half/writ')
    m = Manifest(str(tmp_path / "out"))
    assert m.done(item, ("json",))
    m.append({"path": "/next.mp4", "status": "ok", "outputs": {}})
    m.close()
    assert [json.loads(line)["path"] for line in path.read_text().splitlines()] == [item.source, "/next.mp4"]
