"""``reprocut eval``: precision, recall and F1 of detected cuts and transitions against hand labels.

One clip (``eval VIDEO --labels LABELS.json``) or a dataset folder (``eval --dataset DIR``,
every ``DIR/labels/*.json`` with its clip), one table either way, micro-averaged over clips and
over each family of footage, hard cuts, gradual transitions and the scene list side by side. With
the default signals each clip is also scored with the KL alone and with pix+hist alone (each
signal's contribution); ``--splice N`` also re-cuts each clip's own shots into N new edits with
known cuts and scores those apart (docs/splice.md): ``evaluation/dataset.py`` runs and scores the
clips; this module parses the options and prints. Misses and false alarms are listed with frame
and time so they can be looked at; ``--json`` prints the same report for machines, ``--plot``
draws each clip's score curve.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace

HELP = "score detected cuts and transitions against labels: precision, recall, F1, misses and false alarms"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..evaluation.metrics import EvalConfig
    from ..evaluation.splice import SpliceConfig
    from .options import add_options
    from .pipeline_options import add_pipeline_options

    p.epilog = ("With the default --signals, every clip is also scored with the KL alone and with pix+hist alone, from "
                "the same decode, and the three rows are printed side by side; give --signals to score one set only.")
    p.add_argument("video", nargs="?", help="video to score (labels: --labels, or VIDEO's name with .json)")
    p.add_argument("--labels", metavar="FILE", help="label file (default: VIDEO's name with .json); its format: docs/labels.md in the project")
    p.add_argument("--dataset", metavar="DIR", help="score every DIR/labels/*.json (clip paths relative to DIR)")
    add_options(p, EvalConfig, {"tolerance": {"metavar": "N", "help": "frames a detection may be off a hard cut (default %(default)s)"},
                                "gradual_tolerance": {"metavar": "N", "help": "frames a detected transition may fall short of a "
                                                      "labelled gradual span and still find it (default %(default)s)"}})
    s = p.add_argument_group("spliced edits (docs/splice.md in the project)")
    add_options(s, SpliceConfig, {
        "splice": {"metavar": "N", "help": "also re-cut each labelled clip's own shots into N new edits with known cuts "
                                           "and transitions, and score those apart (default: %(default)s, none)"},
        "seed": {"metavar": "S", "help": "which edits --splice writes: the same seed, the same edits"},
        "workdir": {"metavar": "DIR", "help": "keep the spliced edits and their label files here, a dataset folder of its "
                                              "own (default: a temp dir, removed)"},
        "transition_share": {"metavar": "X", "help": "share of the joins that are generated fades, dissolves and wipes "
                                                     "rather than hard cuts, 0-1"},
        "min_transition": {"metavar": "N", "help": "frames of the shortest generated transition"},
        "max_transition": {"metavar": "N", "help": "frames of the longest generated transition"},
    })
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout, nothing else")
    p.add_argument("--plot", metavar="PNG", help="draw score, threshold, cuts and detections (with --dataset: a folder)")
    add_pipeline_options(p, live=False)  # files only


def _targets(args: argparse.Namespace) -> list:
    from ..core.errors import UsageError
    from ..evaluation.labels import load_dataset, load_labels
    from ..sources.decode import open_video

    if args.tolerance < 0 or args.gradual_tolerance < 0:
        raise UsageError("--tolerance and --gradual-tolerance must be 0 or more frames")
    if args.dataset:
        if args.video or args.labels:
            raise UsageError("give either --dataset DIR or VIDEO [--labels FILE], not both")
        return load_dataset(args.dataset)
    if not args.video and not args.labels:
        raise UsageError("nothing to score: give VIDEO --labels FILE or --dataset DIR")
    if args.video:
        open_video(args.video).close()  # the same one-line errors as detect: missing, directory, empty, not video
    labels = args.labels
    if not labels:
        labels = os.path.splitext(args.video)[0] + ".json"
        if not os.path.isfile(labels):
            raise UsageError(f"{args.video}: no --labels given and no {labels} beside it")
    return [load_labels(labels, video=args.video)]


def run(args: argparse.Namespace) -> int:
    from ..evaluation.dataset import evaluate, evaluate_spliced
    from ..evaluation.metrics import EvalConfig
    from ..evaluation.report import fmt_rate, format_spliced, format_text
    from ..evaluation.splice import SpliceConfig
    from .options import check_output_folders, config_from
    from .pipeline_options import pipeline_config

    targets = _targets(args)
    evaluation = config_from(args, EvalConfig)
    splice = config_from(args, SpliceConfig)
    splice.check()
    each = None
    if args.plot:
        from ..evaluation.plot import _pyplot, plot_clip

        _pyplot()  # fail before the long part if matplotlib is missing
        if args.dataset:
            os.makedirs(args.plot, exist_ok=True)
        else:
            check_output_folders(args.plot)

        def each(labels, run_, score) -> None:
            out = os.path.join(args.plot, labels.name + ".png") if args.dataset else args.plot
            detections = {c.frame: c.score for c in run_.cuts}
            p, r, f1 = (fmt_rate(v) for v in (score.precision, score.recall, score.f1))
            plot_clip(out, run_.trace, labels, score, detections, f"{labels.name}: P {p}  R {r}  F1 {f1}",
                      [(t.start, t.end) for t in run_.transitions])
    config = pipeline_config(args)
    report = evaluate(targets, replace(config, scorer=replace(config.scorer, trace=bool(args.plot))), evaluation, each)
    if splice.splice:
        report["spliced"] = evaluate_spliced(targets, config, evaluation, splice)
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        format_text(report)
        if args.plot:
            print(f"\nplot{'s' if args.dataset else ''}: {args.plot}")
        if splice.splice:
            format_spliced(report["spliced"])
    return 0
