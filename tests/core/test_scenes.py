"""Scene lists from cuts: the shots between consecutive cuts, and their timecodes."""

from reprocut.stream.core.scenes import Scene, scenes_from_cuts, smpte, timecode


def test_scenes_span_the_media_between_cuts():
    scenes = scenes_from_cuts([(30, 1.25), (75, 3.125)], frames=100, duration=100 / 24)
    assert scenes == [Scene(0, 30, 0.0, 1.25), Scene(30, 75, 1.25, 3.125), Scene(75, 100, 3.125, 100 / 24)]
    assert scenes_from_cuts([], frames=10, duration=1.0) == [Scene(0, 10, 0.0, 1.0)]


def test_timecodes():
    assert timecode(3725.5) == "01:02:05.500"
    assert smpte(61.5, 24) == "00:01:01:12"
