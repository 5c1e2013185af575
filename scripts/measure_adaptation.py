"""Measure `reprocut adapt` honestly (issue 25, item 3): does fine-tuning on a clip, without its labels, help there?

For every labelled clip of a dataset (default ``../shared/eval``, the dev clips), in whole processes as a user runs them:

1. ``reprocut eval CLIP --labels L --splice N --json`` with the base model: the default settings' and the KL-only
   hard-cut F1, on the real clip and on N spliced edits of its own shots (docs/splice.md);
2. ``reprocut adapt CLIP --from BASE --minutes M`` (or ``--steps``): the clip alone, transductive, no labels; the
   same eval with the adapted model;
3. ``reprocut adapt`` on every clip of the clip's family at once (same budget), and the same eval with that model.

It records each adapt's minutes (training, and the whole process with decoding and export) and its training
frames/s, and writes ``OUT/adaptation.json`` (every figure) and ``OUT/adaptation.md`` (the tables). Every model and
report is kept under OUT, and one already there is reused, so an interrupted measurement continues where it stopped
(``--fresh``: measure again). A full run is long: about (M + 1) minutes per clip and per family.

    .venv/bin/python scripts/measure_adaptation.py --out runs/adaptation                  # 5 minutes per clip
    .venv/bin/python scripts/measure_adaptation.py --clips w2xex_southpark_1_original --steps 20 --no-family
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPROCUT = [sys.executable, "-m", "reprocut.stream.cli"]
SETTINGS = ("default", "kl only")  # the rows of eval's report measured here
STAGES = ("before", "clip", "family")  # the base; adapted on the clip alone; adapted on the clip's family


def run(*args: str) -> str:
    """``reprocut ARGS`` (quiet); its stdout. A failure stops the measurement with the command's own words."""
    result = subprocess.run([*REPROCUT, "-q", *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"reprocut {' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def load_clips(dataset: Path, only: set[str]) -> list[dict]:
    clips = []
    for path in sorted((dataset / "labels").glob("*.json")):
        if only and path.stem not in only:
            continue
        labels = json.loads(path.read_text())
        clips.append({"name": path.stem, "labels": str(path), "clip": str(dataset / labels["clip"]),
                      "family": labels.get("family", "unknown"), "frames": labels.get("frames")})
    missing = only - {c["name"] for c in clips}
    if missing:
        sys.exit(f"no label file for: {', '.join(sorted(missing))}")
    return clips


def f1(tp: int, fp: int, fn: int) -> float:
    """Hard-cut F1; a clip with nothing to find and nothing found scores 1."""
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def figures(report: dict) -> dict:
    """Hits, false alarms and misses (and F1) of the default settings and the KL alone, real and spliced."""
    out = {}
    for part, rep in (("real", report), ("spliced", report.get("spliced"))):
        if not rep or not rep.get("clips"):
            continue  # a clip with one shot has no edits to splice
        rows = {"default": rep["overall"], **{a["name"]: a["overall"] for a in rep["ablation"]}}
        out[part] = {s: {"tp": rows[s]["tp"], "fp": rows[s]["fp"], "fn": rows[s]["fn"],
                         "f1": f1(rows[s]["tp"], rows[s]["fp"], rows[s]["fn"])} for s in SETTINGS}
    return out


def evaluate(clip: dict, model: Path, report: Path, args: argparse.Namespace) -> dict:
    if not report.exists():
        text = run("eval", clip["clip"], "--labels", clip["labels"], "--model", model, "--splice", args.splice,
                   "--seed", args.seed, "--json")
        report.write_text(text)
    return figures(json.loads(report.read_text()))


def adapt(sources: list[str], model: Path, args: argparse.Namespace) -> dict:
    """Adapt ``args.base`` on ``sources`` into ``model`` (kept: reused when there); the card's facts and minutes."""
    timing = model.with_suffix(".time.json")
    if not (model.exists() and timing.exists()):
        budget = ["--steps", args.steps] if args.steps else ["--minutes", args.minutes]
        base = ["--from", args.base] if args.base else []
        t0 = time.monotonic()
        run("adapt", *sources, "--out", model, *base, *budget, "--batch", args.batch, "--lr", args.lr, "--force")
        timing.write_text(json.dumps({"process_minutes": (time.monotonic() - t0) / 60}))
        shutil.rmtree(str(model) + ".adapt")  # the frame cache and checkpoint: large, and the model is what is kept
    import onnx

    facts = json.loads({p.key: p.value for p in onnx.load(str(model)).metadata_props}["adaptation"])
    training = facts["training"]
    return {"steps": training["steps"], "minutes": training["minutes"], "frames_per_s": training["frames_per_s"],
            "frames": facts["footage"]["frames"], "process_minutes": json.loads(timing.read_text())["process_minutes"]}


def base_model(args: argparse.Namespace, out: Path) -> Path:
    """The base as an ONNX model: the bundled one, or ``--from`` exported."""
    if not args.base:
        from importlib import resources

        return Path(str(resources.files("reprocut.stream") / "models" / "default.onnx"))
    model = out / "base.onnx"
    if not model.exists():
        run("export", args.base, "--out", model)
    return model


def measure(args: argparse.Namespace) -> dict:
    out = Path(args.out)
    if args.fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    everything = load_clips(Path(args.dataset), set())
    clips = load_clips(Path(args.dataset), set(filter(None, args.clips.split(","))))
    base = base_model(args, out)
    family_models = {}
    if args.family:
        for family in sorted({c["family"] for c in clips}):
            members = [c for c in everything if c["family"] == family]  # the whole family, whichever clips are measured
            model = out / f"family-{family.replace(' ', '_')}.onnx"
            print(f"adapting on the family {family} ({len(members)} clips)", file=sys.stderr)
            family_models[family] = (model, adapt([c["clip"] for c in members], model, args))
    rows = []
    for clip in clips:
        print(f"{clip['name']}: before, adapting, after", file=sys.stderr)
        folder = out / clip["name"]
        folder.mkdir(exist_ok=True)
        row = {"name": clip["name"], "family_name": clip["family"], "path": clip["clip"], "labels": clip["labels"],
               "before": evaluate(clip, base, folder / "before.json", args),
               "adapt": adapt([clip["clip"]], folder / "clip.onnx", args)}
        row["clip"] = evaluate(clip, folder / "clip.onnx", folder / "clip.json", args)
        if clip["family"] in family_models:
            model, row["family_adapt"] = family_models[clip["family"]]
            row["family"] = evaluate(clip, model, folder / "family.json", args)
        rows.append(row)
    return {"dataset": args.dataset, "base": args.base or "bundled", "budget": f"--steps {args.steps}" if args.steps
            else f"--minutes {args.minutes:g}", "batch": args.batch, "lr": args.lr, "splice": args.splice, "seed": args.seed,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "clips": rows,
            "families": {f: m for f, (_, m) in family_models.items()}, "summary": summary(rows)}


def summary(rows: list[dict]) -> dict:
    """Per part and setting: the mean per-clip F1 at each stage, the micro F1, and the largest drop from before."""
    result = {}
    for part in ("real", "spliced"):
        for setting in SETTINGS:
            stages = {}
            for stage in STAGES:
                kept = [r for r in rows if part in r.get(stage, {}) and part in r["before"]]
                if not kept:
                    continue
                cells = [r[stage][part][setting] for r in kept]
                tp, fp, fn = (sum(c[k] for c in cells) for k in ("tp", "fp", "fn"))
                stages[stage] = {"clips": len(kept), "mean_f1": sum(c["f1"] for c in cells) / len(cells), "micro_f1": f1(tp, fp, fn),
                                 "worst_change": min(c["f1"] - r["before"][part][setting]["f1"] for c, r in zip(cells, kept))}
            result[f"{part} {setting}"] = stages
    return result


def cell(row: dict, stage: str, part: str, setting: str) -> str:
    if part not in row.get(stage, {}):
        return "-"
    c = row[stage][part][setting]
    return f"{c['f1']:.2f} ({c['tp']}/{c['fp']}/{c['fn']})"


def markdown(report: dict) -> str:
    lines = [f"# Adaptation on {report['dataset']} ({report['date']})", "",
             f"Base: {report['base']}; each adapt: `{report['budget']}`, batch {report['batch']}, lr {report['lr']:g}; "
             f"spliced: {report['splice']} edits per clip (seed {report['seed']}). F1 (hits/false alarms/misses); "
             "before -> adapted on the clip alone -> adapted on its family.", ""]
    for part in ("real", "spliced"):
        lines += [f"## {part.capitalize()} clips", "",
                  "| clip | family | frames | adapt minutes (process) | frames/s | KL only: before | clip | family "
                  "| default: before | clip | family |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in report["clips"]:
            a = r["adapt"]
            lines.append(f"| {r['name']} | {r['family_name']} | {a['frames']:,} | {a['minutes']:.2f} ({a['process_minutes']:.2f}) "
                         f"| {a['frames_per_s']:.0f} | " + " | ".join(cell(r, stage, part, s) for s in ("kl only", "default") for stage in STAGES) + " |")
        lines.append("")
    lines += ["## Summary", "", "| rows | stage | clips | mean per-clip F1 | micro F1 | worst clip's change from before |",
              "|---|---|---:|---:|---:|---:|"]
    for name, stages in report["summary"].items():
        for stage, s in stages.items():
            lines.append(f"| {name} | {stage} | {s['clips']} | {s['mean_f1']:.3f} | {s['micro_f1']:.3f} | {s['worst_change']:+.3f} |")
    if report["families"]:
        lines += ["", "Family adapts: " + "; ".join(f"{f}: {m['frames']:,} frames, {m['steps']} steps in {m['minutes']:.2f} min "
                                                     f"({m['frames_per_s']:.0f} frames/s)" for f, m in report["families"].items())]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default=str(ROOT.parent / "shared" / "eval"), help="dataset folder (labels/*.json)")
    p.add_argument("--out", default=str(ROOT / "runs" / "adaptation"), help="models, reports and the tables")
    p.add_argument("--from", dest="base", default="", help="base model for adapt (default: the bundled one)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, default=5.0, help="adapt budget per clip and per family (default 5)")
    budget.add_argument("--steps", type=int, default=0, help="adapt budget in steps instead")
    p.add_argument("--batch", type=int, default=64, help="adapt --batch (default 64, adapt's own)")
    p.add_argument("--lr", type=float, default=1e-4, help="adapt --lr (default 1e-4, adapt's own)")
    p.add_argument("--splice", type=int, default=3, help="spliced edits per clip (default 3)")
    p.add_argument("--seed", type=int, default=0, help="splice seed (default 0)")
    p.add_argument("--clips", default="", help="only these label names, comma-separated (default: all)")
    p.add_argument("--no-family", dest="family", action="store_false", help="skip adapting on each family")
    p.add_argument("--fresh", action="store_true", help="remove OUT first instead of reusing what is there")
    args = p.parse_args()
    report = measure(args)
    out = Path(args.out)
    (out / "adaptation.json").write_text(json.dumps(report, indent=1))
    (out / "adaptation.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
