"""Scene lists from cuts: the shots between consecutive cuts, and their timecodes."""

from fractions import Fraction

import pytest
from reprocut.stream.core.scenes import (
    Scene,
    drop_frame,
    frame_rate,
    scenes_from_cuts,
    smpte,
    timecode,
)


def test_scenes_span_the_media_between_cuts():
    scenes = scenes_from_cuts([(30, 1.25), (75, 3.125)], frames=100, duration=100 / 24)
    assert scenes == [Scene(0, 30, 0.0, 1.25), Scene(30, 75, 1.25, 3.125), Scene(75, 100, 3.125, 100 / 24)]
    assert scenes_from_cuts([], frames=10, duration=1.0) == [Scene(0, 10, 0.0, 1.0)]


def test_timecodes():
    assert timecode(3725.5) == "01:02:05.500"
    assert smpte(1476, 24) == "00:01:01:12"
    assert smpte(1476, 24000 / 1001) == "00:01:01:12"  # 23.976 is counted at 24 without dropping


@pytest.mark.parametrize("fps, frame, expected", [
    # 29.97 drop-frame: frame numbers 00 and 01 are skipped at every minute except each tenth
    (30000 / 1001, 0, "00:00:00;00"), (30000 / 1001, 1799, "00:00:59;29"), (30000 / 1001, 1800, "00:01:00;02"),
    (30000 / 1001, 3598, "00:02:00;02"), (30000 / 1001, 17981, "00:09:59;29"), (30000 / 1001, 17982, "00:10:00;00"),
    (30000 / 1001, 107892, "01:00:00;00"), (29.97, 1800, "00:01:00;02"),
    # 59.94 drop-frame: four numbers skipped
    (60000 / 1001, 3599, "00:00:59;59"), (60000 / 1001, 3600, "00:01:00;04"), (60000 / 1001, 35964, "00:10:00;00"),
    (60000 / 1001, 215784, "01:00:00;00"),
    # whole rates never drop
    (30, 1800, "00:01:00:00"), (25, 90000, "01:00:00:00"),
])
def test_drop_frame_timecode_known_values(fps, frame, expected):
    assert smpte(frame, fps) == expected


def test_frame_rates_are_the_exact_rationals_editors_use():
    assert frame_rate(24000 / 1001) == frame_rate(23.976) == Fraction(24000, 1001)
    assert frame_rate(29.97) == frame_rate(2997 / 100) == Fraction(30000, 1001)
    assert frame_rate(25.0) == 25 and frame_rate(12.5) == Fraction(25, 2)
    assert drop_frame(29.97) and drop_frame(59.94) and not drop_frame(23.976) and not drop_frame(30)
