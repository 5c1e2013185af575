"""Matching detections to labelled cuts: the rules of docs/labels.md, edge cases included."""

from __future__ import annotations

import pytest
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import match, micro, prf, score_clip


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
