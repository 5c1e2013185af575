"""Scene lists from cuts: the shots between consecutive cuts, and their timecodes."""

from fractions import Fraction

import pytest
from reprocut.stream.core.events import TransitionEvent
from reprocut.stream.core.scenes import (
    Scene,
    drop_frame,
    frame_rate,
    openings,
    scenes_from_cuts,
    smpte,
    timecode,
    trim_transitions,
)


def test_scenes_span_the_media_between_cuts():
    scenes = scenes_from_cuts([(30, 1.25), (75, 3.125)], frames=100, duration=100 / 24)
    assert scenes == [Scene(0, 30, 0.0, 1.25), Scene(30, 75, 1.25, 3.125), Scene(75, 100, 3.125, 100 / 24)]
    assert scenes_from_cuts([], frames=10, duration=1.0) == [Scene(0, 10, 0.0, 1.0)]


def fade(start: int, end: int) -> TransitionEvent:
    return TransitionEvent("0", start, end, "fade", start / 25, end / 25, 1.5, 0.0)


def test_a_transition_is_one_boundary_at_the_cut_it_holds_or_at_its_middle_frame():
    # a fade over 40-49 (middle 45) that ends on a cut into the next shot (the frame after it); a hard cut at 80
    scenes = scenes_from_cuts([(50, 2.0), (80, 3.2)], frames=100, duration=4.0, transitions=[fade(40, 49)])
    assert [(s.start_frame, s.end_frame) for s in scenes] == [(0, 50), (50, 80), (80, 100)]
    # with no cut, at its middle, at a time between those of its first and last frames
    scenes = scenes_from_cuts([(80, 3.2)], frames=100, duration=4.0, transitions=[fade(40, 49)])
    assert [(s.start_frame, s.end_frame) for s in scenes] == [(0, 45), (45, 80), (80, 100)]
    assert scenes[1].start_time == pytest.approx(45 / 25)
    # a one-frame transition's middle is that frame; one at the very start makes a first scene of its first half
    assert [(s.start_frame, s.end_frame) for s in scenes_from_cuts([], 100, 4.0, [fade(30, 30)])] == [(0, 30), (30, 100)]
    assert [(s.start_frame, s.end_frame) for s in scenes_from_cuts([], 100, 4.0, [fade(0, 13)])] == [(0, 7), (7, 100)]


def test_a_span_that_holds_two_cuts_keeps_both_as_scenes():
    """A dissolve cannot hold two hard cuts: the scenes between them stay in the list."""
    scenes = scenes_from_cuts([(42, 42 / 25), (47, 47 / 25)], frames=100, duration=4.0, transitions=[fade(40, 49)])
    assert [(s.start_frame, s.end_frame) for s in scenes] == [(0, 42), (42, 47), (47, 100)]


def test_each_transition_that_is_a_boundary_opens_the_scene_that_starts_there():
    """What the EDL, OTIO and JSON writers need: which scene each transition leads into. A fade that ends on a cut
    opens the scene starting at that cut, a dissolve with no cut the one at its middle; a span holding two cuts
    opens none (both of its scenes start with a cut)."""
    ending, dissolve, dense = fade(40, 49), fade(60, 79), fade(90, 99)
    scenes = scenes_from_cuts([(50, 2.0), (92, 3.68), (97, 3.88)], 120, 4.8, [ending, dissolve, dense])
    assert [s.start_frame for s in scenes] == [0, 50, 70, 92, 97]
    assert openings(scenes, [ending, dissolve, dense]) == {50: ending, 70: dissolve}


def test_trimming_leaves_the_transition_frames_out_and_keeps_every_scene_in_its_place():
    transitions = [fade(0, 13), fade(40, 49)]
    scenes = scenes_from_cuts([(80, 3.2)], frames=100, duration=4.0, transitions=transitions)
    trimmed = trim_transitions(scenes, transitions, fps=25)
    assert [(s.start_frame, s.end_frame) for s in trimmed] == [(14, 14), (14, 40), (50, 80), (80, 100)]  # the fade-in alone: empty
    assert trimmed[1].start_time == pytest.approx(14 / 25) and trimmed[1].end_time == pytest.approx(40 / 25)
    assert trimmed[2].start_time == pytest.approx(50 / 25) and trimmed[3] == scenes[3]
    assert trim_transitions(scenes, [], fps=25) == scenes


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
