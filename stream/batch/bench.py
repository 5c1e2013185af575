"""``reprocut bench``'s archive section: ``batch`` over generated clips, by worker split, in local processes and on a
local Ray instance.

Every figure is end to end, as a user of ``batch`` sees it: workers started, the model loaded in
each, every clip decoded and scored, its scene files and manifest line written, into a fresh
output folder each run. Beside the wall-clock figures, ``busy_fps`` is what one worker does
while it works (a run's frames over the seconds its videos took, each in its own worker), the
figure that scales to long episodes, where start-up no longer counts. The CLI hands ``bench_archive``
to ``evaluation.bench.run_bench`` (evaluation does not import the runners above it); the section's
table is ``evaluation.bench.markdown.archive_markdown``.
"""

from __future__ import annotations

import logging
import os
import shutil
from importlib.util import find_spec

from ..evaluation.bench.config import BenchConfig, median, rounded

log = logging.getLogger(__name__)

SPLITS = ((1, 1), (1, 2), (2, 1))  # (workers, encoder threads each)


def _clips(folder: str, count: int, frames: int, width: int, height: int) -> str:
    from ..sources.cartoon import DemoConfig, write_clip

    clips = os.path.join(folder, "archive")
    if not os.path.isdir(clips):
        os.makedirs(clips)
        for seed in range(count):
            path = os.path.join(clips, f"ep{seed:02d}.mp4")
            write_clip(DemoConfig(width=width, height=height, frames=frames, seed=100 + seed), path)
            os.remove(os.path.splitext(path)[0] + ".json")
    return clips


def _row(cfg: BenchConfig, clips: str, folder: str, workers: int, threads: int, ray: str | None) -> dict:
    from ..runtime.pipeline import PipelineConfig
    from .manifest import Manifest
    from .run import BatchConfig, run_batch
    from .work import Job

    walls, busy, frames, hours = [], [], 0, 0.0
    for i in range(cfg.repeats):
        out = os.path.join(folder, f"archive-out-{workers}x{threads}-{ray is not None}-{i}")
        summary = run_batch([clips], out, Job(PipelineConfig(model=cfg.model, device="cpu"), threads=threads),
                            BatchConfig(workers=workers, ray=ray), progress=False)
        if summary.failed:
            raise RuntimeError(f"batch failed on {summary.failed[0][0]}: {summary.failed[0][1]}")
        records = Manifest(out).last.values()
        walls.append(summary.wall)
        busy.append(summary.frames / sum(r["seconds"] for r in records))
        frames, hours = summary.frames, summary.video_seconds / 3600
        shutil.rmtree(out, ignore_errors=True)
    wall = median(walls)
    mode = "Ray (local instance)" if ray is not None else "local processes"
    log.info("archive %s %dx%d: %.1f s", mode, workers, threads, wall)
    return {"mode": mode, "workers": workers, "threads": threads, "videos": len(records), "frames": frames,
            "wall_s": rounded(wall, 2), "fps": rounded(frames / wall), "video_hours_per_hour": rounded(hours / (wall / 3600)),
            "busy_fps": rounded(median(busy)), "runs": cfg.repeats}


def bench_archive(cfg: BenchConfig, folder: str) -> dict:
    """``batch`` throughput on generated clips: local splits of the cores, then Ray with the best of 1 or 2 workers."""
    count, frames, (width, height) = (4, 48, (320, 180)) if cfg.quick else (20, 240, (320, 180))
    clips = _clips(folder, count, frames, width, height)
    rows = [_row(cfg, clips, folder, w, t, None) for w, t in SPLITS]
    if find_spec("ray") is None:
        rows.append({"mode": "Ray (local instance)", "error": "not installed (pip install 'reprocut[ray]')"})
    else:
        rows.append(_row(cfg, clips, folder, 2, 1, ""))
    return {"clips": count, "frames_per_clip": frames, "size": f"{width}x{height}", "rows": rows}
