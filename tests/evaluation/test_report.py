"""The ``reprocut eval`` report, from a hand-built score: every figure and every printed line."""

from __future__ import annotations

import io

from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.core.scenes import Scene
from reprocut.stream.evaluation.labels import Labels
from reprocut.stream.evaluation.metrics import (
    ClipScore,
    GradualScore,
    SceneScore,
    micro,
    score_clip,
)
from reprocut.stream.evaluation.report import (
    clip_report,
    fmt_rate,
    family_reports,
    format_spliced,
    format_text,
    generated_report,
    kind_reports,
    overall_report,
    variant_report,
)
from reprocut.stream.evaluation.runner import ClipRun

# The example of docs/labels.md: 4 cuts, a dissolve, an optional boundary, a dont_care span and
# two hard negatives, and what a detector that reported 9 cuts and 2 transitions scores on it.
LABELS = Labels("harbour", "labels/harbour.json", "clips/harbour.mp4", cuts=(48, 131, 220, 280), gradual=((160, 184),),
                optional=(96,), dont_care=((250, 262),), hard_negatives=((70, 73, "flash"), (200, 214, "whip-pan")),
                fps=25.0, frames=300, family="live action")
SCORE = ClipScore("harbour", 4, hits=[(48, 48), (131, 133), (220, 221)], misses=[280], false_alarms=[72, 205, 222],
                  ignored=[(98, "optional"), (170, "gradual"), (255, "dont_care")],
                  false_alarm_kinds={"flash": 1, "whip-pan": 1},
                  gradual=GradualScore(found=[(160, 184)], false_alarms=[(60, 66)], detected=2),
                  scenes=SceneScore(cuts=[(48, 48), (131, 133), (220, 221)], gradual=[((160, 184), 169)], missed=[(280, 280)],
                                    false_alarms=[63, 72, 205, 222], ignored=[(98, "optional"), (255, "dont_care")],
                                    labelled_cuts=4, labelled_gradual=1))
# The scene list of that run (docs/labels.md): each transition one start (63, 169), the cut 170 it holds no second one.
STARTS = [0, 48, 63, 72, 98, 133, 169, 205, 221, 222, 255]
# Each detection's signals: the hits rose 2x, 4x and 8x in KL (geometric mean 4), the false alarms 1x, 3x and 9x (3).
KL = {48: 2.0, 133: 4.0, 221: 8.0, 72: 1.0, 205: 3.0, 222: 9.0, 98: 5.0, 170: 5.0, 255: 5.0}


def cut(frame: int) -> CutEvent:
    return CutEvent("0", frame, frame / 25, score=2.5, threshold=1.25, wall=0.0, signals={"kl": KL[frame], "pixel": 1.0})


TRANSITIONS = [TransitionEvent("0", 60, 66, "fade", 2.4, 2.64, 1.25, 0.0), TransitionEvent("0", 158, 180, "dissolve", 6.32, 7.2, 2.0, 0.0)]
RUN = ClipRun(frames=300, cuts=[cut(f) for f in sorted(KL)], transitions=TRANSITIONS,
              scenes=[Scene(a, b, a / 25, b / 25) for a, b in zip(STARTS, STARTS[1:] + [300])])
TIMES = [i / 25 for i in range(300)]


def false_alarm(frame: int, kind: str | None) -> dict:
    return {"frame": frame, "time": round(frame / 25, 3), "score": 2.5, "threshold": 1.25,
            "signals": {"kl": KL[frame], "pixel": 1.0}, "hard_negative": kind}


def test_the_hand_built_score_is_what_the_metrics_give():
    detections = [c.frame for c in RUN.cuts]
    starts = [sc.start_frame for sc in RUN.scenes]
    assert score_clip(LABELS, detections, transitions=[(t.start, t.end) for t in TRANSITIONS], scenes=starts) == SCORE


def test_clip_report_carries_every_count_and_every_detection():
    assert clip_report(LABELS, RUN, SCORE, TIMES) == {
        "name": "harbour", "clip": "clips/harbour.mp4", "family": "live action", "frames": 300, "labelled_frames": 300,
        "cuts": 4, "detections": 9, "tp": 3, "fp": 3, "fn": 1, "precision": 0.5, "recall": 0.75, "f1": 0.6,
        "gradual": {"labelled": 1, "found": 1, "missed": 0, "detected": 2, "false_alarms": 1, "precision": 0.5, "recall": 1.0,
                    "f1": 0.667, "missed_spans": [], "false_alarm_spans": [[60, 66]]},
        "scenes": {"starts": STARTS[1:], "labelled": 5, "found": 4, "missed": 1, "false_alarms": 4, "invented": 0,
                   "cuts_found": 3, "labelled_cuts": 4, "gradual_found": 1, "labelled_gradual": 1,
                   "precision": 0.5, "recall": 0.8, "f1": 0.615, "missed_boundaries": [[280, 280]],
                   "false_alarm_starts": [63, 72, 205, 222], "invented_starts": [],
                   "ignored_starts": [{"frame": 98, "why": "optional"}, {"frame": 255, "why": "dont_care"}]},
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


SCENES = {"labelled": 5, "found": 4, "missed": 1, "false_alarms": 4, "invented": 0, "cuts_found": 3, "labelled_cuts": 4,
          "gradual_found": 1, "labelled_gradual": 1, "precision": 0.5, "recall": 0.8, "f1": 0.615}
EMPTY = ClipScore("static", 0, scenes=SceneScore())  # one shot and nothing detected: no rate is defined


def report() -> dict:
    clips = [clip_report(LABELS, RUN, SCORE, TIMES), clip_report(Labels("static", "static.json", "static.mp4", cuts=()),
                                                                 ClipRun(frames=100, cuts=[]), EMPTY, TIMES[:100])]
    return {"tolerance": 2, "gradual_tolerance": 3, "clips": clips, "overall": overall_report(micro([SCORE, EMPTY]), clips)}


def test_overall_report_adds_up_the_clips():
    assert report()["overall"] == {
        "clips": 2, "cuts": 4, "tp": 3, "fp": 3, "fn": 1, "precision": 0.5, "recall": 0.75, "f1": 0.6,
        "gradual": {"labelled": 1, "found": 1, "missed": 0, "detected": 2, "false_alarms": 1, "precision": 0.5, "recall": 1.0,
                    "f1": 0.667},
        "scenes": SCENES,
        "false_alarm_kinds": {"flash": 1, "whip-pan": 1},
        "signals": {"hits": {"kl": 4.0, "pixel": 1.0}, "false_alarms": {"kl": 3.0, "pixel": 1.0}},
    }


def test_format_text_prints_the_table_misses_false_alarms_and_signals():
    out = io.StringIO()
    format_text(report(), out)
    assert out.getvalue().splitlines() == [
        "clip             family       frames  cuts  hits  miss    FA      P      R     F1  | gradual  tFA    gF1  |  scenes  sFA    sF1",
        "-" * 127,
        "harbour          live action     300     4     3     1     3   0.50   0.75   0.60  |   1/1      1   0.67  |     4/5    4   0.62",
        "static           unspecified     100     0     0     0     0      -      -      -  |   0/0      0      -  |     0/0    0      -",
        "-" * 127,
        "overall (micro)                  400     4     3     1     3   0.50   0.75   0.60  |   1/1      1   0.67  |     4/5    4   0.62",
        "",
        "hard cuts matched one-to-one within +-2 frames; detections in gradual/dont_care spans or near optional "
        "boundaries count neither way",
        "gradual: labelled spans found by a detected transition overlapping them within +-3 frames; tFA: transitions "
        "that overlap no labelled span, dont_care span or cut",
        "scenes: labelled cuts and gradual spans found by the scene list's starts (a transition is one start, the cuts it "
        "holds no second one); sFA: starts that match nothing labelled, a second start in one gradual span included",
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


KL_ONLY = ClipScore("harbour", 4, hits=[(48, 48)], misses=[131, 220, 280], false_alarms=[72],
                   gradual=GradualScore(missed=[(160, 184)]),
                   scenes=SceneScore(cuts=[(48, 48)], missed=[(131, 131), (160, 184), (220, 220), (280, 280)],
                                     false_alarms=[72], labelled_cuts=4, labelled_gradual=1))
SETTINGS = [("default", ("kl", "pix", "hist"), [SCORE, EMPTY]), ("kl only", ("kl",), [KL_ONLY, EMPTY])]


def test_the_ablation_rows_sit_side_by_side_per_clip_and_micro_averaged():
    rows = [variant_report(name, signals, scores, micro(scores)) for name, signals, scores in SETTINGS]
    gradual = {"labelled": 1, "found": 0, "missed": 1, "detected": 0, "false_alarms": 0, "precision": None, "recall": 0.0,
               "f1": 0.0}
    scenes = {"labelled": 5, "found": 1, "missed": 4, "false_alarms": 1, "invented": 0, "cuts_found": 1, "labelled_cuts": 4,
              "gradual_found": 0, "labelled_gradual": 1, "precision": 0.5, "recall": 0.2, "f1": 0.286}
    nothing = {"labelled": 0, "found": 0, "missed": 0, "detected": 0, "false_alarms": 0, "precision": None, "recall": None, "f1": None}
    assert rows[1] == {"name": "kl only", "signals": ["kl"],
                       "overall": {"tp": 1, "fp": 1, "fn": 3, "precision": 0.5, "recall": 0.25, "f1": 0.333,
                                   "gradual": gradual, "scenes": scenes},
                       "clips": [{"name": "harbour", "tp": 1, "fp": 1, "fn": 3, "precision": 0.5, "recall": 0.25, "f1": 0.333,
                                  "gradual": gradual, "scenes": scenes},
                                 {"name": "static", "tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None,
                                  "gradual": nothing, "scenes": {k: None if k in ("precision", "recall", "f1") else 0
                                                                 for k in scenes}}]}
    out = io.StringIO()
    format_text(report() | {"ablation": rows}, out)
    assert out.getvalue().splitlines()[-6:] == [
        "",
        "hard-cut F1 per clip by signals (hits/false alarms/misses):",
        "clip                        default             kl only",
        "harbour                0.60 (3/3/1)        0.33 (1/1/3)",
        "static                    - (0/0/0)           - (0/0/0)",
        "overall (micro)        0.60 (3/3/1)        0.33 (1/1/3)",
    ]


def test_each_family_is_micro_averaged_over_its_own_clips_under_each_setting():
    clips = report()["clips"]
    families = family_reports(clips, SETTINGS)
    assert [(f["family"], f["clips"], f["frames"], f["cuts"], f["gradual"]) for f in families] == [
        ("live action", 1, 300, 4, 1), ("unspecified", 1, 100, 0, 0), ("all", 2, 400, 4, 1)]
    live, static, every = families
    for setting, (name, _, scores) in zip(live["settings"], SETTINGS):  # one clip: its own figures
        assert setting["name"] == name and (setting["tp"], setting["fp"], setting["fn"]) == (scores[0].tp, scores[0].fp, scores[0].fn)
        assert setting["scenes"]["found"] == scores[0].scenes.tp
    assert [s["scenes"]["labelled"] for s in static["settings"]] == [0, 0]
    assert every["settings"][1]["scenes"] == {"labelled": 5, "found": 1, "missed": 4, "false_alarms": 1, "invented": 0,
                                              "cuts_found": 1, "labelled_cuts": 4, "gradual_found": 0, "labelled_gradual": 1,
                                              "precision": 0.5, "recall": 0.2, "f1": 0.286}
    out = io.StringIO()
    format_text(report() | {"families": families}, out)
    assert out.getvalue().splitlines()[-9:] == [
        "",
        "by family and signals, micro-averaged (hard cuts | gradual transitions | scene list):",
        "  family       clips  signals     hits   FA     P     R    F1  | gradual  tFA   gF1  |  scenes  sFA    sP    sR   sF1",
        "  live action      1  default      3/4    3  0.50  0.75  0.60  |     1/1    1  0.67  |     4/5    4  0.50  0.80  0.62",
        "                      kl only      1/4    1  0.50  0.25  0.33  |     0/1    0  0.00  |     1/5    1  0.50  0.20  0.29",
        "  unspecified      1  default      0/0    0     -     -     -  |     0/0    0     -  |     0/0    0     -     -     -",
        "                      kl only      0/0    0     -     -     -  |     0/0    0     -  |     0/0    0     -     -     -",
        "  all              2  default      3/4    3  0.50  0.75  0.60  |     1/1    1  0.67  |     4/5    4  0.50  0.80  0.62",
        "                      kl only      1/4    1  0.50  0.25  0.33  |     0/1    0  0.00  |     1/5    1  0.50  0.20  0.29",
    ]


def test_each_generated_transition_is_found_unless_its_span_was_missed_and_is_counted_by_kind_and_family():
    found, = report()["clips"][:1]  # harbour: its one labelled span (160-184) was found
    missed = found | {"name": "bay", "family": "animation", "gradual": found["gradual"] | {"missed_spans": [[160, 184]]}}
    both = Labels("bay", "bay.json", "bay.mp4", cuts=(), gradual=((10, 30), (160, 184)))
    clips = [found | {"generated": generated_report(found, LABELS, ["wipe"])},
             missed | {"generated": generated_report(missed, both, ["dissolve", "wipe"])}]
    assert clips[1]["generated"] == [{"kind": "dissolve", "first": 10, "last": 30, "found": True},
                                     {"kind": "wipe", "first": 160, "last": 184, "found": False}]
    assert kind_reports(clips) == [
        {"family": "animation", "kinds": {"dissolve": {"labelled": 1, "found": 1}, "wipe": {"labelled": 1, "found": 0}}},
        {"family": "live action", "kinds": {"wipe": {"labelled": 1, "found": 1}}},
        {"family": "all", "kinds": {"dissolve": {"labelled": 1, "found": 1}, "wipe": {"labelled": 2, "found": 1}}},
    ]


def test_spliced_edits_print_apart_with_what_was_written_each_family_and_each_source_clip():
    clips = report()["clips"]
    clips = [clips[0] | {"generated": generated_report(clips[0], LABELS, ["dissolve"])}, clips[1] | {"generated": []}]
    spliced = {"edits_per_clip": 2, "seed": 5, "workdir": None, "joins": {"cut": 30, "dissolve": 4, "wipe": 4},
               "transitions": {"share": 0.2, "frames": [8, 40]},
               "skipped": [{"clip": "still", "why": "fewer than 2 shots"}],
               "clips": [c | {"spliced_from": src} for c, src in zip(clips, ("harbour", "harbour"))],
               "families": family_reports(clips, SETTINGS), "by_kind": kind_reports(clips)}
    out = io.StringIO()
    format_spliced(spliced, out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["", "spliced edits (--splice 2 --seed 5): 2 edits of 1 clips, 38 joins: 30 hard cuts, 8 transitions "
                         "(4 dissolve, 4 wipe; 8-40 frames)", "  not spliced: still: fewer than 2 shots"]
    assert lines[4] == "by family and signals, micro-averaged (hard cuts | gradual transitions | scene list):"
    at = lines.index("generated transitions found, by kind (default):")
    assert lines[at + 1:at + 4] == ["  live action: dissolve 1/1", "  unspecified: none generated", "  all: dissolve 1/1"]
    assert lines[-3:] == [
        "spliced edits by the clip they came from (default):",
        "  spliced from  edits     hits   FA    F1  | gradual  tFA   gF1  |  scenes  sFA   sF1",
        "  harbour           2      3/4    3  0.60  |     1/1    1  0.67  |     4/5    4  0.62",
    ]


def test_rates_print_with_two_digits_halves_rounded_up_and_undefined_as_a_dash():
    assert [fmt_rate(v) for v in (0.615, 8 / 13, 0.5, 1.0, 0.0, 0.004, None)] == ["0.62", "0.62", "0.50", "1.00", "0.00", "0.00", "-"]


def test_the_text_lists_where_the_scene_list_loses_moves_or_invents_a_boundary_the_events_had_right():
    # A transition 98-108 holds the cut 100: the scene starts at its middle, 103, 3 frames off the cut. Two transitions
    # inside the fade 200-230 each start a scene: one finds the fade, the other is invented.
    labels = Labels("moved", "moved.json", "moved.mp4", cuts=(100,), gradual=((200, 230),), fps=25.0)
    starts = [0, 103, 209, 223]
    run = ClipRun(frames=300, cuts=[CutEvent("0", 100, 4.0, score=2.0, threshold=1.0, wall=0.0)],
                  transitions=[TransitionEvent("0", a, b, "dissolve", a / 25, b / 25, 1.0, 0.0)
                               for a, b in ((98, 108), (205, 212), (220, 226))],
                  scenes=[Scene(a, b, a / 25, b / 25) for a, b in zip(starts, starts[1:] + [300])])
    score = score_clip(labels, [100], transitions=[(98, 108), (205, 212), (220, 226)], scenes=starts)
    assert (score.tp, score.fp, score.gradual.tp, score.gradual.fp) == (1, 0, 1, 0)  # the events are right
    clip = clip_report(labels, run, score, TIMES)
    out = io.StringIO()
    format_text({"tolerance": 2, "gradual_tolerance": 3, "clips": [clip], "overall": overall_report(micro([score]), [clip])}, out)
    text = out.getvalue().rstrip("\n").split("\n\n")
    assert "moved            unspecified     300     1     1     0     0   1.00   1.00   1.00  |   1/1      0   1.00  |     1/2" \
           "    2   0.40" in text[0]  # 1 of 2 boundaries, 2 false alarms: F1 2/5
    assert text[2:4] == ["scene list: labelled boundaries the events found but no scene starts at (1):\n  cut 100",
                         "scene list: starts that match nothing labelled, beyond the false alarms above (2):\n"
                         "  frame    103\n  frame    223  [a second start inside a labelled gradual span]"]
