"""FCPXML timelines: the structure Final Cut Pro and Resolve import, with every time on the source's frame grid."""

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.sinks.files.fcpxml import to_fcpxml
from reprocut.stream.sinks.files.timeline import Media

RATES = {"24": Fraction(24), "23.976": Fraction(24000, 1001), "29.97": Fraction(30000, 1001)}


def seconds(value: str) -> Fraction:
    """An FCPXML time ("1001/24000s", "5s") as a fraction of seconds."""
    assert value.endswith("s"), value
    return Fraction(value[:-1])


def check_timeline(text: str, scenes: list, rate: Fraction, media: Media) -> None:
    """``text`` is an FCPXML 1.9 timeline of ``scenes``: one asset-clip each, times equal to the scenes' frames."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n')
    root = ET.fromstring(text)
    assert root.tag == "fcpxml" and float(root.get("version")) >= 1.8
    fmt, asset = root.find("resources/format"), root.find("resources/asset")
    assert seconds(fmt.get("frameDuration")) == 1 / rate
    assert (int(fmt.get("width")), int(fmt.get("height"))) == (media.width, media.height)
    assert asset.get("format") == fmt.get("id") and asset.find("media-rep").get("src") == media.url
    assert seconds(asset.get("duration")) == media.frames / rate
    sequence = root.find("library/event/project/sequence")
    assert sequence.get("format") == fmt.get("id")
    assert sequence.get("tcFormat") == ("DF" if rate == Fraction(30000, 1001) else "NDF")
    clips = sequence.findall("spine/asset-clip")
    assert len(clips) == len(scenes)
    offset = 0
    for clip, scene in zip(clips, scenes):
        assert clip.get("ref") == asset.get("id")
        assert seconds(clip.get("start")) == scene.start_frame / rate
        assert seconds(clip.get("duration")) == (scene.end_frame - scene.start_frame) / rate
        assert seconds(clip.get("offset")) == offset / rate
        offset += scene.end_frame - scene.start_frame
    assert seconds(sequence.get("duration")) == offset / rate
    # a marker on the first frame of every scene after a cut
    assert [seconds(c.find("marker").get("start")) for c in clips[1:]] == [s.start_frame / rate for s in scenes[1:]]
    assert clips[0].find("marker") is None


@pytest.mark.parametrize("name", RATES)
def test_times_equal_the_scenes_at_the_source_rate(name):
    rate = RATES[name]
    scenes = scenes_from_cuts([(17, 17 / rate), (100, 100 / rate), (1001, 1001 / rate)], 1500, 1500 / rate)
    media = Media("clip.mp4", "file:///footage/clip.mp4", rate, 1920, 1080, 1500, 2, 48000)
    text = to_fcpxml(scenes, media)
    check_timeline(text, scenes, rate, media)
    root = ET.fromstring(text)
    asset = root.find("resources/asset")
    assert (asset.get("hasAudio"), asset.get("audioChannels"), asset.get("audioRate")) == ("1", "2", "48000")
    assert root.find("library/event/project/sequence").get("audioRate") == "48k"


def test_media_without_audio_says_so():
    scenes = scenes_from_cuts([(5, 0.2)], 10, 0.4)
    root = ET.fromstring(to_fcpxml(scenes, Media("a.mkv", "file:///a.mkv", Fraction(25), 321, 181, 10)))
    assert root.find("resources/asset").get("hasAudio") == "0"
    assert root.find("library/event/project/sequence").get("audioRate") is None
