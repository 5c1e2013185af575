"""INPUT expansion for ``reprocut batch``: folders, @lists, names of the scene files, nothing opened."""

from __future__ import annotations

import pytest
from reprocut.stream.core.errors import UsageError
from reprocut.stream.batch.inputs import Input, expand


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return str(path)


def test_a_folder_gives_its_videos_recursively_named_relative_to_it(tmp_path):
    a, b = touch(tmp_path / "show" / "ep1.mkv"), touch(tmp_path / "show" / "s02" / "ep2.MP4")
    touch(tmp_path / "show" / "notes.txt")
    assert expand([str(tmp_path / "show")]) == [Input(a, "ep1"), Input(b, "s02/ep2")]


def test_a_list_file_gives_paths_relative_to_itself_and_urls_as_they_are(tmp_path, monkeypatch):
    clip = touch(tmp_path / "lists" / "clips" / "a.mp4")
    folder_clip = touch(tmp_path / "lists" / "more" / "b.webm")
    (tmp_path / "lists" / "todo.txt").write_text("# comment\nclips/a.mp4\n\n  more  \nhttps://host/v/c.mp4?x=1\n")
    monkeypatch.chdir(tmp_path)  # relative to the list's folder, not to where the command runs
    assert expand(["@lists/todo.txt"]) == [Input(clip, "a"), Input(folder_clip, "b"),
                                           Input("https://host/v/c.mp4?x=1", "c")]


def test_a_missing_path_is_an_input_like_any_other(tmp_path):
    assert expand([str(tmp_path / "gone.mp4")]) == [Input(str(tmp_path / "gone.mp4"), "gone")]


def test_an_unreadable_list_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read the list"):
        expand([f"@{tmp_path / 'absent.txt'}"])


def test_each_input_once_and_colliding_names_made_unique_whatever_the_order(tmp_path):
    a, b = touch(tmp_path / "x" / "ep1.mp4"), touch(tmp_path / "y" / "ep1.mkv")
    first = expand([str(tmp_path / "x"), str(tmp_path / "y"), a])
    assert [i.source for i in first] == [a, b]
    assert len({i.name for i in first}) == 2 and all(i.name.startswith("ep1.") for i in first)
    assert sorted(expand([b, a]), key=lambda i: i.source) == first  # a rerun names each the same
