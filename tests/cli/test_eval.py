"""``reprocut eval`` end to end: generated clips with known cuts, decoded by PyAV, scored by the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import assert_one_line_error, require_extra, run_cli, shared_path
from reprocut.stream.evaluation.labels import load_dataset
from reprocut.stream.evaluation.splice import SpliceConfig
from reprocut.stream.runtime.encoder import default_model_path


@pytest.fixture(scope="module")
def model(request) -> str:
    """The bundled model when this checkout has it (what users run), else a tiny exported one."""
    if os.path.isfile(default_model_path()):
        return default_model_path()
    return str(request.getfixturevalue("tiny_model"))


@pytest.fixture(scope="module")
def clip(clip_factory):
    return clip_factory("eval", frames=240, seed=3)


def eval_json(*args) -> dict:
    result = run_cli("eval", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def baseline(clip, model) -> dict:
    path, _ = clip
    return eval_json(path, "--model", model)


def test_report_accounts_for_every_label_and_detection(clip, baseline):
    _, labels = clip
    [c] = baseline["clips"]
    assert c["frames"] == labels["frames"] == c["labelled_frames"]
    assert c["tp"] + c["fn"] == len(labels["cuts"]) == c["cuts"]
    assert c["tp"] + c["fp"] + len(c["ignored"]) == c["detections"]
    assert c["tp"] > 0
    for hit in c["hits"]:
        assert hit["label"] in labels["cuts"] and abs(hit["offset"]) <= 2
    for miss in c["misses"]:
        assert miss["time"] == pytest.approx(miss["frame"] / labels["fps"], abs=1e-3)
    o = baseline["overall"]
    assert (o["tp"], o["fp"], o["fn"], o["f1"]) == (c["tp"], c["fp"], c["fn"], c["f1"])
    assert baseline["tolerance"] == 2 and baseline["gradual_tolerance"] == 3
    g = c["gradual"]  # the labelled fades (none in this clip), scored against the transitions detected
    assert g["labelled"] == len(labels["gradual"]) and g["found"] + g["missed"] == g["labelled"]
    assert g["detected"] == len(c["transitions"]) and g["false_alarms"] == len(g["false_alarm_spans"]) <= g["detected"]


def test_the_signal_ablation_is_scored_from_the_same_decode_and_matches_a_run_of_its_own(clip, model, baseline):
    path, _ = clip
    rows = {r["name"]: r for r in baseline["ablation"]}
    assert list(rows) == ["default", "kl only", "pix+hist"]
    assert [rows[n]["signals"] for n in rows] == [["kl", "pix", "hist"], ["kl"], ["pix", "hist"]]
    overall = {k: baseline["overall"][k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")}
    assert {k: rows["default"]["overall"][k] for k in overall} == overall
    for name, signals in (("kl only", "kl"), ("pix+hist", "pix,hist")):
        alone = eval_json(path, "--model", model, "--signals", signals)
        assert alone["ablation"] == [] and alone["signals"] == signals.split(",")  # one configuration asked for: one row
        assert {k: alone["overall"][k] for k in overall} == {k: rows[name]["overall"][k] for k in overall}, name
        assert [rows[name]["clips"][0][k] for k in ("tp", "fp", "fn")] == [alone["clips"][0][k] for k in ("tp", "fp", "fn")]


def test_a_labelled_cut_that_is_not_there_is_listed_as_a_miss_with_its_time(tmp_path, clip, model, baseline):
    path, labels = clip
    fake = next(f for f in range(100, 200) if all(abs(f - c) > 5 for c in labels["cuts"])
                and all(abs(f - d["frame"]) > 5 for d in baseline["clips"][0]["false_alarms"]))
    (tmp_path / "l.json").write_text(json.dumps(labels | {"cuts": sorted(labels["cuts"] + [fake])}))
    report = eval_json(path, "--labels", tmp_path / "l.json", "--model", model)
    misses = report["clips"][0]["misses"]
    assert {"frame": fake, "time": pytest.approx(fake / labels["fps"], abs=1e-3)} in misses
    assert report["clips"][0]["fn"] == baseline["clips"][0]["fn"] + 1


def test_an_unlabelled_detection_is_a_false_alarm_counted_by_hard_negative_kind(tmp_path, clip, model, baseline):
    path, labels = clip
    label, frame = baseline["clips"][0]["hits"][0]["label"], baseline["clips"][0]["hits"][0]["frame"]
    edited = labels | {"cuts": [c for c in labels["cuts"] if c != label],
                       "hard_negatives": [[frame - 1, frame + 1, "flash"]]}
    (tmp_path / "l.json").write_text(json.dumps(edited))
    report = eval_json(path, "--labels", tmp_path / "l.json", "--model", model)
    c = report["clips"][0]
    fa = next(f for f in c["false_alarms"] if f["frame"] == frame)
    assert fa["hard_negative"] == "flash"
    assert fa["time"] == pytest.approx(frame / labels["fps"], abs=1e-3)
    assert fa["score"] >= fa["threshold"]
    assert c["false_alarm_kinds"] == {"flash": 1}
    assert report["overall"]["false_alarm_kinds"] == {"flash": 1}


def test_text_table_and_labels_found_beside_the_video(clip, model):
    path, _ = clip
    result = run_cli("eval", path, "--model", model)  # labels: eval.json beside eval.mp4
    assert result.returncode == 0, result.stderr
    assert "overall (micro)" in result.stdout
    assert any(line.startswith("eval ") for line in result.stdout.splitlines())
    assert "hard-cut F1 per clip by signals" in result.stdout
    table = result.stdout.split("by family and signals")[1].split("\n\n")[0].splitlines()
    assert table[2].split()[:3] == ["all", "1", "default"]  # one clip, one family: its rows are those of all clips
    assert [line.split()[0] for line in table[3:]] == ["kl", "pix+hist"]
    assert table[1].split()[-5:] == ["scenes", "sFA", "sP", "sR", "sF1"]  # the scene list beside the cut events


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, clip_factory) -> tuple:
    """A dataset folder of two generated clips of two families; their labels."""
    folder = tmp_path_factory.mktemp("dataset")
    (folder / "clips").mkdir()
    (folder / "labels").mkdir()
    written = {}
    for name, seed, family in (("a", 3, "animation"), ("b", 4, "live action")):
        path, labels = clip_factory(f"ds-{name}", frames=120, seed=seed)
        shutil.copy(path, folder / "clips" / f"{name}.mp4")
        written[name] = labels | {"clip": f"clips/{name}.mp4", "family": family}
        (folder / "labels" / f"{name}.json").write_text(json.dumps(written[name]))
    return folder, written


def test_dataset_folder_gives_one_table_micro_averaged_per_family_and_in_all(dataset, model):
    folder, written = dataset
    report = eval_json("--dataset", folder, "--model", model)
    assert [(c["name"], c["family"]) for c in report["clips"]] == [("a", "animation"), ("b", "live action")]
    for key in ("tp", "fp", "fn", "cuts"):
        assert report["overall"][key] == sum(c[key] for c in report["clips"])
    families = {f["family"]: f for f in report["families"]}
    assert list(families) == ["animation", "live action", "all"]
    for family, clip in (("animation", report["clips"][0]), ("live action", report["clips"][1])):
        row = families[family]["settings"][0]  # one clip: the family's figures are the clip's
        assert [s["name"] for s in families[family]["settings"]] == ["default", "kl only", "pix+hist"]
        assert (row["tp"], row["fp"], row["fn"], row["scenes"]) == (clip["tp"], clip["fp"], clip["fn"],
                                                                   {k: v for k, v in clip["scenes"].items() if not isinstance(v, list)})
    every = families["all"]["settings"]
    assert [(s["tp"], s["fp"], s["fn"]) for s in every] == [(r["overall"]["tp"], r["overall"]["fp"], r["overall"]["fn"])
                                                           for r in report["ablation"]]
    assert every[0]["scenes"]["labelled"] == sum(len(w["cuts"]) + len(w["gradual"]) for w in written.values())


def test_the_scene_list_scored_is_the_one_detect_writes(dataset, model, tmp_path):
    folder, written = dataset
    [clip] = eval_json(folder / "clips" / "a.mp4", "--labels", folder / "labels" / "a.json", "--model", model)["clips"]
    result = run_cli("detect", folder / "clips" / "a.mp4", "--json", tmp_path / "scenes.json", "--model", model)
    assert result.returncode == 0, result.stderr
    scenes = json.loads((tmp_path / "scenes.json").read_text())["scenes"]
    assert clip["scenes"]["starts"] == [s["start_frame"] for s in scenes[1:]]
    s = clip["scenes"]
    assert s["labelled"] == len(written["a"]["cuts"]) + len(written["a"]["gradual"]) == s["found"] + s["missed"]
    assert s["found"] + s["false_alarms"] + len(s["ignored_starts"]) == len(s["starts"])


def test_splice_writes_labelled_edits_of_each_clip_and_scores_them_apart(dataset, model, tmp_path):
    folder, written = dataset
    work = tmp_path / "work"
    report = eval_json("--dataset", folder, "--model", model, "--splice", "1", "--seed", "2", "--workdir", work)
    spliced = report["spliced"]
    assert (spliced["edits_per_clip"], spliced["seed"], spliced["skipped"]) == (1, 2, [])
    assert [(c["name"], c["spliced_from"], c["family"]) for c in spliced["clips"]] == [
        ("a-s2-1", "a", "animation"), ("b-s2-1", "b", "live action")]
    assert [c["name"] for c in report["clips"]] == ["a", "b"]  # the real clips' report is unchanged by it
    offsets = []
    for c in spliced["clips"]:
        labels = json.loads((work / "labels" / f"{c['name']}.json").read_text())
        assert (work / labels["clip"]).is_file() and labels["source"]["spliced_from"] == c["spliced_from"]
        assert (c["cuts"], c["gradual"]["labelled"], c["frames"]) == (len(labels["cuts"]), len(labels["gradual"]), labels["frames"])
        offsets += [h["offset"] for h in c["hits"]]
        # each generated transition: its kind as the edit's label file says, its span, found unless it was missed
        assert [g["kind"] for g in c["generated"]] == [t["kind"] for t in labels["source"]["transitions"]]
        assert [[g["first"], g["last"]] for g in c["generated"]] == labels["gradual"]
        assert [not g["found"] for g in c["generated"]] == [span in c["gradual"]["missed_spans"] for span in labels["gradual"]]
    joins = sum(spliced["joins"].values())
    assert joins == sum(c["cuts"] + c["gradual"]["labelled"] for c in spliced["clips"]) == 2 * (SpliceConfig.segments - 1)
    every = spliced["by_kind"][-1]  # the generated transitions by kind: as many as were written, as many found as scored
    assert every["family"] == "all" and {k: v["labelled"] for k, v in every["kinds"].items()} == {
        k: n for k, n in spliced["joins"].items() if k != "cut"}
    assert sum(v["found"] for v in every["kinds"].values()) == sum(c["gradual"]["found"] for c in spliced["clips"])
    assert len(offsets) > 0.8 * spliced["joins"]["cut"]  # the detector sees the cuts where the labels put them
    assert sorted(offsets)[len(offsets) // 2] == 0
    assert [f["family"] for f in spliced["families"]] == ["animation", "live action", "all"]
    assert [lab.name for lab in load_dataset(str(work))] == ["a-s2-1", "b-s2-1"]  # kept: a dataset folder of its own


def test_splice_generates_transitions_of_the_share_and_lengths_asked(dataset, model, tmp_path):
    """Slow dissolves, or cuts only: the edits' joins follow --transition-share and --min/--max-transition, and the
    report says what was asked."""
    folder, _ = dataset
    work = tmp_path / "work"
    report = eval_json("--dataset", folder, "--model", model, "--splice", "1", "--seed", "2", "--workdir", work,
                       "--transition-share", "1", "--min-transition", "10", "--max-transition", "12")
    spliced = report["spliced"]
    assert spliced["transitions"] == {"share": 1.0, "frames": [10, 12]}
    spans = [g for lab in load_dataset(str(work)) for g in lab.gradual]
    assert len(spans) > spliced["joins"].get("cut", 0)  # a hard cut only where no transition fits
    assert sorted({b - a + 1 for a, b in spans}) == [10, 11, 12]


def test_plot_writes_a_png(tmp_path, clip, model):
    require_extra("matplotlib")
    path, _ = clip
    out = tmp_path / "curve.png"
    result = run_cli("eval", path, "--model", model, "--plot", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_one_clear_line(clip, model):
    path, _ = clip
    code = ("import sys; sys.modules['matplotlib'] = None; from reprocut.stream.cli.main import main; "
            f"sys.exit(main(['eval', {str(path)!r}, '--model', {model!r}, '--plot', 'x.png']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "matplotlib")


@pytest.mark.parametrize("content, needle", [
    ("{cuts: [1]", "not valid JSON"),
    ('{"cuts": [12, -4]}', "frame -4 is negative"),
    ('{"cuts": [12.5]}', "not an integer"),
    ('{"cuts": [5], "gradual": [[9, 3]]}', "ends before it starts"),
    ('{"clip": "nowhere.mp4", "cuts": [5]}', "nowhere.mp4 not found"),
])
def test_bad_labels_are_one_line_errors(tmp_path, content, needle):
    labels = tmp_path / "bad.json"
    labels.write_text(content)
    result = run_cli("eval", "--labels", labels)
    assert_one_line_error(result, needle)


def test_usage_mistakes_are_one_line_errors(tmp_path, clip):
    path, _ = clip
    assert_one_line_error(run_cli("eval"), "nothing to score")
    assert_one_line_error(run_cli("eval", path, "--dataset", tmp_path), "not both")
    assert_one_line_error(run_cli("eval", tmp_path / "none.mp4", "--labels", path.with_suffix(".json")), "no such file")
    assert_one_line_error(run_cli("eval", "--dataset", tmp_path), "no labels/ folder")
    assert_one_line_error(run_cli("eval", path, "--tolerance", "-1"), "--tolerance")
    assert_one_line_error(run_cli("eval", path, "--splice", "-1"), "--splice")
    assert_one_line_error(run_cli("eval", path, "--splice", "1", "--min-transition", "50", "--max-transition", "40"),
                          "1 <= min <= max")
    assert_one_line_error(run_cli("eval", path, "--workdir", tmp_path), "give --splice N")
    lonely = tmp_path / "lonely.mp4"
    shutil.copy(path, lonely)
    assert_one_line_error(run_cli("eval", lonely), "no --labels given")


def test_shared_eval_dataset_scores_every_clip(model):
    folder = shared_path("eval")
    report = eval_json("--dataset", folder, "--model", model)
    names = {c["name"] for c in report["clips"]}
    assert {"testvideo", "goldeneye-vfr-drop3", "counter"} <= names
    for c in report["clips"]:
        assert c["frames"] == c["labelled_frames"], c["name"]  # decoded-frame numbering lines up
    assert report["overall"]["cuts"] == sum(c["cuts"] for c in report["clips"])
    labelled = sum(len(json.loads(p.read_text()).get("gradual", [])) for p in (folder / "labels").glob("*.json"))
    assert report["overall"]["gradual"]["labelled"] == labelled > 0  # every fade, dissolve and wipe is scored
    assert [r["name"] for r in report["ablation"]] == ["default", "kl only", "pix+hist"]
    assert all(len(r["clips"]) == len(report["clips"]) for r in report["ablation"])
    assert [f["family"] for f in report["families"]] == ["animation", "live action", "test pattern", "all"]
    assert sum(f["clips"] for f in report["families"][:-1]) == len(report["clips"])
    scenes = report["overall"]["scenes"]
    assert scenes["labelled"] == report["overall"]["cuts"] + labelled == scenes["found"] + scenes["missed"]
