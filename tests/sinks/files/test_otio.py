"""OpenTimelineIO timelines: read back through opentimelineio, the clips' ranges are the scenes."""

import sys
from fractions import Fraction

import pytest
from helpers import assert_one_line_error, require_extra
from reprocut.stream.core.events import TransitionEvent
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.sinks.files.otio import to_otio
from reprocut.stream.sinks.files.timeline import Media


@pytest.fixture
def otio():
    """OpenTimelineIO: the timeline extra, installed by the test command (scripts/setup.sh --test)."""
    return require_extra("opentimelineio")


def clip_ranges(otio, timeline, kind) -> list[tuple[int, int]]:
    """(first frame, frame count) of each clip on the track of ``kind``, at the clips' own rate."""
    (track,) = [t for t in timeline.tracks if t.kind == kind]
    return [(round(c.source_range.start_time.value), round(c.source_range.duration.value)) for c in track
            if isinstance(c, otio.schema.Clip)]


@pytest.mark.parametrize("rate", [Fraction(24), Fraction(24000, 1001), Fraction(30000, 1001)])
def test_round_trip_gives_back_the_scenes(otio, rate):
    scenes = scenes_from_cuts([(17, 0.7), (100, 4.2)], 250, 250 / rate)
    media = Media("clip.mp4", "file:///footage/clip.mp4", rate, 1280, 720, 250, 2, 48000)
    timeline = otio.adapters.read_from_string(to_otio(scenes, media), "otio_json")
    expected = [(s.start_frame, s.end_frame - s.start_frame) for s in scenes]
    for kind in ("Video", "Audio"):
        assert clip_ranges(otio, timeline, kind) == expected
    clip = timeline.tracks[0][1]
    assert clip.source_range.start_time.rate == pytest.approx(float(rate))
    assert clip.media_reference.target_url == media.url
    assert clip.media_reference.available_range.duration.value == 250
    assert [m.marked_range.start_time.value for m in timeline.tracks.markers] == [17, 100]


def test_a_transition_is_a_dissolve_between_the_two_scenes_clips_spanning_its_frames(otio):
    dissolve = TransitionEvent("0", 90, 109, "dissolve", 90 / 24, 109 / 24, 1.4, 0.0)  # middle 100
    scenes = scenes_from_cuts([(17, 17 / 24)], 250, 250 / 24, [dissolve])
    media = Media("clip.mp4", "file:///footage/clip.mp4", Fraction(24), 1280, 720, 250, 2, 48000)
    timeline = otio.adapters.read_from_string(to_otio(scenes, media, [dissolve]), "otio_json")
    video, audio = timeline.tracks
    assert [type(item).__name__ for item in video] == ["Clip", "Clip", "Transition", "Clip"]
    t = video[2]
    assert t.transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve
    assert (t.in_offset.value, t.out_offset.value) == (10, 10)  # frames 90-99 before the boundary, 100-109 after
    assert video.neighbors_of(t) == (video[1], video[3])
    assert clip_ranges(otio, timeline, "Video") == clip_ranges(otio, timeline, "Audio") == [(0, 17), (17, 83), (100, 150)]
    assert all(isinstance(item, otio.schema.Clip) for item in audio)  # sound cuts at the boundary
    assert video.duration().value == 250  # a transition takes no time of its own on the track


def test_media_without_audio_has_no_audio_track(otio):
    scenes = scenes_from_cuts([(5, 0.2)], 10, 0.4)
    timeline = otio.adapters.read_from_string(to_otio(scenes, Media("a.mkv", "file:///a.mkv", Fraction(25), 320, 180, 10)), "otio_json")
    assert [t.kind for t in timeline.tracks] == ["Video"]


def test_without_opentimelineio_detect_says_how_to_install_it(tmp_path):
    import subprocess

    # the package made unimportable, as on an install without the extra
    code = ("import sys; sys.modules['opentimelineio'] = None; from reprocut.stream.cli.main import main; "
            "sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "detect", "demo://?frames=48", "--otio", str(tmp_path / "t.otio")],
                            capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "pip install 'reprocut[timeline]'")
    assert not (tmp_path / "t.otio").exists()
