"""The eval report: one clip's and all clips' figures as JSON-ready dicts, and the text tables.

``clip_report`` and ``overall_report`` build what ``reprocut eval --json`` prints for the
configuration asked for, hard cuts, gradual transitions and the scene list side by side;
``variant_report`` one row of the signal ablation (each clip's and the micro-averaged figures of
one set of signals); ``family_reports`` each family's figures (animation, live action...) under
each set of signals; ``format_text`` prints the same report as the tables a person reads.
"""

from __future__ import annotations

import math
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .metrics import ClipScore, GradualScore, SceneScore, micro, prf
from .runner import ClipRun

if TYPE_CHECKING:
    from .labels import Labels

ALL = "all"  # the family row that adds up every family
UNSPECIFIED = "unspecified"  # the family of a clip whose label file names none


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


def scene_report(s: SceneScore | None, details: bool = True) -> dict | None:
    """The scene list's figures (None where it was not scored); ``details``: which boundaries were missed, which
    starts were false alarms (``invented``: a second start inside a labelled gradual span) and which were ignored."""
    if s is None:
        return None
    out = {"labelled": s.labelled_cuts + s.labelled_gradual, "found": s.tp, "missed": s.fn, "false_alarms": s.fp,
           "invented": len(s.invented), "cuts_found": len(s.cuts), "labelled_cuts": s.labelled_cuts,
           "gradual_found": len(s.gradual), "labelled_gradual": s.labelled_gradual,
           "precision": _num(s.precision), "recall": _num(s.recall), "f1": _num(s.f1)}
    if details:
        out.update(missed_boundaries=[list(m) for m in s.missed], false_alarm_starts=s.false_alarms,
                   invented_starts=s.invented, ignored_starts=[{"frame": f, "why": why} for f, why in s.ignored])
    return out


def clip_report(labels, run: ClipRun, score, times: list[float]) -> dict:
    by_frame = {c.frame: c for c in run.cuts}
    hit_frames = {d for _, d in score.hits}

    def negative(frame: int) -> str | None:
        return next((k for a, b, k in labels.hard_negatives if a <= frame <= b), None)

    return {
        "name": labels.name,
        "clip": labels.clip,
        "family": labels.family or UNSPECIFIED,
        "frames": run.frames,
        "labelled_frames": labels.frames,
        "cuts": score.cuts,
        "detections": len(run.cuts),
        "tp": score.tp, "fp": score.fp, "fn": score.fn,
        "precision": _num(score.precision), "recall": _num(score.recall), "f1": _num(score.f1),
        "gradual": gradual_report(score.gradual),
        "scenes": None if score.scenes is None else {"starts": [sc.start_frame for sc in run.scenes if sc.start_frame > 0],
                                                     **scene_report(score.scenes)},
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
        "scenes": scene_report(totals.scenes, details=False),
        "false_alarm_kinds": totals.false_alarm_kinds,
        "signals": {"hits": _geo_means(hits), "false_alarms": _geo_means(fas)},
    }


def _figures(x) -> dict:
    """Hard-cut, gradual and scene-list figures of one clip's score or of micro-averaged totals."""
    return {"tp": x.tp, "fp": x.fp, "fn": x.fn, "precision": _num(x.precision), "recall": _num(x.recall),
            "f1": _num(x.f1), "gradual": gradual_report(x.gradual, spans=False), "scenes": scene_report(x.scenes, details=False)}


def variant_report(name: str, signals: tuple[str, ...], scores: list, totals) -> dict:
    """One row of the ablation: the figures of one set of signals, per clip and micro-averaged."""
    return {"name": name, "signals": list(signals), "overall": _figures(totals),
            "clips": [{"name": s.name, **_figures(s)} for s in scores]}


def _family_groups(clips: list[dict]) -> list[tuple[str, list[int]]]:
    """Each family by name with the positions of its clips in ``clips``, then ``all`` of them together."""
    families = sorted({c["family"] for c in clips})
    return [(f, [i for i, c in enumerate(clips) if c["family"] == f]) for f in families] + [(ALL, list(range(len(clips))))]


def family_reports(clips: list[dict], settings: list[tuple[str, tuple[str, ...], list[ClipScore]]]) -> list[dict]:
    """Each family's figures, micro-averaged over its clips, under each setting (name, signals, every clip's score,
    in the order of ``clips``), families by name, then ``all`` of them together."""
    return [{"family": family, "clips": len(members), "frames": sum(clips[i]["frames"] for i in members),
             "cuts": sum(clips[i]["cuts"] for i in members), "gradual": sum(clips[i]["gradual"]["labelled"] for i in members),
             "settings": [{"name": name, "signals": list(signals), **_figures(micro(scores[i] for i in members))}
                          for name, signals, scores in settings]}
            for family, members in _family_groups(clips)]


def generated_report(clip: dict, labels: Labels, kinds: list[str]) -> list[dict]:
    """A spliced edit's generated transitions (``kinds``, in the order of its labelled spans), each with its span and
    whether the first setting found it (it is not among the clip's missed spans)."""
    missed = {tuple(span) for span in clip["gradual"]["missed_spans"]}
    return [{"kind": kind, "first": a, "last": b, "found": (a, b) not in missed} for kind, (a, b) in zip(kinds, labels.gradual)]


def kind_reports(clips: list[dict]) -> list[dict]:
    """Generated transitions labelled and found, by kind, for each family, then ``all``: which kinds a detector misses
    on the footage (a fade finds its colour where a dissolve between moving shots does not)."""
    out = []
    for family, members in _family_groups(clips):
        kinds: dict[str, dict[str, int]] = {}
        for g in (g for i in members for g in clips[i]["generated"]):
            row = kinds.setdefault(g["kind"], {"labelled": 0, "found": 0})
            row["labelled"] += 1
            row["found"] += g["found"]
        out.append({"family": family, "kinds": dict(sorted(kinds.items()))})
    return out


def fmt_rate(value: float | None) -> str:
    """A precision, recall or F1 as the table prints it, halves rounded up as written (the report keeps 3 digits: 0.615,
    which is 8/13, prints 0.62, not the 0.61 its binary double would); "-" where undefined."""
    return "-" if value is None else str(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_text(report: dict, out=sys.stdout) -> None:
    """The report as tables: each clip, the misses and false alarms by frame, then each family under each setting."""
    clips = report["clips"]
    width = max([len("overall (micro)")] + [len(c["name"]) for c in clips])
    fam = max([len("family")] + [len(c["family"]) for c in clips])
    scenes = any(c["scenes"] for c in clips)
    head = (f"{'clip':<{width}}  {'family':<{fam}}  {'frames':>6}  {'cuts':>4}  {'hits':>4}  {'miss':>4}  {'FA':>4}  {'P':>5}  "
            f"{'R':>5}  {'F1':>5}  | {'gradual':>7}  {'tFA':>3}  {'gF1':>5}")
    if scenes:
        head += f"  | {'scenes':>7}  {'sFA':>3}  {'sF1':>5}"

    def row(name: str, family: str, frames: int, c: dict) -> str:
        g, sc = c["gradual"], c["scenes"]
        line = (f"{name:<{width}}  {family:<{fam}}  {frames:>6}  {c['cuts']:>4}  {c['tp']:>4}  {c['fn']:>4}  {c['fp']:>4}  "
                f"{fmt_rate(c['precision']):>5}  {fmt_rate(c['recall']):>5}  {fmt_rate(c['f1']):>5}  | "
                f"{g['found']:>3}/{g['labelled']:<3}  {g['false_alarms']:>3}  {fmt_rate(g['f1']):>5}")
        if sc:
            line += f"  | {_ratio(sc['found'], sc['labelled']):>7}  {sc['false_alarms']:>3}  {fmt_rate(sc['f1']):>5}"
        return line

    print(head, file=out)
    print("-" * len(head), file=out)
    for c in clips:
        print(row(c["name"], c["family"], c["frames"], c), file=out)
    o = report["overall"]
    print("-" * len(head), file=out)
    print(row("overall (micro)", "", sum(c["frames"] for c in clips), o), file=out)
    print(f"\nhard cuts matched one-to-one within +-{report['tolerance']} frames; detections in gradual/dont_care spans "
          f"or near optional boundaries count neither way", file=out)
    print(f"gradual: labelled spans found by a detected transition overlapping them within +-{report['gradual_tolerance']} "
          f"frames; tFA: transitions that overlap no labelled span, dont_care span or cut", file=out)
    if scenes:
        print("scenes: labelled cuts and gradual spans found by the scene list's starts (a transition is one start, the "
              "cuts it holds no second one); sFA: starts that match nothing labelled, a second start in one gradual span "
              "included", file=out)
    _format_lists(clips, out)
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
    if report.get("families"):
        format_families(report["families"], out)
    if report.get("ablation"):
        format_ablation(report["ablation"], width, out)


def _ratio(found: int, labelled: int) -> str:
    return f"{found}/{labelled}"


def _format_lists(clips: list[dict], out) -> None:
    """Every miss and false alarm by frame: hard cuts, transitions, then the scene list's boundaries."""
    where = (lambda name: name + ": ") if len(clips) > 1 else (lambda name: "")
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
    lost, extra = [], []  # where the scene list differs from the events listed above
    for c in clips:
        if not c["scenes"]:
            continue
        missed = {(m["frame"], m["frame"]) for m in c["misses"]} | {tuple(s) for s in c["gradual"]["missed_spans"]}
        lost += [(c["name"], a, b) for a, b in c["scenes"]["missed_boundaries"] if (a, b) not in missed]
        listed = {f["frame"] for f in c["false_alarms"]} | {(a + b + 1) // 2 for a, b in c["gradual"]["false_alarm_spans"]}
        extra += [(c["name"], f, f in c["scenes"]["invented_starts"]) for f in c["scenes"]["false_alarm_starts"] if f not in listed]
    if lost:
        print(f"\nscene list: labelled boundaries the events found but no scene starts at ({len(lost)}):", file=out)
        for name, a, b in lost:
            print(f"  {where(name)}" + (f"cut {a}" if a == b else f"gradual {a}-{b}"), file=out)
    if extra:
        print(f"\nscene list: starts that match nothing labelled, beyond the false alarms above ({len(extra)}):", file=out)
        for name, f, invented in extra:
            note = "  [a second start inside a labelled gradual span]" if invented else ""
            print(f"  {where(name)}frame {f:>6}{note}", file=out)


def format_families(families: list[dict], out=sys.stdout) -> None:
    """Each family (and all of them) under each setting: hard cuts, gradual transitions and the scene list."""
    rows = families if len(families) > 2 else families[-1:]  # one family: its figures are those of "all"
    fam = max(len("family"), *(len(f["family"]) for f in rows))
    name = max(len("signals"), *(len(s["name"]) for f in rows for s in f["settings"]))
    print("\nby family and signals, micro-averaged (hard cuts | gradual transitions | scene list):", file=out)
    print(f"  {'family':<{fam}}  {'clips':>5}  {'signals':<{name}}  {'hits':>7}  {'FA':>3}  {'P':>4}  {'R':>4}  {'F1':>4}  | "
          f"{'gradual':>7}  {'tFA':>3}  {'gF1':>4}  | {'scenes':>7}  {'sFA':>3}  {'sP':>4}  {'sR':>4}  {'sF1':>4}", file=out)
    for f in rows:
        for i, s in enumerate(f["settings"]):
            g, sc = s["gradual"], s["scenes"]
            lead = f"  {f['family']:<{fam}}  {f['clips']:>5}" if i == 0 else f"  {'':<{fam}}  {'':>5}"
            line = (f"{lead}  {s['name']:<{name}}  {_ratio(s['tp'], f['cuts']):>7}  {s['fp']:>3}  {fmt_rate(s['precision']):>4}  "
                    f"{fmt_rate(s['recall']):>4}  {fmt_rate(s['f1']):>4}  | {_ratio(g['found'], g['labelled']):>7}  "
                    f"{g['false_alarms']:>3}  {fmt_rate(g['f1']):>4}")
            if sc:
                line += (f"  | {_ratio(sc['found'], sc['labelled']):>7}  {sc['false_alarms']:>3}  {fmt_rate(sc['precision']):>4}  "
                         f"{fmt_rate(sc['recall']):>4}  {fmt_rate(sc['f1']):>4}")
            print(line, file=out)


def format_ablation(rows: list[dict], width: int, out=sys.stdout) -> None:
    """Each clip's hard-cut F1 (hits/false alarms/misses) under each set of signals side by side."""
    print("\nhard-cut F1 per clip by signals (hits/false alarms/misses):", file=out)
    cell = 18
    print(f"{'clip':<{width}}" + "".join(f"  {r['name']:>{cell}}" for r in rows), file=out)
    for i, c in enumerate(rows[0]["clips"]):
        cells = [f"{fmt_rate(x['f1'])} ({x['tp']}/{x['fp']}/{x['fn']})" for x in (r["clips"][i] for r in rows)]
        print(f"{c['name']:<{width}}" + "".join(f"  {v:>{cell}}" for v in cells), file=out)
    cells = [f"{fmt_rate(r['overall']['f1'])} ({r['overall']['tp']}/{r['overall']['fp']}/{r['overall']['fn']})" for r in rows]
    print(f"{'overall (micro)':<{width}}" + "".join(f"  {v:>{cell}}" for v in cells), file=out)


def format_spliced(spliced: dict, out=sys.stdout) -> None:
    """The spliced edits' figures, apart from the real clips': what was written, each family, each source clip."""
    joins = spliced["joins"]
    cuts = joins.get("cut", 0)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(joins.items()) if kind != "cut")
    sources = sorted({c["spliced_from"] for c in spliced["clips"]})
    low, high = spliced["transitions"]["frames"]
    print(f"\nspliced edits (--splice {spliced['edits_per_clip']} --seed {spliced['seed']}): {len(spliced['clips'])} edits of "
          f"{len(sources)} clips, {sum(joins.values())} joins: {cuts} hard cuts, {sum(joins.values()) - cuts} transitions"
          + (f" ({kinds}; {low}-{high} frames)" if kinds else ""), file=out)
    for s in spliced["skipped"]:
        print(f"  not spliced: {s['clip']}: {s['why']}", file=out)
    if spliced["workdir"]:
        print(f"  kept in {spliced['workdir']} (a dataset folder: reprocut eval --dataset {spliced['workdir']})", file=out)
    if not spliced["clips"]:
        return
    format_families(spliced["families"], out)
    setting = spliced["families"][-1]["settings"][0]["name"]
    print(f"\ngenerated transitions found, by kind ({setting}):", file=out)
    for row in spliced["by_kind"]:
        found = ", ".join(f"{kind} {_ratio(k['found'], k['labelled'])}" for kind, k in row["kinds"].items())
        print(f"  {row['family']}: {found or 'none generated'}", file=out)
    width = max(len("spliced from"), *(len(n) for n in sources))
    print(f"\nspliced edits by the clip they came from ({setting}):", file=out)
    print(f"  {'spliced from':<{width}}  {'edits':>5}  {'hits':>7}  {'FA':>3}  {'F1':>4}  | {'gradual':>7}  {'tFA':>3}  "
          f"{'gF1':>4}  | {'scenes':>7}  {'sFA':>3}  {'sF1':>4}", file=out)
    for name in sources:
        edits = [c for c in spliced["clips"] if c["spliced_from"] == name]
        tp, fp, fn = (sum(c[k] for c in edits) for k in ("tp", "fp", "fn"))
        g = {k: sum(c["gradual"][k] for c in edits) for k in ("found", "labelled", "false_alarms", "missed")}
        sc = {k: sum(c["scenes"][k] for c in edits) for k in ("found", "labelled", "false_alarms", "missed")}
        print(f"  {name:<{width}}  {len(edits):>5}  {_ratio(tp, tp + fn):>7}  {fp:>3}  {fmt_rate(prf(tp, fp, fn)[2]):>4}  | "
              f"{_ratio(g['found'], g['labelled']):>7}  {g['false_alarms']:>3}  "
              f"{fmt_rate(prf(g['found'], g['false_alarms'], g['missed'])[2]):>4}  | {_ratio(sc['found'], sc['labelled']):>7}  "
              f"{sc['false_alarms']:>3}  {fmt_rate(prf(sc['found'], sc['false_alarms'], sc['missed'])[2]):>4}", file=out)
