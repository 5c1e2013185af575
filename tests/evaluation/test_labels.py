"""Label files: the format of docs/labels.md, and one clear error for each way to get it wrong."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from helpers import ROOT, shared_path
from reprocut.stream.core.errors import UsageError
from reprocut.stream.evaluation.labels import (
    frame_times,
    load_dataset,
    load_labels,
    parse_labels,
)
from reprocut.stream.evaluation.metrics import score_clip

FULL = {
    "clip": "clips/x.mp4",
    "fps": 25,
    "frames": 720,
    "cuts": [180, 30],
    "gradual": [[210, 242]],
    "optional": [2],
    "dont_care": [[263, 263]],
    "hard_negatives": [[100, 104, "flash"], [300, 310]],
    "notes": "how the labels were judged",
    "source": {"repo": "somewhere"},
    "family": " live action ",
}


def test_the_documented_format_parses_completely():
    lab = parse_labels(FULL, "x.json", "x.mp4")
    assert lab.name == "x"
    assert lab.cuts == (30, 180)  # sorted
    assert lab.gradual == ((210, 242),)
    assert lab.optional == (2,)
    assert lab.dont_care == ((263, 263),)
    assert lab.hard_negatives == ((100, 104, "flash"), (300, 310, "unspecified"))
    assert (lab.fps, lab.frames) == (25.0, 720)
    assert lab.family == "live action"


def test_the_example_of_docs_labels_md_parses_and_scores_as_the_page_says():
    [block] = re.findall(r"```json\n(.*?)```", (ROOT / "docs" / "labels.md").read_text(), re.S)
    lab = parse_labels(json.loads(block), "labels/harbour.json", "clips/harbour.mp4")
    assert (lab.name, lab.fps, lab.frames, lab.cuts, lab.family) == ("harbour", 25.0, 300, (48, 131, 220, 280), "live action")
    starts = [48, 63, 72, 98, 133, 169, 205, 221, 222, 255]  # the scene list the page derives from the same run
    score = score_clip(lab, [48, 72, 98, 133, 170, 205, 221, 222, 255], transitions=[(60, 66), (158, 180)], scenes=starts)
    assert score.hits == [(48, 48), (131, 133), (220, 221)]
    assert score.misses == [280]
    assert score.false_alarms == [72, 205, 222]
    assert score.ignored == [(98, "optional"), (170, "gradual"), (255, "dont_care")]
    assert score.false_alarm_kinds == {"flash": 1, "whip-pan": 1}
    assert (score.gradual.found, score.gradual.false_alarms, score.gradual.f1) == ([(160, 184)], [(60, 66)], pytest.approx(2 / 3))
    assert (score.precision, score.recall, score.f1) == (0.5, 0.75, 0.6)
    sc = score.scenes
    assert (sc.cuts, sc.gradual, sc.missed) == ([(48, 48), (131, 133), (220, 221)], [((160, 184), 169)], [(280, 280)])
    assert (sc.false_alarms, sc.ignored, sc.invented) == ([63, 72, 205, 222], [(98, "optional"), (255, "dont_care")], [])
    assert (sc.precision, sc.recall, sc.f1) == (0.5, 0.8, pytest.approx(8 / 13))
    invented = score_clip(lab, [], scenes=sorted(starts + [176])).scenes
    assert (invented.false_alarms, invented.invented) == ([63, 72, 176, 205, 222], [176])


def test_optional_keys_may_be_absent_and_fps_may_be_free_text():
    lab = parse_labels({"cuts": [], "fps": "variable (~16)"}, "y.json")
    assert lab.family == ""  # reported as "unspecified"
    assert lab.cuts == () and lab.gradual == () and lab.hard_negatives == ()
    assert lab.fps is None and lab.frames is None


@pytest.mark.parametrize("data, needle", [
    ({"cuts": [10, -1]}, "frame -1 is negative"),
    ({"cuts": [10.5]}, "frame 10.5 is not an integer"),
    ({"cuts": ["10"]}, "is not an integer"),
    ({"cuts": [True]}, "is not an integer"),
    ({"cuts": 10}, "'cuts' must be a list"),
    ({"cuts": [10, 10]}, "frame 10 twice"),
    ({"gradual": [[1, 2]]}, "no 'cuts' key"),
    ({"cuts": [], "gradual": [[5, 2]]}, "ends before it starts"),
    ({"cuts": [], "gradual": [[5]]}, "not a [first, last] span"),
    ({"cuts": [], "dont_care": [[1, 2, 3]]}, "not a [first, last] span"),
    ({"cuts": [], "hard_negatives": [[1, 2, 3]]}, "kind must be a string"),
    ({"cuts": [], "optional": [-4]}, "'optional': frame -4 is negative"),
    ({"cuts": [700], "frames": 700}, "past the end of the clip"),
    ({"cuts": [], "frames": -1}, "'frames': frame -1 is negative"),
    ({"cuts": [], "family": ["anime"]}, "'family' must be a short text"),
    ([1, 2], "expected a JSON object"),
])
def test_invalid_labels_name_file_key_and_value(data, needle):
    with pytest.raises(UsageError) as err:
        parse_labels(data, "bad.json")
    message = str(err.value)
    assert message.startswith("bad.json: ")
    assert needle in message
    assert "\n" not in message


def test_files_that_are_not_json_or_not_there(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"cuts": [1, 2,')
    with pytest.raises(UsageError, match=r"bad.json: not valid JSON \(line 1"):
        load_labels(str(bad))
    with pytest.raises(UsageError, match="label file not found"):
        load_labels(str(tmp_path / "missing.json"))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UsageError, match="binary.json"):
        load_labels(str(binary))


def test_clip_resolves_beside_the_label_file_as_reprocut_demo_writes_it(clip_factory):
    path, _ = clip_factory("labels-demo", frames=48, seed=2)
    lab = load_labels(str(path.with_suffix(".json")))
    assert lab.clip == str(path)
    assert lab.frames == 48


def test_missing_clip_and_missing_clip_key_are_usage_errors(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"clip": "gone.mp4", "cuts": []}))
    with pytest.raises(UsageError, match="clip .*gone.mp4 not found"):
        load_labels(str(tmp_path / "a.json"))
    (tmp_path / "b.json").write_text(json.dumps({"cuts": []}))
    with pytest.raises(UsageError, match="no 'clip' key; give the video too"):
        load_labels(str(tmp_path / "b.json"))


def test_dataset_layout_and_its_errors(tmp_path, clip_factory):
    path, _ = clip_factory("labels-dataset", frames=48, seed=5)
    with pytest.raises(UsageError, match="dataset folder not found"):
        load_dataset(str(tmp_path / "nope"))
    with pytest.raises(UsageError, match="no labels/ folder"):
        load_dataset(str(tmp_path))
    (tmp_path / "labels").mkdir()
    with pytest.raises(UsageError, match="holds no .json label files"):
        load_dataset(str(tmp_path))
    (tmp_path / "clips").mkdir()
    shutil.copy(path, tmp_path / "clips" / "one.mp4")
    data = json.loads(path.with_suffix(".json").read_text())
    (tmp_path / "labels" / "one.json").write_text(json.dumps(data | {"clip": "clips/one.mp4"}))
    [lab] = load_dataset(str(tmp_path))
    assert lab.name == "one" and lab.clip == str(tmp_path / "clips" / "one.mp4")
    (tmp_path / "labels" / "two.json").write_text(json.dumps({"cuts": [1]}))
    with pytest.raises(UsageError, match="two.json: no 'clip' key"):
        load_dataset(str(tmp_path))


def test_frame_times_of_a_constant_rate_clip(clip_factory):
    path, labels = clip_factory("labels-times", frames=48, seed=3)
    times = frame_times(str(path))
    assert len(times) == 48
    assert times == pytest.approx([i / labels["fps"] for i in range(48)], abs=1e-3)


def test_frame_times_count_decoded_frames_on_every_shared_clip():
    """Variable frame rate and edit lists included: one time per decoded frame, as the labels count."""
    for lab in load_dataset(str(shared_path("eval"))):
        times = frame_times(lab.clip)
        assert len(times) == lab.frames, lab.name
        assert times == sorted(times) and times[0] >= 0.0, lab.name
