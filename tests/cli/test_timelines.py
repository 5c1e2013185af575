"""``detect --otio --fcpxml``: timelines an editor opens, whose clips are the scenes ``detect --json`` lists."""

import json
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from helpers import run_cli


def test_detect_writes_timelines_of_its_scenes(tmp_path, cut_clip):
    otio = pytest.importorskip("opentimelineio", reason="the timeline extra (pip install 'reprocut[timeline]') is not installed")
    rate = Fraction(24000, 1001)
    clip, _ = cut_clip("ntsc_film_audio", cuts=[60, 110], frames=160, rate=rate, audio_rate=48000)
    out = {k: tmp_path / f"scenes.{k}" for k in ("json", "otio", "fcpxml")}
    result = run_cli("detect", clip, *(a for k, p in out.items() for a in (f"--{k}", p)))
    assert result.returncode == 0, result.stderr
    scenes = [(s["start_frame"], s["end_frame"] - s["start_frame"]) for s in json.loads(out["json"].read_text())["scenes"]]
    assert len(scenes) > 1

    timeline = otio.adapters.read_from_file(str(out["otio"]))
    for track in timeline.tracks:  # video, and audio: the clip has sound
        assert [(round(c.source_range.start_time.value), round(c.source_range.duration.value)) for c in track] == scenes
        assert track[0].source_range.start_time.rate == pytest.approx(float(rate))
    assert [t.kind for t in timeline.tracks] == ["Video", "Audio"]
    assert timeline.tracks[0][0].media_reference.target_url == clip.resolve().as_uri()

    root = ET.parse(out["fcpxml"]).getroot()
    assert root.find("resources/format").get("frameDuration") == "1001/24000s"
    assert root.find("resources/asset").get("hasAudio") == "1"
    clips = root.findall("library/event/project/sequence/spine/asset-clip")
    assert [(Fraction(c.get("start")[:-1]) * rate, Fraction(c.get("duration")[:-1]) * rate) for c in clips] == scenes
