"""``reprocut eval``: precision, recall and F1 of detected cuts against hand labels.

One clip (``eval VIDEO --labels LABELS.json``) or a dataset folder (``eval --dataset DIR``,
every ``DIR/labels/*.json`` with its clip), one table either way, micro-averaged over clips.
Misses and false alarms are listed with frame and time so they can be looked at; ``--json``
prints the same report for machines, ``--plot`` draws each clip's score curve.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field, replace

from .detect import add_source_arguments, pipeline_config

HELP = "score detected cuts against labels: precision, recall, F1, misses and false alarms"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", nargs="?", help="video to score (labels: --labels, or VIDEO's name with .json)")
    p.add_argument("--labels", metavar="FILE", help="label file (format: shared/eval/README.md)")
    p.add_argument("--dataset", metavar="DIR", help="score every DIR/labels/*.json (clip paths relative to DIR)")
    p.add_argument("--tolerance", type=int, default=2, help="frames a detection may be off a hard cut (default 2)")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout, nothing else")
    p.add_argument("--plot", metavar="PNG", help="draw score, threshold, cuts and detections (with --dataset: a folder)")
    add_source_arguments(p)


@dataclass
class ClipRun:
    """What reprocut found in one clip."""

    frames: int
    cuts: list  # CutEvent
    trace: list[tuple[int, float, float]] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the run, model loading excluded


def detect_clip(clip: str, config, encoder=None) -> ClipRun:
    """Run the pipeline over one file and collect its cut events (``encoder`` shared between clips)."""
    import time

    from ..events import CutEvent, EndEvent
    from ..pipeline import Pipeline

    pipeline = Pipeline([clip], config, encoder=encoder)
    cuts, end = [], None
    start = time.perf_counter()
    for event in pipeline.run():
        if isinstance(event, CutEvent):
            cuts.append(event)
        elif isinstance(event, EndEvent):
            end = event
    seconds = time.perf_counter() - start
    scorer = pipeline.scorers[0]
    return ClipRun(end.frames if end else 0, cuts, list(getattr(scorer, "trace", []) or []), seconds)


def _num(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _time(times: list[float], frame: int, fps: float | None) -> float | None:
    if 0 <= frame < len(times):
        return round(times[frame], 3)
    return round(frame / fps, 3) if fps else None


def _geo_means(rows: list[dict[str, float]]) -> dict[str, float]:
    """Geometric mean of each signal's ratio: how much each signal rose at these detections."""
    keys = sorted({k for r in rows for k in r})
    out = {}
    for k in keys:
        vals = [r[k] for r in rows if k in r and r[k] and r[k] > 0]
        if vals:
            out[k] = round(math.exp(sum(math.log(v) for v in vals) / len(vals)), 3)
    return out


def clip_report(labels, run: ClipRun, score, times: list[float]) -> dict:
    by_frame = {c.frame: c for c in run.cuts}
    hit_frames = {d for _, d in score.hits}

    def negative(frame: int) -> str | None:
        return next((k for a, b, k in labels.hard_negatives if a <= frame <= b), None)

    return {
        "name": labels.name,
        "clip": labels.clip,
        "frames": run.frames,
        "labelled_frames": labels.frames,
        "cuts": score.cuts,
        "detections": len(run.cuts),
        "tp": score.tp, "fp": score.fp, "fn": score.fn,
        "precision": _num(score.precision), "recall": _num(score.recall), "f1": _num(score.f1),
        "gradual_found": len(score.gradual_found), "gradual_total": len(score.gradual_found) + len(score.gradual_missed),
        "gradual_missed": [list(s) for s in score.gradual_missed],
        "hits": [{"label": t, "frame": d, "offset": d - t} for t, d in score.hits],
        "misses": [{"frame": f, "time": _time(times, f, labels.fps)} for f in score.misses],
        "false_alarms": [
            {"frame": f, "time": round(by_frame[f].time, 3) if f in by_frame else _time(times, f, labels.fps),
             "score": _num(by_frame[f].score) if f in by_frame else None,
             "threshold": _num(by_frame[f].threshold) if f in by_frame else None,
             "signals": by_frame[f].signals if f in by_frame else {}, "hard_negative": negative(f)}
            for f in score.false_alarms
        ],
        "ignored": [{"frame": f, "why": why} for f, why in score.ignored],
        "false_alarm_kinds": score.false_alarm_kinds,
        "signals": {
            "hits": _geo_means([by_frame[d].signals for d in hit_frames if d in by_frame]),
            "false_alarms": _geo_means([by_frame[f].signals for f in score.false_alarms if f in by_frame]),
        },
    }


def overall_report(totals, clips: list[dict]) -> dict:
    hits, fas = [], []
    for c in clips:
        if c["signals"]["hits"]:
            hits += [c["signals"]["hits"]] * c["tp"]
        if c["signals"]["false_alarms"]:
            fas += [c["signals"]["false_alarms"]] * c["fp"]
    return {
        "clips": totals.clips, "cuts": totals.cuts, "tp": totals.tp, "fp": totals.fp, "fn": totals.fn,
        "precision": _num(totals.precision), "recall": _num(totals.recall), "f1": _num(totals.f1),
        "gradual_found": totals.gradual_found, "gradual_total": totals.gradual_total,
        "gradual_recall": _num(totals.gradual_recall),
        "false_alarm_kinds": totals.false_alarm_kinds,
        "signals": {"hits": _geo_means(hits), "false_alarms": _geo_means(fas)},
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_text(report: dict, out=sys.stdout) -> None:
    clips = report["clips"]
    width = max([len("overall (micro)")] + [len(c["name"]) for c in clips])
    head = f"{'clip':<{width}}  {'frames':>6}  {'cuts':>4}  {'hits':>4}  {'miss':>4}  {'FA':>4}  {'P':>5}  {'R':>5}  {'F1':>5}  {'gradual':>7}"
    print(head, file=out)
    print("-" * len(head), file=out)
    for c in clips:
        print(f"{c['name']:<{width}}  {c['frames']:>6}  {c['cuts']:>4}  {c['tp']:>4}  {c['fn']:>4}  {c['fp']:>4}  "
              f"{_fmt(c['precision']):>5}  {_fmt(c['recall']):>5}  {_fmt(c['f1']):>5}  "
              f"{c['gradual_found']:>3}/{c['gradual_total']:<3}", file=out)
    o = report["overall"]
    print("-" * len(head), file=out)
    print(f"{'overall (micro)':<{width}}  {sum(c['frames'] for c in clips):>6}  {o['cuts']:>4}  {o['tp']:>4}  {o['fn']:>4}  {o['fp']:>4}  "
          f"{_fmt(o['precision']):>5}  {_fmt(o['recall']):>5}  {_fmt(o['f1']):>5}  {o['gradual_found']:>3}/{o['gradual_total']:<3}", file=out)
    print(f"\nhard cuts matched one-to-one within +-{report['tolerance']} frames; detections in gradual/dont_care spans "
          f"or near optional boundaries count neither way", file=out)
    multi = len(clips) > 1
    misses = [(c["name"], m) for c in clips for m in c["misses"]]
    if misses:
        print(f"\nmissed cuts ({len(misses)}):", file=out)
        for name, m in misses:
            t = "" if m["time"] is None else f"  {m['time']:9.3f} s"
            print(f"  {name + ': ' if multi else ''}frame {m['frame']:>6}{t}", file=out)
    fas = [(c["name"], f) for c in clips for f in c["false_alarms"]]
    if fas:
        print(f"\nfalse alarms ({len(fas)}):", file=out)
        for name, f in fas:
            t = "" if f["time"] is None else f"  {f['time']:9.3f} s"
            sc = "" if f["score"] is None else f"  score {f['score']:.2f} / {f['threshold']:.2f}"
            neg = f"  [hard negative: {_short(f['hard_negative'])}]" if f["hard_negative"] else ""
            print(f"  {name + ': ' if multi else ''}frame {f['frame']:>6}{t}{sc}{neg}", file=out)
    if o["false_alarm_kinds"]:
        print("\nfalse alarms inside hard negatives, by kind:", file=out)
        for kind, n in o["false_alarm_kinds"].items():
            print(f"  {n:>4}  {_short(kind, 90)}", file=out)
    sig = o["signals"]
    if sig["hits"] or sig["false_alarms"]:
        print("\neach signal's rise over its local average (geometric mean of ratios):", file=out)
        for what in ("hits", "false_alarms"):
            if sig[what]:
                parts = "  ".join(f"{k} {v:.2f}" for k, v in sig[what].items())
                print(f"  {what.replace('_', ' '):<13} {parts}", file=out)


def _targets(args: argparse.Namespace) -> list:
    from ..decode import open_video
    from ..errors import UsageError
    from ..labels import load_dataset, load_labels

    if args.tolerance < 0:
        raise UsageError("--tolerance must be 0 or more frames")
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
    from ..encoder import Encoder, EncoderConfig
    from ..errors import UsageError
    from ..labels import frame_times
    from ..metrics import micro, score_clip

    targets = _targets(args)
    if args.plot:
        from ..plot import _pyplot

        _pyplot()  # fail before the long part if matplotlib is missing
        if args.dataset:
            os.makedirs(args.plot, exist_ok=True)
        elif not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
            raise UsageError(f"{args.plot}: folder does not exist")
    config = pipeline_config(args)
    config = replace(config, scorer=replace(config.scorer, trace=bool(args.plot)))
    encoder = Encoder(EncoderConfig(model=config.model, device=config.device))
    clips, scores = [], []
    for labels in targets:
        log.info("scoring %s", labels.clip)
        run_ = detect_clip(labels.clip, config, encoder)
        if labels.frames is not None and labels.frames != run_.frames:
            log.warning("%s: labels say %d frames but %d were decoded; frame numbers may not line up",
                        labels.name, labels.frames, run_.frames)
        score = score_clip(labels, [c.frame for c in run_.cuts], args.tolerance)
        scores.append(score)
        clips.append(clip_report(labels, run_, score, frame_times(labels.clip, labels.fps)))
        if args.plot:
            from ..plot import plot_clip

            out = os.path.join(args.plot, labels.name + ".png") if args.dataset else args.plot
            detections = {c.frame: c.score for c in run_.cuts}
            p, r, f1 = (_fmt(v) for v in (score.precision, score.recall, score.f1))
            plot_clip(out, run_.trace, labels, score, detections, f"{labels.name}: P {p}  R {r}  F1 {f1}")
    report = {
        "model": encoder.path, "device": encoder.device, "mode": config.scorer.mode, "tolerance": args.tolerance,
        "clips": clips, "overall": overall_report(micro(scores), clips),
    }
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        format_text(report)
        if args.plot:
            print(f"\nplot{'s' if args.dataset else ''}: {args.plot}")
    return 0
