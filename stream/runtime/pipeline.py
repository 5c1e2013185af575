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
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from ..core.contracts import Source
from ..core.events import (
    CutEvent,
    EndEvent,
    Event,
    SourceEvent,
    StatsEvent,
    TransitionEvent,
)
from ..core.scenes import holds
from ..core.scorer import Scorer, ScorerConfig
from ..core.transitions import TransitionConfig, TransitionDetector
from .encoder import Encoder, EncoderConfig
from .ring import Batch, FrameRing, RingConfig

log = logging.getLogger(__name__)


@dataclass
class PipelineConfig:
    model: str = ""  # ONNX encoder; empty: the bundled default model
    device: str = "auto"  # auto | cpu | cuda
    batch: int = 0  # frames per encoder call; 0: 64 on CPU, 256 on CUDA
    every_frame: bool = False  # files: encode every frame, not only those near a visible change (core/sparse.py)
    max_delay_ms: float = 250.0  # files: a waiting frame goes to the encoder after this long, full batch or not (paced: at once)
    ring_capacity: int = 1024
    stats_interval_s: float = 1.0
    stream_ids: list[str] = field(default_factory=list)  # names for the sources (default "0", "1", ...)
    scorer: ScorerConfig = field(default_factory=ScorerConfig)
    transitions: TransitionConfig | None = field(default_factory=TransitionConfig)  # None: cuts only


@dataclass
class StreamState:
    """Per-stream bookkeeping that the pipeline keeps beside the scorer."""

    id: str
    source: Source
    scorer: Scorer | None = None
    transitions: TransitionDetector | None = None
    recent_cuts: deque[int] = field(default_factory=lambda: deque(maxlen=64))  # frames of the cuts sent, for ``cuts``
    held: list[TransitionEvent] = field(default_factory=list)  # transitions waiting while the scorer holds warm-up cuts
    consumed: int = 0
    last_time: float = 0.0
    latencies: list[float] = field(default_factory=list)
    scored_since_stats: int = 0
    finished: bool = False
    encoded: int = 0  # frames that went through the encoder (a repeat of the frame before does not)
    last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # pixels, mu, logvar of the last frame scored
    pending: Batch | None = None  # frames held back from the encoder (``Pipeline._held_back``)

    def info(self) -> dict:
        s = self.source
        return {"id": self.id, "source": s.url, "fps": s.fps, "width": s.width, "height": s.height, "live": s.live}


class Pipeline:
    def __init__(self, sources: list[Source], config: PipelineConfig | None = None, encoder: Encoder | None = None):
        self.cfg = config or PipelineConfig()
        self.encoder = encoder or Encoder(EncoderConfig(model=self.cfg.model, device=self.cfg.device))
        self.batch = self.cfg.batch or (256 if self.encoder.device == "cuda" else 64)
        self.encoder.reserve(self.batch)  # encoder calls never exceed it (``_encode``): memory peaks at start
        self.ring = FrameRing(RingConfig(capacity=max(self.cfg.ring_capacity, 2 * self.batch), size=self.encoder.input_size))
        self._notices: queue.SimpleQueue[SourceEvent] = queue.SimpleQueue()
        ids = self.cfg.stream_ids or [str(i) for i in range(len(sources))]
        self.streams = [StreamState(sid, src) for sid, src in zip(ids, sources)]
        self._stopped = False

    @property
    def scorers(self) -> list[Scorer | None]:
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

    def _scorer(self, st: StreamState) -> Scorer:
        if st.scorer is None:  # created at the first frame: a live source's fps is known only then
            st.scorer = Scorer(replace(self.cfg.scorer, fps=st.source.fps), st.id, self.encoder.calibration, live=st.source.live)
            if self.cfg.transitions is not None:  # fed the same frames; the scorer's KL noise floor is its own
                cfg = replace(self.cfg.transitions, fps=st.source.fps, kl_floor=st.scorer.floors["kl"])
                st.transitions = TransitionDetector(cfg, st.id)
        return st.scorer

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
                    yield from self._stats(now - last_stats)
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
        for slot in np.unique(batch.stream):
            st = self.streams[int(slot)]
            frames = batch[batch.stream == slot] if st.pending is None else st.pending + batch[batch.stream == slot]
            cut = max(len(frames) - self._held_back(st), 0)
            st.pending = frames[cut:]
            if cut:
                runs.append((st, frames[:cut]))
        yield from self._push(runs)

    def _held_back(self, st: StreamState) -> int:
        """Frames a stream keeps back from the encoder: on files read as fast as they decode, those that say which
        frames before them need encoding (``Scorer.needs_ahead``), so what is encoded depends on the file alone, not
        on batch boundaries. Paced streams encode every frame and hold nothing back: that would delay their events."""
        return 0 if self.cfg.every_frame or st.source.paced else self._scorer(st).needs_ahead

    def _push(self, runs: list[tuple[StreamState, Batch]]) -> Iterator[Event]:
        """Encode the runs of frames released by their streams together, then score each."""
        for (st, run), (mu, logvar) in zip(runs, self._encode(runs)):
            events = self._scorer(st).push(run.index, run.time, run.wall, mu, logvar, run.pixels)
            now = time.time()
            st.consumed += len(run)
            st.scored_since_stats += len(run)
            st.last_time = float(run.time[-1])
            st.latencies.extend((now - run.wall).tolist())
            yield from self._sent(st, events)
            if st.transitions is not None:  # after the cuts, which wait for nothing
                st.held += st.transitions.push(run.index, run.time, run.wall, run.pixels, mu, logvar)
                if st.scorer.threshold is not None:  # None: a file's warm-up (or paper mode) holds its cuts; they go first
                    yield from self._sent(st, st.held)
                    st.held = []

    @staticmethod
    def _sent(st: StreamState, events: Iterable[Event]) -> Iterator[Event]:
        """Events as they go out; a transition names the cuts already sent that it holds (the same change of
        scene: a cut goes out at once, the transition only once it has ended)."""
        for ev in events:
            if isinstance(ev, CutEvent):
                st.recent_cuts.append(ev.frame)
            elif isinstance(ev, TransitionEvent):
                ev.cuts = [f for f in st.recent_cuts if holds(ev, f)]
            yield ev

    def _encode(self, runs: list[tuple[StreamState, Batch]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Posteriors of each run, encoding only the frames that can change a decision (NaN for the others),
        all runs' frames in one encoder call.

        Animation holds a drawing for 2-3 frames: the same 64x64 input has the same posterior, so a
        repeat reuses it (exact: the KL between them is 0 either way). On files, frames far from any
        visible change are not encoded at all (``core/sparse.py``; ``every_frame`` turns that off); live and
        paced sources encode every frame, as the encoder keeps up with real time.
        """
        if not runs:
            return []
        plans, chosen = [], []
        for st, run in runs:
            px = run.pixels
            same = np.empty(len(run), bool)
            same[0] = st.last is not None and not np.isnan(st.last[1]).any() and np.array_equal(px[0], st.last[0])
            same[1:] = (px[1:] == px[:-1]).all(axis=(1, 2, 3))
            source = np.maximum.accumulate(np.where(same, -1, np.arange(len(run))))  # the frame each repeats (-1: before)
            wanted = (np.ones(len(run), bool) if not self._held_back(st)
                      else st.scorer.posteriors_needed(px, st.pending.pixels if st.pending is not None else px[:0]))
            fresh = ~same & wanted
            fresh[source[wanted & (source >= 0)]] = True  # a repeat that is needed needs the frame it repeats
            st.encoded += int(fresh.sum())
            plans.append((st, run, source, fresh))
            chosen.append(px[fresh])
        pixels = np.concatenate(chosen)
        # At most one batch per encoder call (held-back frames can make the runs longer): memory stays as reserved.
        parts = [self.encoder.encode(pixels[i:i + self.batch]) for i in range(0, len(pixels), self.batch)]
        encoded = tuple(np.concatenate(p) for p in zip(*parts)) if parts else None
        out, at = [], 0
        for st, run, source, fresh in plans:
            mu = np.full((len(run), self.encoder.latent), np.nan, np.float32)
            logvar = mu.copy()
            k = int(fresh.sum())
            if k:
                mu[fresh], logvar[fresh] = encoded[0][at:at + k], encoded[1][at:at + k]
                at += k
            carried = source < 0  # repeats of the previous run's last frame
            mu[~carried], logvar[~carried] = mu[source[~carried]], logvar[source[~carried]]
            if carried.any():
                mu[carried], logvar[carried] = st.last[1], st.last[2]
            st.last = (run.pixels[-1], mu[-1], logvar[-1])
            out.append((mu, logvar))
        return out

    def _finish_done_streams(self) -> Iterator[Event]:
        for st in self.streams:
            src = st.source
            pending = len(st.pending) if st.pending is not None else 0
            if not st.finished and src.done.is_set() and st.consumed + pending + self.ring.dropped[src.slot] >= src.frames_put:
                yield from self._finish(st)

    def _finish(self, st: StreamState) -> Iterator[Event]:
        if st.finished:
            return
        st.finished = True
        rest, st.pending = st.pending, None  # what was held back: nothing follows it
        if rest is not None and len(rest):
            yield from self._push([(st, rest)])
        yield from self._drain_notices()  # the source's own last word ('ended', 'failed') comes first
        if st.scorer is not None:
            yield from self._sent(st, st.scorer.finish())
            yield from self._sent(st, st.held + st.transitions.finish() if st.transitions else [])
        reason = "failed" if st.source.failed else ("stopped" if self._stopped else "eof")
        frames, cuts = (st.scorer.frames, st.scorer.cuts) if st.scorer else (0, 0)
        duration = st.last_time + 1.0 / st.source.fps if frames else 0.0
        log.debug("stream %s: %d of %d frames encoded (the rest repeat the frame before or decide nothing)", st.id, st.encoded, st.consumed)
        yield EndEvent(st.id, frames, cuts, duration, self.ring.dropped[st.source.slot], reason)

    def _stats(self, interval: float) -> Iterator[StatsEvent]:
        for st in self.streams:
            if st.finished or st.scorer is None:
                continue
            lat = np.array(st.latencies) * 1000.0 if st.latencies else np.array([np.nan])
            yield StatsEvent(st.id, st.scorer.frames, st.scored_since_stats / interval, float(np.percentile(lat, 50)),
                             float(np.percentile(lat, 99)), self.ring.dropped[st.source.slot], st.scorer.threshold,
                             [round(v, 3) for v in list(st.scorer.recent)[-60:]], st.scorer.recent_last_frame)
            st.latencies.clear()
            st.scored_since_stats = 0

