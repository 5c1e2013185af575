"""The eval report: one clip's and all clips' figures as JSON-ready dicts, and the text tables.

``clip_report`` and ``overall_report`` build what ``reprocut eval --json`` prints for the
configuration asked for, hard cuts and gradual transitions side by side; ``variant_report`` one
row of the signal ablation (each clip's and the micro-averaged figures of one set of signals);
``format_text`` prints the same report as the tables a person reads.
"""

from __future__ import annotations

import math
import sys

from .metrics import GradualScore
from .runner import ClipRun


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


def gradual_report(g: GradualScore, spans: bool = True) -> dict:
    """Gradual-transition figures; ``spans``: list the missed labelled spans and the false-alarm transitions too."""
    out = {"labelled": g.tp + g.fn, "found": g.tp, "missed": g.fn, "detected": g.detected, "false_alarms": g.fp,
           "precision": _num(g.precision), "recall": _num(g.recall), "f1": _num(g.f1)}
    if spans:
        out.update(missed_spans=[list(s) for s in g.missed], false_alarm_spans=[list(s) for s in g.false_alarms])
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
        "gradual": gradual_report(score.gradual),
        "transitions": [{"start": t.start, "end": t.end, "kind": t.kind, "score": _num(t.score)} for t in run.transitions],
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
        "gradual": gradual_report(totals.gradual, spans=False),
        "false_alarm_kinds": totals.false_alarm_kinds,
        "signals": {"hits": _geo_means(hits), "false_alarms": _geo_means(fas)},
    }


def variant_report(name: str, signals: tuple[str, ...], scores: list, totals) -> dict:
    """One row of the ablation: the hard-cut and gradual figures of one set of signals, per clip and micro-averaged."""
    def figures(x) -> dict:
        return {"tp": x.tp, "fp": x.fp, "fn": x.fn, "precision": _num(x.precision), "recall": _num(x.recall),
                "f1": _num(x.f1), "gradual": gradual_report(x.gradual, spans=False)}

    return {"name": name, "signals": list(signals), "overall": figures(totals),
            "clips": [{"name": s.name, **figures(s)} for s in scores]}


def fmt_rate(value: float | None) -> str:
    """A precision, recall or F1 as the table prints it; "-" where undefined."""
    return "-" if value is None else f"{value:.2f}"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_text(report: dict, out=sys.stdout) -> None:
    clips = report["clips"]
    width = max([len("overall (micro)")] + [len(c["name"]) for c in clips])
    head = (f"{'clip':<{width}}  {'frames':>6}  {'cuts':>4}  {'hits':>4}  {'miss':>4}  {'FA':>4}  {'P':>5}  {'R':>5}  {'F1':>5}"
            f"  | {'gradual':>7}  {'tFA':>3}  {'gF1':>5}")

    def row(name: str, frames: int, c: dict) -> str:
        g = c["gradual"]
        return (f"{name:<{width}}  {frames:>6}  {c['cuts']:>4}  {c['tp']:>4}  {c['fn']:>4}  {c['fp']:>4}  "
                f"{fmt_rate(c['precision']):>5}  {fmt_rate(c['recall']):>5}  {fmt_rate(c['f1']):>5}  | "
                f"{g['found']:>3}/{g['labelled']:<3}  {g['false_alarms']:>3}  {fmt_rate(g['f1']):>5}")

    print(head, file=out)
    print("-" * len(head), file=out)
    for c in clips:
        print(row(c["name"], c["frames"], c), file=out)
    o = report["overall"]
    print("-" * len(head), file=out)
    print(row("overall (micro)", sum(c["frames"] for c in clips), o), file=out)
    print(f"\nhard cuts matched one-to-one within +-{report['tolerance']} frames; detections in gradual/dont_care spans "
          f"or near optional boundaries count neither way", file=out)
    print(f"gradual: labelled spans found by a detected transition overlapping them within +-{report['gradual_tolerance']} "
          f"frames; tFA: transitions that overlap no labelled span, dont_care span or cut", file=out)
    multi = len(clips) > 1
    where = (lambda name: name + ": ") if multi else (lambda name: "")
    misses = [(c["name"], m) for c in clips for m in c["misses"]]
    if misses:
        print(f"\nmissed cuts ({len(misses)}):", file=out)
        for name, m in misses:
            t = "" if m["time"] is None else f"  {m['time']:9.3f} s"
            print(f"  {where(name)}frame {m['frame']:>6}{t}", file=out)
    fas = [(c["name"], f) for c in clips for f in c["false_alarms"]]
    if fas:
        print(f"\nfalse alarms ({len(fas)}):", file=out)
        for name, f in fas:
            t = "" if f["time"] is None else f"  {f['time']:9.3f} s"
            sc = "" if f["score"] is None else f"  score {f['score']:.2f} / {f['threshold']:.2f}"
            neg = f"  [hard negative: {_short(f['hard_negative'])}]" if f["hard_negative"] else ""
            print(f"  {where(name)}frame {f['frame']:>6}{t}{sc}{neg}", file=out)
    for key, what in (("missed_spans", "missed transitions"), ("false_alarm_spans", "transition false alarms")):
        spans = [(c["name"], s) for c in clips for s in c["gradual"][key]]
        if spans:
            print(f"\n{what} ({len(spans)}):", file=out)
            for name, (a, b) in spans:
                print(f"  {where(name)}frames {a}-{b}", file=out)
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
    if report.get("ablation"):
        format_ablation(report["ablation"], width, out)


def format_ablation(rows: list[dict], width: int, out=sys.stdout) -> None:
    """Each set of signals side by side: the micro-averaged figures, then each clip's hard-cut F1 (hits/FA/misses)."""
    print("\nby signals, micro-averaged (hard cuts | gradual transitions):", file=out)
    head = (f"  {'signals':<16}  {'hits':>4}  {'FA':>4}  {'miss':>4}  {'P':>5}  {'R':>5}  {'F1':>5}  | "
            f"{'found':>5}  {'tFA':>3}  {'gP':>5}  {'gR':>5}  {'gF1':>5}")
    print(head, file=out)
    for r in rows:
        o, g = r["overall"], r["overall"]["gradual"]
        print(f"  {r['name']:<16}  {o['tp']:>4}  {o['fp']:>4}  {o['fn']:>4}  {fmt_rate(o['precision']):>5}  "
              f"{fmt_rate(o['recall']):>5}  {fmt_rate(o['f1']):>5}  | {g['found']:>5}  {g['false_alarms']:>3}  "
              f"{fmt_rate(g['precision']):>5}  {fmt_rate(g['recall']):>5}  {fmt_rate(g['f1']):>5}", file=out)
    print("\nhard-cut F1 per clip by signals (hits/false alarms/misses):", file=out)
    cell = 18
    print(f"{'clip':<{width}}" + "".join(f"  {r['name']:>{cell}}" for r in rows), file=out)
    for i, c in enumerate(rows[0]["clips"]):
        cells = [f"{fmt_rate(x['f1'])} ({x['tp']}/{x['fp']}/{x['fn']})" for x in (r["clips"][i] for r in rows)]
        print(f"{c['name']:<{width}}" + "".join(f"  {v:>{cell}}" for v in cells), file=out)
    cells = [f"{fmt_rate(r['overall']['f1'])} ({r['overall']['tp']}/{r['overall']['fp']}/{r['overall']['fn']})" for r in rows]
    print(f"{'overall (micro)':<{width}}" + "".join(f"  {v:>{cell}}" for v in cells), file=out)
