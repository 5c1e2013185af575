"""``detect --otio --fcpxml`` and ``batch --otio --fcpxml``: timelines an editor opens, whose clips are the
scenes ``--json`` lists."""

import json
import shutil
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from helpers import require_extra, run_cli

RATE = Fraction(24000, 1001)


@pytest.fixture
def film(cut_clip):
    """A 23.976 fps clip with sound and two cuts."""
    clip, _ = cut_clip("ntsc_film_audio", cuts=[60, 110], frames=160, rate=RATE, audio_rate=48000)
    return clip


@pytest.fixture
def otio():
    """OpenTimelineIO: the timeline extra, installed by the test command (scripts/setup.sh --test)."""
    return require_extra("opentimelineio")


def check_timelines(otio, out: dict, clip) -> None:
    """The OTIO and FCPXML files in ``out`` hold one clip per scene of the JSON scene list, on the source's frame grid."""
    scenes = [(s["start_frame"], s["end_frame"] - s["start_frame"]) for s in json.loads(out["json"].read_text())["scenes"]]
    assert len(scenes) > 1

    timeline = otio.adapters.read_from_file(str(out["otio"]))
    for track in timeline.tracks:  # video, and audio: the clip has sound
        assert [(round(c.source_range.start_time.value), round(c.source_range.duration.value)) for c in track] == scenes
        assert track[0].source_range.start_time.rate == pytest.approx(float(RATE))
    assert [t.kind for t in timeline.tracks] == ["Video", "Audio"]
    assert timeline.tracks[0][0].media_reference.target_url == clip.resolve().as_uri()

    root = ET.parse(out["fcpxml"]).getroot()
    assert root.find("resources/format").get("frameDuration") == "1001/24000s"
    assert root.find("resources/asset").get("hasAudio") == "1"
    clips = root.findall("library/event/project/sequence/spine/asset-clip")
    assert [(Fraction(c.get("start")[:-1]) * RATE, Fraction(c.get("duration")[:-1]) * RATE) for c in clips] == scenes


def test_detect_writes_timelines_of_its_scenes(tmp_path, film, otio):
    out = {k: tmp_path / f"scenes.{k}" for k in ("json", "otio", "fcpxml")}
    result = run_cli("detect", film, *(a for k, p in out.items() for a in (f"--{k}", p)))
    assert result.returncode == 0, result.stderr
    check_timelines(otio, out, film)


def test_batch_writes_a_timeline_per_video(tmp_path, film, otio):
    series = tmp_path / "series"
    series.mkdir()
    clip = shutil.copyfile(film, series / "ep1.mp4")
    result = run_cli("batch", series, "--out", tmp_path / "out", "--workers", "1", "--json", "--otio", "--fcpxml")
    assert result.returncode == 0, result.stderr
    line = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert line["outputs"] == {k: f"ep1.{k}" for k in ("json", "otio", "fcpxml")}
    check_timelines(otio, {k: tmp_path / "out" / f"ep1.{k}" for k in ("json", "otio", "fcpxml")}, clip)
