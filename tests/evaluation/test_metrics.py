"""Matching detections to labelled cuts: the rules of docs/labels.md, edge cases included."""

from __future__ import annotations

import pytest
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import assign, match, micro, prf, score_clip, score_scenes


def labels(cuts=(), **kw) -> Labels:
    return Labels(name=kw.pop("name", "clip"), source="clip.json", clip="clip.mp4", cuts=tuple(cuts), **kw)


def test_rates_are_undefined_rather_than_invented_when_there_is_nothing_to_count():
    assert prf(0, 0, 0) == (None, None, None)
    s = score_clip(labels(), [])
    assert (s.tp, s.fp, s.fn) == (0, 0, 0)
    assert (s.precision, s.recall, s.f1) == (None, None, None)


def test_no_detections_misses_every_cut():
    s = score_clip(labels([10, 50]), [])
    assert s.misses == [10, 50]
    assert (s.precision, s.recall, s.f1) == (None, 0.0, 0.0)


def test_detections_in_a_single_shot_clip_are_all_false_alarms():
    s = score_clip(labels(), [5, 40])
    assert s.false_alarms == [5, 40]
    assert (s.precision, s.recall, s.f1) == (0.0, None, 0.0)


def test_tolerance_is_inclusive_and_configurable():
    assert score_clip(labels([100]), [102]).tp == 1
    assert score_clip(labels([100]), [98]).tp == 1
    assert score_clip(labels([100]), [103]).tp == 0
    assert score_clip(labels([100]), [101], tolerance=0).tp == 0
    assert score_clip(labels([100]), [100], tolerance=0).tp == 1
    with pytest.raises(ValueError):
        match([1], [1], -1)


def test_two_detections_of_one_cut_give_one_hit_and_one_false_alarm():
    s = score_clip(labels([10]), [10, 11])
    assert s.hits == [(10, 10)]
    assert s.false_alarms == [11]
    assert (s.precision, s.recall) == (0.5, 1.0)


def test_the_detection_on_the_cut_is_the_hit_when_two_crowd_it():
    s = score_clip(labels([10]), [8, 10])
    assert s.hits == [(10, 10)]
    assert s.false_alarms == [8]


def test_one_detection_cannot_match_two_cuts():
    s = score_clip(labels([10, 12]), [11])
    assert s.tp == 1 and s.fn == 1 and s.fp == 0


def test_matching_maximises_hits_where_nearest_first_would_not():
    # Nearest-first would give cut 10 the detection at 11 and leave cut 12 without one.
    s = score_clip(labels([10, 12]), [8, 11])
    assert s.hits == [(10, 8), (12, 11)]
    assert s.misses == [] and s.false_alarms == []


def test_matching_is_order_independent_and_handles_long_lists():
    cuts = list(range(10, 10_000, 7))
    dets = [c + (i % 5) - 2 for i, c in enumerate(cuts)][::-1]
    s = score_clip(labels(cuts), dets)
    assert s.tp == len(cuts) and s.fp == 0 and s.fn == 0


def test_gradual_spans_neither_reward_nor_punish_hard_cut_scoring_but_are_scored_on_their_own():
    lab = labels([100], gradual=((40, 60), (200, 230)))
    s = score_clip(lab, [45, 100])
    assert s.ignored == [(45, "gradual")]
    assert s.false_alarms == []
    assert s.precision == 1.0
    assert s.gradual.found == [] and s.gradual.missed == [(40, 60), (200, 230)]  # a cut detection finds no transition
    assert (s.gradual.precision, s.gradual.recall, s.gradual.f1) == (None, 0.0, 0.0)


def test_a_transition_finds_the_labelled_span_it_overlaps_within_three_frames():
    lab = labels([100], gradual=((40, 60), (200, 230), (300, 310)))
    s = score_clip(lab, [100], transitions=[(61, 70), (180, 197), (240, 250)])
    assert s.gradual.found == [(40, 60), (200, 230)]  # 61-70 touches 40-60; 180-197 ends 3 frames before 200
    assert s.gradual.missed == [(300, 310)]
    assert s.gradual.false_alarms == [(240, 250)]  # 10 frames past 200-230
    assert s.gradual.detected == 3
    assert (s.gradual.precision, s.gradual.recall, s.gradual.f1) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)  # the hard-cut figures do not see transitions
    assert score_clip(lab, [], transitions=[(180, 197)], gradual_tolerance=2).gradual.found == []


def test_a_transition_over_a_hard_cut_or_a_dont_care_span_is_no_false_alarm_and_finds_nothing():
    lab = labels([100], gradual=((40, 60),), dont_care=((150, 170),))
    s = score_clip(lab, [], transitions=[(95, 98), (160, 175), (400, 410)])
    assert s.gradual.false_alarms == [(400, 410)] and s.gradual.found == []
    assert (s.gradual.precision, s.gradual.f1) == (0.0, 0.0)


def test_a_hard_cut_beside_a_gradual_span_still_takes_its_detection():
    s = score_clip(labels([61], gradual=((40, 60),)), [60])
    assert s.hits == [(61, 60)]
    assert s.ignored == []


def test_dont_care_and_optional_boundaries_are_neither_hits_nor_false_alarms():
    lab = labels([100], dont_care=((10, 12),), optional=(300,))
    s = score_clip(lab, [11, 298, 303, 100])
    assert s.ignored == [(11, "dont_care"), (298, "optional")]
    assert s.false_alarms == [303]  # 3 frames from the optional boundary: outside the tolerance
    assert s.tp == 1 and s.fn == 0


def test_false_alarms_inside_hard_negatives_are_counted_by_kind():
    lab = labels([100], hard_negatives=((20, 22, "flash"), (50, 80, "camera shake"), (90, 95, "flash")))
    s = score_clip(lab, [21, 60, 70, 91, 140])
    assert s.false_alarm_kinds == {"flash": 2, "camera shake": 2}
    assert s.fp == 5


def test_micro_average_weighs_every_cut_not_every_clip():
    a = score_clip(labels([10, 20, 30, 40], name="a"), [10, 20, 30, 40])  # F1 1.0
    b = score_clip(labels([10], name="b"), [50])  # F1 0.0
    t = micro([a, b])
    assert (t.tp, t.fp, t.fn, t.cuts, t.clips) == (4, 1, 1, 5, 2)
    assert t.precision == pytest.approx(0.8)
    assert t.recall == pytest.approx(0.8)
    assert t.f1 == pytest.approx(0.8)  # a macro average would say 0.5


def test_micro_totals_of_gradual_and_hard_negative_kinds():
    a = score_clip(labels(gradual=((1, 5),), hard_negatives=((20, 30, "smear"),)), [3, 25], transitions=[(2, 6), (60, 70)])
    b = score_clip(labels(gradual=((1, 5), (9, 12)), hard_negatives=((0, 99, "smear"),)), [50])
    t = micro([a, b])
    assert (t.gradual.tp, t.gradual.fp, t.gradual.fn, t.gradual.detected) == (1, 1, 2, 2)
    assert t.gradual.recall == pytest.approx(1 / 3) and t.gradual.precision == pytest.approx(1 / 2)
    assert t.false_alarm_kinds == {"smear": 2}


def test_micro_over_no_clips_is_empty_not_an_error():
    t = micro([])
    assert (t.clips, t.f1, t.gradual.recall, t.gradual.f1) == (0, None, None, None)


def test_assignment_pairs_points_with_the_windows_that_hold_them_as_many_as_possible_then_closest():
    # Window 0 holds 5 and 7, window 1 only 7: the most pairs give 7 to window 1, though it is nearer window 0's centre.
    assert assign([(0, 10, 7), (6, 20, 13)], [5, 7, 30]) == ([(0, 5), (1, 7)], [], [30])
    assert assign([(0, 10, 5)], [4, 5, 6]) == ([(0, 5)], [], [4, 6])
    assert assign([(0, 3, 1), (50, 60, 55)], []) == ([], [0, 1], [])


def test_scene_list_finds_each_labelled_cut_and_each_gradual_span_once():
    lab = labels([50, 120], gradual=((200, 230),))
    s = score_scenes(lab, [0, 51, 118, 215])  # frame 0 opens the first scene: no boundary
    assert (s.cuts, s.gradual, s.missed, s.false_alarms) == ([(50, 51), (120, 118)], [((200, 230), 215)], [], [])
    assert (s.tp, s.fp, s.fn, s.f1) == (3, 0, 0, 1.0)
    assert score_scenes(lab, [50, 120, 197]).gradual == [((200, 230), 197)]  # 3 frames early: within the gradual tolerance
    assert score_scenes(lab, [50, 120, 196]).missed == [(200, 230)]
    assert score_scenes(lab, [50, 120, 196]).false_alarms == [196]


def test_a_second_start_in_one_fade_is_an_invented_boundary_and_two_cuts_merged_into_one_start_lose_one():
    lab = labels([100, 102], gradual=((200, 230),))
    s = score_scenes(lab, [101, 212, 226])
    assert s.cuts == [(100, 101)] and s.missed == [(102, 102)]  # merged: one start for two labelled cuts
    assert s.gradual == [((200, 230), 212)] and s.false_alarms == [226] and s.invented == [226]  # 212 is nearer the middle
    assert (s.precision, s.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    # the cut-event scoring ignores a detection inside a gradual span; the scene list does not
    assert score_clip(lab, [100, 102, 205]).ignored == [(205, "gradual")]


def test_scene_list_pairs_a_start_with_the_cut_beside_a_fade_when_that_finds_both():
    # Nearest-to-the-middle first would give 103 to the span (middle 103) and leave the cut at 104 without a start.
    s = score_scenes(labels([104], gradual=((96, 110),)), [103, 108])
    assert s.cuts == [(104, 103)] and s.gradual == [((96, 110), 108)] and s.fp == 0


def test_scene_starts_in_dont_care_spans_or_near_optional_boundaries_count_neither_way():
    s = score_scenes(labels([10], dont_care=((40, 50),), optional=(80,)), [10, 45, 82, 83])
    assert s.ignored == [(45, "dont_care"), (82, "optional")]
    assert s.false_alarms == [83] and s.invented == []
    assert score_clip(labels([10]), [10]).scenes is None  # not given: not scored


def test_micro_adds_up_the_scene_lists_of_the_clips_that_had_theirs_scored():
    a = score_clip(labels([10, 20], name="a"), [10], scenes=[10, 60])
    b = score_clip(labels([10], gradual=((30, 40),), name="b"), [10], scenes=[10, 35, 38])
    t = micro([a, b, score_clip(labels([5], name="c"), [5])])
    assert (t.scenes.tp, t.scenes.fp, t.scenes.fn) == (3, 2, 1)
    assert (t.scenes.labelled_cuts, t.scenes.labelled_gradual, t.scenes.invented) == (3, 1, [38])
    assert micro([score_clip(labels([5]), [5])]).scenes is None
