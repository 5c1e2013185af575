"""The ``reprocut eval`` report, from a hand-built score: every figure and every printed line."""

from __future__ import annotations

import io

from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import (
    ClipScore,
    GradualScore,
    micro,
    score_clip,
)
from reprocut.stream.evaluation.report import (
    clip_report,
    format_text,
    overall_report,
    variant_report,
)
from reprocut.stream.evaluation.runner import ClipRun

# The example of docs/labels.md: 4 cuts, a dissolve, an optional boundary, a dont_care span and
# two hard negatives, and what a detector that reported 9 cuts and 2 transitions scores on it.
LABELS = Labels("harbour", "labels/harbour.json", "clips/harbour.mp4", cuts=(48, 131, 220, 280), gradual=((160, 184),),
                optional=(96,), dont_care=((250, 262),), hard_negatives=((70, 73, "flash"), (200, 214, "whip-pan")),
                fps=25.0, frames=300)
SCORE = ClipScore("harbour", 4, hits=[(48, 48), (131, 133), (220, 221)], misses=[280], false_alarms=[72, 205, 222],
                  ignored=[(98, "optional"), (170, "gradual"), (255, "dont_care")],
                  false_alarm_kinds={"flash": 1, "whip-pan": 1},
                  gradual=GradualScore(found=[(160, 184)], false_alarms=[(60, 66)], detected=2))
# Each detection's signals: the hits rose 2x, 4x and 8x in KL (geometric mean 4), the false alarms 1x, 3x and 9x (3).
KL = {48: 2.0, 133: 4.0, 221: 8.0, 72: 1.0, 205: 3.0, 222: 9.0, 98: 5.0, 170: 5.0, 255: 5.0}


def cut(frame: int) -> CutEvent:
    return CutEvent("0", frame, frame / 25, score=2.5, threshold=1.25, wall=0.0, signals={"kl": KL[frame], "pixel": 1.0})


TRANSITIONS = [TransitionEvent("0", 60, 66, "fade", 2.4, 2.64, 1.25, 0.0), TransitionEvent("0", 158, 180, "dissolve", 6.32, 7.2, 2.0, 0.0)]
RUN = ClipRun(frames=300, cuts=[cut(f) for f in sorted(KL)], transitions=TRANSITIONS)
TIMES = [i / 25 for i in range(300)]


def false_alarm(frame: int, kind: str | None) -> dict:
    return {"frame": frame, "time": round(frame / 25, 3), "score": 2.5, "threshold": 1.25,
            "signals": {"kl": KL[frame], "pixel": 1.0}, "hard_negative": kind}


def test_the_hand_built_score_is_what_the_metrics_give():
    detections = [c.frame for c in RUN.cuts]
    assert score_clip(LABELS, detections, transitions=[(t.start, t.end) for t in TRANSITIONS]) == SCORE


def test_clip_report_carries_every_count_and_every_detection():
    assert clip_report(LABELS, RUN, SCORE, TIMES) == {
        "name": "harbour", "clip": "clips/harbour.mp4", "frames": 300, "labelled_frames": 300,
        "cuts": 4, "detections": 9, "tp": 3, "fp": 3, "fn": 1, "precision": 0.5, "recall": 0.75, "f1": 0.6,
        "gradual": {"labelled": 1, "found": 1, "missed": 0, "detected": 2, "false_alarms": 1, "precision": 0.5, "recall": 1.0,
                    "f1": 0.667, "missed_spans": [], "false_alarm_spans": [[60, 66]]},
        "transitions": [{"start": 60, "end": 66, "kind": "fade", "score": 1.25}, {"start": 158, "end": 180, "kind": "dissolve", "score": 2.0}],
        "hits": [{"label": 48, "frame": 48, "offset": 0}, {"label": 131, "frame": 133, "offset": 2},
                 {"label": 220, "frame": 221, "offset": 1}],
        "misses": [{"frame": 280, "time": 11.2}],
        "false_alarms": [false_alarm(72, "flash"), false_alarm(205, "whip-pan"), false_alarm(222, None)],
        "ignored": [{"frame": 98, "why": "optional"}, {"frame": 170, "why": "gradual"}, {"frame": 255, "why": "dont_care"}],
        "false_alarm_kinds": {"flash": 1, "whip-pan": 1},
        "signals": {"hits": {"kl": 4.0, "pixel": 1.0}, "false_alarms": {"kl": 3.0, "pixel": 1.0}},
    }


def test_a_miss_past_the_decoded_frames_gets_its_time_from_the_labelled_rate():
    report = clip_report(LABELS, RUN, SCORE, TIMES[:200])
    assert report["misses"] == [{"frame": 280, "time": 11.2}]
    assert clip_report(Labels("x", "x.json", "x.mp4", cuts=(280,)), RUN, SCORE, TIMES[:200])["misses"] == [{"frame": 280, "time": None}]


EMPTY = ClipScore("static", 0)  # one shot and nothing detected: no rate is defined


def report() -> dict:
    clips = [clip_report(LABELS, RUN, SCORE, TIMES), clip_report(Labels("static", "static.json", "static.mp4", cuts=()),
                                                                 ClipRun(frames=100, cuts=[]), EMPTY, TIMES[:100])]
    return {"tolerance": 2, "gradual_tolerance": 3, "clips": clips, "overall": overall_report(micro([SCORE, EMPTY]), clips)}


def test_overall_report_adds_up_the_clips():
    assert report()["overall"] == {
        "clips": 2, "cuts": 4, "tp": 3, "fp": 3, "fn": 1, "precision": 0.5, "recall": 0.75, "f1": 0.6,
        "gradual": {"labelled": 1, "found": 1, "missed": 0, "detected": 2, "false_alarms": 1, "precision": 0.5, "recall": 1.0,
                    "f1": 0.667},
        "false_alarm_kinds": {"flash": 1, "whip-pan": 1},
        "signals": {"hits": {"kl": 4.0, "pixel": 1.0}, "false_alarms": {"kl": 3.0, "pixel": 1.0}},
    }


def test_format_text_prints_the_table_misses_false_alarms_and_signals():
    out = io.StringIO()
    format_text(report(), out)
    assert out.getvalue().splitlines() == [
        "clip             frames  cuts  hits  miss    FA      P      R     F1  | gradual  tFA    gF1",
        "-------------------------------------------------------------------------------------------",
        "harbour             300     4     3     1     3   0.50   0.75   0.60  |   1/1      1   0.67",
        "static              100     0     0     0     0      -      -      -  |   0/0      0      -",
        "-------------------------------------------------------------------------------------------",
        "overall (micro)     400     4     3     1     3   0.50   0.75   0.60  |   1/1      1   0.67",
        "",
        "hard cuts matched one-to-one within +-2 frames; detections in gradual/dont_care spans or near optional "
        "boundaries count neither way",
        "gradual: labelled spans found by a detected transition overlapping them within +-3 frames; tFA: transitions "
        "that overlap no labelled span, dont_care span or cut",
        "",
        "missed cuts (1):",
        "  harbour: frame    280     11.200 s",
        "",
        "false alarms (3):",
        "  harbour: frame     72      2.880 s  score 2.50 / 1.25  [hard negative: flash]",
        "  harbour: frame    205      8.200 s  score 2.50 / 1.25  [hard negative: whip-pan]",
        "  harbour: frame    222      8.880 s  score 2.50 / 1.25",
        "",
        "transition false alarms (1):",
        "  harbour: frames 60-66",
        "",
        "false alarms inside hard negatives, by kind:",
        "     1  flash",
        "     1  whip-pan",
        "",
        "each signal's rise over its local average (geometric mean of ratios):",
        "  hits          kl 4.00  pixel 1.00",
        "  false alarms  kl 3.00  pixel 1.00",
    ]


def test_the_ablation_rows_sit_side_by_side_per_clip_and_micro_averaged():
    kl_only = ClipScore("harbour", 4, hits=[(48, 48)], misses=[131, 220, 280], false_alarms=[72])
    rows = [variant_report("default", ("kl", "pix", "hist"), [SCORE, EMPTY], micro([SCORE, EMPTY])),
            variant_report("kl only", ("kl",), [kl_only, EMPTY], micro([kl_only, EMPTY]))]
    assert rows[1] == {"name": "kl only", "signals": ["kl"],
                       "overall": {"tp": 1, "fp": 1, "fn": 3, "precision": 0.5, "recall": 0.25, "f1": 0.333,
                                   "gradual": {"labelled": 0, "found": 0, "missed": 0, "detected": 0, "false_alarms": 0,
                                               "precision": None, "recall": None, "f1": None}},
                       "clips": [{"name": "harbour", "tp": 1, "fp": 1, "fn": 3, "precision": 0.5, "recall": 0.25, "f1": 0.333,
                                  "gradual": rows[1]["overall"]["gradual"]},
                                 {"name": "static", "tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None,
                                  "gradual": rows[1]["overall"]["gradual"]}]}
    out = io.StringIO()
    format_text(report() | {"ablation": rows}, out)
    assert out.getvalue().splitlines()[-10:] == [
        "by signals, micro-averaged (hard cuts | gradual transitions):",
        "  signals           hits    FA  miss      P      R     F1  | found  tFA     gP     gR    gF1",
        "  default              3     3     1   0.50   0.75   0.60  |     1    1   0.50   1.00   0.67",
        "  kl only              1     1     3   0.50   0.25   0.33  |     0    0      -      -      -",
        "",
        "hard-cut F1 per clip by signals (hits/false alarms/misses):",
        "clip                        default             kl only",
        "harbour                0.60 (3/3/1)        0.33 (1/1/3)",
        "static                    - (0/0/0)           - (0/0/0)",
        "overall (micro)        0.60 (3/3/1)        0.33 (1/1/3)",
    ]
