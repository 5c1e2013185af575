"""Live latency: from a frame's decode (its cut event's ``wall``) to that cut event reaching a consumer.

The clip is paced at its frame rate and handled as live (``--realtime --live``: batches of what is
ready, warm-up decided with the prior threshold), and the latency of every cut, those of the
warm-up included, is measured twice: where a dashboard sees it (a websocket client of ``reprocut serve``)
and inside the process (a sink fed by ``Pipeline.run()``), which also gives the pipeline's own
per-frame figures from its stats events.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from typing import TYPE_CHECKING

import numpy as np

from ...core.events import CutEvent, Event, StatsEvent
from .config import BenchConfig, median, rounded
from .serve import free_port, start_serve, stop, ws_collect

if TYPE_CHECKING:
    from ...runtime.encoder import Encoder

log = logging.getLogger(__name__)


def _percentiles(lat_ms: list[float]) -> tuple[float | None, float | None]:
    if not lat_ms:
        return None, None
    return float(np.percentile(lat_ms, 50)), float(np.percentile(lat_ms, 99))


class LatencyProbe:
    """Sink: (time, ms from decode to arrival) of each cut, and the stats events that carry latencies."""

    def __init__(self) -> None:
        self.cuts: list[tuple[float, float]] = []
        self.stats: list[StatsEvent] = []

    def on_event(self, event: Event) -> None:
        now = time.time()
        if isinstance(event, CutEvent):
            self.cuts.append((event.time, 1000.0 * (now - event.wall)))
        elif isinstance(event, StatsEvent) and math.isfinite(event.latency_ms_p50):
            self.stats.append(event)

    def close(self) -> None:
        """Nothing to flush: the figures are read from the probe afterwards."""


def latency_in_process(cfg: BenchConfig, encoder: Encoder, clip: str) -> dict:
    """Decode -> cut event arriving at a sink fed by ``Pipeline.run()``, the clip paced and handled as live."""
    from ...runtime.pipeline import Pipeline, PipelineConfig
    from ...sinks.base import feed
    from ...sources import SourceConfig, open_source

    config = PipelineConfig(model=cfg.model, device=encoder.device)
    p50s, p99s, frame50, frame99, counts = [], [], [], [], []
    for _ in range(cfg.repeats):
        probe = LatencyProbe()
        feed(Pipeline([open_source(clip, SourceConfig(realtime=True, live=True))], config, encoder=encoder).run(), [probe])
        lat = [ms for _, ms in probe.cuts]
        a, b = _percentiles(lat)
        p50s.append(a), p99s.append(b), counts.append(len(lat))
        frame50.append(median([s.latency_ms_p50 for s in probe.stats]))
        frame99.append(median([s.latency_ms_p99 for s in probe.stats]))
    return {"method": "in-process (Pipeline.run consumer)", "cuts_per_run": counts,
            "cut_p50_ms": rounded(median(p50s)), "cut_p99_ms": rounded(median(p99s)),
            "frame_p50_ms": rounded(median(frame50)), "frame_p99_ms": rounded(median(frame99))}


def latency_websocket(cfg: BenchConfig, clip: str) -> dict:
    """Decode -> cut message received by a websocket client of ``reprocut serve --realtime --live``."""
    p50s, p99s, counts = [], [], []
    for _ in range(cfg.repeats):
        port = free_port()
        proc = start_serve([clip], port, cfg.model, ["--realtime", "--live"])
        try:
            messages = ws_collect(port, time.monotonic() + 120 + cfg.latency_frames / 10, 1)
        finally:
            code = stop(proc)
        cuts = []
        for text, arrived in messages:
            msg = json.loads(text)
            if msg.get("type") == "cut" and msg.get("wall"):
                cuts.append((msg["time"], 1000.0 * (arrived - msg["wall"])))
        if not cuts:
            err = proc.stderr.read().strip().splitlines()[-1:] if proc.stderr else []
            raise RuntimeError(f"no cut reached the websocket client (serve exit {code}: {' '.join(err)})")
        lat = [ms for _, ms in cuts]
        a, b = _percentiles(lat)
        p50s.append(a), p99s.append(b), counts.append(len(lat))
    return {"method": "websocket (reprocut serve --realtime --live, client on 127.0.0.1)", "cuts_per_run": counts,
            "cut_p50_ms": rounded(median(p50s)), "cut_p99_ms": rounded(median(p99s))}


def bench_latency(cfg: BenchConfig, encoder: Encoder, clip: str) -> dict:
    """Both latency figures for ``clip``; a websocket run that fails is reported, not fatal."""
    from ...sources.decode import open_video, stream_fps

    with open_video(clip) as c:
        fps = stream_fps(c.streams.video[0])
    out = {"clip": os.path.basename(clip), "fps": round(fps, 3), "frames": cfg.latency_frames,
           "note": "every cut, those of the 4 s warm-up included (a live warm-up decides with the prior threshold); "
                   "a cut goes out 4 frames after its frame: 2 held for unblending, 2 of the scorer's look-ahead; "
                   "live batches take what is ready"}
    out["in_process"] = latency_in_process(cfg, encoder, clip)
    try:
        out["websocket"] = latency_websocket(cfg, clip)
    except (RuntimeError, TimeoutError, OSError) as exc:
        out["websocket"] = {"error": str(exc)}
        log.warning("websocket latency not measured: %s", exc)
    return out
