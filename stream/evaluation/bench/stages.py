"""Stages alone, so that the limit is visible: the scorer over posteriors computed beforehand, and start-up.

Decoding alone and the encoder alone are measured in ``speed.py``; here the scorer runs on a
clip's posteriors (decoded and encoded once, before the clock starts) in the pipeline's batches,
and ``reprocut detect`` is timed from its start to the one-line error for a file that does not
exist (what a typo costs).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from typing import TYPE_CHECKING

import numpy as np

from .config import BenchConfig, median, rounded
from .speed import timed_process

if TYPE_CHECKING:
    from ...runtime.encoder import Encoder

log = logging.getLogger(__name__)


def bench_scorer(cfg: BenchConfig, encoder: Encoder, clip: str, batch: int = 64) -> dict:
    """Frames per second of ``core.scorer.Scorer`` alone on ``clip``'s posteriors, fed ``batch`` frames at a time."""
    from ...core.scorer import Scorer, ScorerConfig
    from ...sources.decode import iter_video, open_video, stream_fps

    with open_video(clip) as c:
        fps = stream_fps(c.streams.video[0])
    frames = list(iter_video(clip))
    pixels = np.stack([f.rgb for f in frames])
    index, times = np.array([f.index for f in frames]), np.array([f.time for f in frames])
    mu, logvar = (np.concatenate(a) for a in zip(*(encoder.encode(pixels[s:s + batch]) for s in range(0, len(pixels), batch))))
    rates = []
    for _ in range(cfg.repeats):
        scorer = Scorer(ScorerConfig(fps=fps), calibration=encoder.calibration)
        start = time.perf_counter()
        for s in range(0, len(pixels), batch):
            sl = slice(s, s + batch)
            scorer.push(index[sl], times[sl], times[sl], mu[sl], logvar[sl], pixels[sl])
        scorer.finish()
        rates.append(len(pixels) / (time.perf_counter() - start))
    fps_scored = median(rates)
    log.info("scorer alone: %.0f frames/s", fps_scored or 0)
    return {"clip": os.path.basename(clip), "frames": len(pixels), "batch": batch, "fps": rounded(fps_scored)}


def bench_time_to_error(cfg: BenchConfig) -> dict:
    """Seconds from starting ``reprocut detect missing.mp4`` to its exit with the one-line error (code 2)."""
    with tempfile.TemporaryDirectory() as folder:
        cmd = [sys.executable, "-m", "reprocut.stream.cli", "detect", os.path.join(folder, "missing.mp4")]
        seconds = median(timed_process(cmd, expect=2) for _ in range(cfg.repeats))
    log.info("time to first error: %.2f s", seconds or 0)
    return {"command": "reprocut detect missing.mp4", "seconds": rounded(seconds, 2)}
