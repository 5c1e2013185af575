"""Wiring: sources -> ring buffer -> one encoder session -> a scorer per stream -> events.

``Pipeline.run()`` is a generator: it starts the decode threads, batches frames of every
stream together through the encoder, feeds each stream's scorer and transition detector and
yields events in order (source status changes, cuts, transitions, periodic stats, and an ``end``
per stream). Closing the generator stops the threads. Sources are opened by the caller
(``sources.open_source``): the runtime drives any ``core.contracts.Source`` and never imports the
sources layer.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from ..core.contracts import Source
from ..core.decider import Phase
from ..core.events import EndEvent, Event, SourceEvent, StatsEvent
from ..core.levels import Levels, LevelsConfig
from ..core.paper import PaperScorer
from ..core.plan import EncodePlan, plan_for
from ..core.reconcile import Reconciler
from ..core.scorer import Scorer, ScorerConfig, make_scorer
from ..core.scoring import noise_floors
from ..core.transitions import TransitionConfig, TransitionDetector
from ..core.unblend import Unblend, UnblendConfig
from .encoder import Encoder, EncoderConfig
from .ring import Batch, FrameRing, RingConfig

log = logging.getLogger(__name__)


@dataclass
class PipelineConfig:
    model: str = ""  # ONNX encoder; empty: the bundled default model
    device: str = "auto"  # auto | cpu | cuda
    batch: int = 0  # frames per encoder call; 0: 64 on CPU, 256 on CUDA
    every_frame: bool = False  # files: encode every frame, not only those near a visible change (core/plan.py)
    max_delay_ms: float = 250.0  # files: a waiting frame goes to the encoder after this long, full batch or not (paced: at once)
    ring_capacity: int = 1024
    stats_interval_s: float = 1.0
    stream_ids: list[str] = field(default_factory=list)  # names for the sources (default "0", "1", ...)
    scorer: ScorerConfig = field(default_factory=ScorerConfig)
    transitions: TransitionConfig | None = field(default_factory=TransitionConfig)  # None: cuts only
    unblend: UnblendConfig | None = field(default_factory=UnblendConfig)  # cuts blended over two frames (core/unblend.py); None: off
    levels: LevelsConfig | None = field(default_factory=LevelsConfig)  # dim footage stretched (core/levels.py); None: off


@dataclass
class StreamState:
    """Per-stream bookkeeping that the pipeline keeps beside the scorer."""

    id: str
    source: Source
    scorer: Scorer | PaperScorer | None = None
    plan: EncodePlan | None = None  # which frames go to the encoder
    unblend: Unblend | None = None  # the stream's blended frames, and the frames their test waits for (core/unblend.py)
    levels: Levels | None = None  # the stream's gain (core/levels.py)
    transitions: TransitionDetector | None = None
    reconcile: Reconciler = field(default_factory=Reconciler)  # which sent cuts each transition holds (core/reconcile.py)
    consumed: int = 0
    last_time: float = 0.0
    latencies: list[float] = field(default_factory=list)
    scored_since_stats: int = 0
    sent_last_frame: int = -1  # the frame the scores of the stream's last stats ended at
    stats_at: float = field(default_factory=time.monotonic)  # when the last stats went out
    finished: bool = False
    encoded: int = 0  # frames that went through the encoder (a repeat of the frame before does not)

    def info(self) -> dict:
        s = self.source
        return {"id": self.id, "source": s.url, "fps": s.fps, "width": s.width, "height": s.height, "live": s.live}


class Pipeline:
    def __init__(self, sources: list[Source], config: PipelineConfig | None = None, encoder: Encoder | None = None):
        self.cfg = config or PipelineConfig()
        self.encoder = encoder or Encoder(EncoderConfig(model=self.cfg.model, device=self.cfg.device))
        self.batch = self.cfg.batch or (256 if self.encoder.device == "cuda" else 64)
        # Encoder calls never exceed one batch (``_encode``): a live or paced stream reserves it now, so its memory
        # peaks at start, not at its first full batch; a file needs no warm call (~0.1 s of its start-up).
        if any(s.live or s.paced for s in sources):
            self.encoder.reserve(self.batch)
        self.ring = FrameRing(RingConfig(capacity=max(self.cfg.ring_capacity, 2 * self.batch), size=self.encoder.input_size))
        self._notices: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
        ids = self.cfg.stream_ids or [str(i) for i in range(len(sources))]
        self.streams = [StreamState(sid, src) for sid, src in zip(ids, sources)]
        self._stopped = False

    @property
    def scorers(self) -> list[Scorer | PaperScorer | None]:
        return [s.scorer for s in self.streams]

    def _status_callback(self, sid: str):
        def report(status: str, detail: str) -> None:
            level = logging.WARNING if status in ("lost", "failed") else logging.INFO
            if any(st.id == sid and st.source.error for st in self.streams):
                level = logging.DEBUG  # a user mistake: the command reports it once, as its error
            log.log(level, "stream %s: %s %s", sid, status, detail)
            self._notices.put(SourceEvent(sid, status, detail))
        return report

    def stop(self) -> None:
        """Ask every source to stop; ``run()`` then drains what was decoded and ends."""
        self._stopped = True
        for s in self.streams:
            s.source.stop()
        self.ring.close()

    def _start(self, st: StreamState) -> None:
        """The stream's scorer, encode plan and transition detector, made at its first frame: a live source's
        fps is known only then. Files read as fast as they decode skip the frames that decide nothing."""
        if st.scorer is not None:
            return
        cfg = replace(self.cfg.scorer, fps=st.source.fps)
        # paced (live, or a file with --realtime): the warm-up decides with the prior threshold, so that a rehearsal's
        # first cuts come when a live run's would, not all at once when k-means has its window
        st.scorer = make_scorer(cfg, st.id, self.encoder.calibration, live=st.source.paced)
        st.plan = plan_for(cfg, sparse=not (self.cfg.every_frame or st.source.paced))
        st.unblend = Unblend(self.cfg.unblend) if self.cfg.unblend is not None else None
        st.levels = Levels(self.cfg.levels) if self.cfg.levels is not None else None
        if self.cfg.transitions is not None:  # fed the same frames; the scorer's KL noise floor is its own
            kl_floor = noise_floors(cfg.scoring, self.encoder.calibration)["kl"]
            st.transitions = TransitionDetector(replace(self.cfg.transitions, fps=st.source.fps, kl_floor=kl_floor), st.id)

    def run(self) -> Iterator[Event]:
        for slot, s in enumerate(self.streams):
            s.source.start(self.ring, slot, self.encoder.input_size, self._status_callback(s.id))
        # Live or paced: batch by what is ready. Frames that arrive while the encoder works make the next batch,
        # so waiting for a batch to fill only adds latency. Files wait, for throughput: each batch costs the
        # main thread a fixed share of Python, which it takes from the decoder (BENCHMARKS.md, "Batch wait").
        max_delay = 0.0 if any(s.source.paced for s in self.streams) else self.cfg.max_delay_ms / 1000.0
        last_stats = time.monotonic()
        try:
            while True:
                batch = self.ring.get_batch(self.batch, max_delay, timeout=0.25)
                yield from self._drain_notices()
                if batch is None:
                    break
                if len(batch):
                    yield from self._score(batch)
                yield from self._finish_done_streams()
                now = time.monotonic()
                if now - last_stats >= self.cfg.stats_interval_s:
                    for st in self.streams:
                        if not st.finished and st.scorer is not None:
                            yield self._stats(st, now)
                    last_stats = now
            yield from self._drain_notices()
            for st in self.streams:
                yield from self._finish(st)
        finally:
            self.stop()
            for s in self.streams:
                s.source.join(timeout=2.0)

    def _drain_notices(self) -> Iterator[SourceEvent]:
        while True:
            try:
                yield self._notices.get_nowait()
            except queue.Empty:
                return

    def _score(self, batch: Batch) -> Iterator[Event]:
        runs = []
        for slot in sorted(set(batch.stream.tolist())):  # not np.unique: it imports numpy.ma (~10 ms of start-up)
            st = self.streams[int(slot)]
            self._start(st)
            run = self._release(st, batch[batch.stream == slot])
            if run is not None:
                runs.append((st, run))
        yield from self._push(runs)

    @staticmethod
    def _release(st: StreamState, frames: Batch) -> Batch | None:
        """A stream's frames as the encoder and the scorer see them, as far as they can go now: unblended and stretched
        before anything measures the pictures, then through the encode plan (each may hold frames back for those that
        follow them)."""
        run = st.unblend.release(frames) if st.unblend is not None else frames
        return Pipeline._planned(st, run) if run is not None else None

    @staticmethod
    def _planned(st: StreamState, frames: Batch) -> Batch | None:
        """Unblended frames stretched, then through the encode plan."""
        if st.levels is not None:
            frames = replace(frames, pixels=st.levels.apply(frames.pixels))
        return st.plan.release(frames)

    def _push(self, runs: list[tuple[StreamState, Batch]]) -> Iterator[Event]:
        """Encode the runs of frames released by their streams together, then score each."""
        for (st, run), (mu, logvar) in zip(runs, self._encode(runs)):
            events = st.scorer.push(run.index, run.time, run.wall, mu, logvar, run.pixels)
            now = time.time()
            st.consumed += len(run)
            st.scored_since_stats += len(run)
            st.last_time = float(run.time[-1])
            st.latencies.extend((now - run.wall).tolist())
            yield from st.reconcile.sent(events)
            if st.transitions is not None:  # after the cuts, which wait for nothing
                found = st.transitions.push(run.index, run.time, run.wall, run.pixels, mu, logvar)
                # a file's warm-up (or paper mode) holds its cuts: transitions wait, the cuts go first
                yield from st.reconcile.after_cuts(found, cuts_final=st.scorer.phase is not Phase.WARMING)

    def _encode(self, runs: list[tuple[StreamState, Batch]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Posteriors of each run, encoding only the frames each stream's plan selects (``core/plan.py``), all
        runs' frames in one encoder call."""
        if not runs:
            return []
        chosen = [st.plan.select(run.pixels) for st, run in runs]
        for (st, _), sel in zip(runs, chosen):
            st.encoded += sel.count
        pixels = np.concatenate([run.pixels[sel.fresh] for (_, run), sel in zip(runs, chosen)])
        # At most one batch per encoder call (held-back frames can make the runs longer): memory stays as reserved.
        parts = [self.encoder.encode(pixels[i:i + self.batch]) for i in range(0, len(pixels), self.batch)]
        empty = np.zeros((0, self.encoder.latent), np.float32)
        mu, logvar = (np.concatenate(p) for p in zip(*parts)) if parts else (empty, empty)
        out, at = [], 0
        for (st, _), sel in zip(runs, chosen):
            out.append(st.plan.fill(sel, mu[at:at + sel.count], logvar[at:at + sel.count]))
            at += sel.count
        return out

    def _finish_done_streams(self) -> Iterator[Event]:
        for st in self.streams:
            src = st.source
            held = (st.plan.held if st.plan is not None else 0) + (st.unblend.held if st.unblend is not None else 0)
            if not st.finished and src.done.is_set() and st.consumed + held + self.ring.dropped[src.slot] >= src.frames_put:
                yield from self._finish(st)

    def _finish(self, st: StreamState) -> Iterator[Event]:
        if st.finished:
            return
        st.finished = True
        if st.plan is not None:  # what was held back: nothing follows it
            tail = st.unblend.rest() if st.unblend is not None else None
            last = self._planned(st, tail) if tail is not None else None
            if last is not None:  # encoded before the plan gives up what it holds: its frames are judged with them
                yield from self._push([(st, last)])
            rest = st.plan.rest()
            if rest is not None:
                yield from self._push([(st, rest)])
        yield from self._drain_notices()  # the source's own last word ('ended', 'failed') comes first
        if st.scorer is not None:
            yield from st.reconcile.sent(st.scorer.finish())
            yield from st.reconcile.after_cuts(st.transitions.finish() if st.transitions else [], cuts_final=True)
            yield self._stats(st, time.monotonic())  # the scores since the last stats: a chart's trace reaches the end
        reason = "failed" if st.source.failed else ("stopped" if self._stopped else "eof")
        frames, cuts = (st.scorer.frames, st.scorer.cuts) if st.scorer else (0, 0)
        duration = st.last_time + 1.0 / st.source.fps if frames else 0.0
        log.debug("stream %s: %d of %d frames encoded (the rest repeat the frame before or decide nothing)", st.id, st.encoded, st.consumed)
        yield EndEvent(st.id, frames, cuts, duration, self.ring.dropped[st.source.slot], reason)

    def _stats(self, st: StreamState, now: float) -> StatsEvent:
        """One stream's figures since its last stats, and its scores since then (as many as the scorer keeps: 256; at
        least the last 60; charts skip those they have): a paced stream that catches up after a stall, a batch at a
        time, leaves no gap in a page's trace."""
        lat = np.array(st.latencies) * 1000.0 if st.latencies else np.array([np.nan])
        recent = list(st.scorer.recent)
        fresh = min(len(recent), max(60, st.scorer.recent_last_frame - st.sent_last_frame))
        event = StatsEvent(st.id, st.scorer.frames, st.scored_since_stats / max(now - st.stats_at, 1e-6),
                           float(np.percentile(lat, 50)), float(np.percentile(lat, 99)), self.ring.dropped[st.source.slot],
                           st.scorer.threshold, [round(v, 3) for v in recent[len(recent) - fresh:]],
                           st.scorer.recent_last_frame)
        st.sent_last_frame = st.scorer.recent_last_frame
        st.latencies.clear()
        st.scored_since_stats, st.stats_at = 0, now
        return event

