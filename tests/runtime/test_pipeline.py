"""``Pipeline``, in process: several sources through one ring and one encoder, each stream scored as if alone.

The sources are real (generated H.264 clips, the demo stream, a refused network connection) and
the encoder is the bundled model, as users run it.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import numpy as np
import pytest
from helpers import matched, read_labels
from reprocut.stream.core.decider import DeciderConfig
from reprocut.stream.core.events import EndEvent
from reprocut.stream.core.scorer import Scorer, ScorerConfig
from reprocut.stream.core.unblend import HOLD
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig
from reprocut.stream.runtime.pipeline import Pipeline, PipelineConfig
from reprocut.stream.sources import SourceConfig, open_source
from reprocut.stream.sources.decode import iter_video

FRAMES = 240  # 10 s at 24 fps


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(EncoderConfig())  # shared by the module's pipelines, as ``serve`` shares one between streams


@pytest.fixture(scope="module")
def clips(clip_factory) -> dict[str, tuple[str, dict]]:
    """Two clips in which the bundled model finds exactly the labelled cuts when each runs alone."""
    made = {sid: clip_factory(f"seed{seed}", frames=FRAMES, seed=seed) for sid, seed in (("a", 3), ("b", 11))}
    return {sid: (str(path), labels) for sid, (path, labels) in made.items()}


def cut_frames(events, stream: str) -> list[int]:
    return [e.frame for e in events if e.type == "cut" and e.stream == stream]


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_sources_through_one_pipeline_give_each_stream_what_it_gives_alone(clips, encoder):
    alone = {sid: cut_frames(Pipeline([open_source(path)], encoder=encoder).run(), "0") for sid, (path, _) in clips.items()}
    pipeline = Pipeline([open_source(path) for path, _ in clips.values()], PipelineConfig(stream_ids=list(clips)), encoder=encoder)
    events = list(pipeline.run())
    for sid, (_, labels) in clips.items():
        mine = [e for e in events if e.stream == sid]
        ends = [e for e in mine if isinstance(e, EndEvent)]
        assert len(ends) == 1 and mine[-1] is ends[0]  # one end per stream, after everything else of it
        cuts = cut_frames(mine, sid)
        assert cuts == alone[sid]  # sharing the ring and the encoder changes nothing
        assert len(cuts) == len(labels["cuts"]) and matched(cuts, labels["cuts"]) == labels["cuts"]
        assert [e.time for e in mine if e.type == "cut"] == [c / 24 for c in cuts]
        assert [(e.status, e.detail) for e in mine if e.type == "source"] == [("ended", "end of file")]
        end = ends[0]
        assert (end.frames, end.cuts, end.duration, end.dropped, end.reason) == (FRAMES, len(cuts), FRAMES / 24, 0, "eof")
    assert [s.info() for s in pipeline.streams] == [
        {"id": sid, "source": path, "fps": 24.0, "width": 320, "height": 180, "live": False} for sid, (path, _) in clips.items()]


def test_stop_ends_run_with_reason_stopped(encoder):
    source = open_source("demo://?frames=100000", SourceConfig(realtime=True))  # over an hour, paced
    pipeline = Pipeline([source], PipelineConfig(stats_interval_s=0.2), encoder=encoder)
    events = []
    for event in pipeline.run():
        events.append(event)
        if event.type == "stats":  # the first one, after 0.2 s of scoring
            pipeline.stop()
    end = events[-1]
    assert isinstance(end, EndEvent) and [e for e in events if isinstance(e, EndEvent)] == [end]
    assert end.reason == "stopped"
    *running, last = [e for e in events if e.type == "stats"]
    for stats in running:
        decided = max(stats.frames - pipeline.scorers[0].lookahead, 0)  # the scores end where the look-ahead begins
        assert stats.scores_last_frame == decided - 1 and len(stats.scores) == min(60, decided)
    # the stream's last stats, just before its end, reach its last frame: a chart's trace is whole
    assert events[-2] is last and last.scores_last_frame == end.frames - 1 and len(last.scores) == min(60, end.frames)
    assert end.frames == source.frames_put == pipeline.scorers[0].frames  # what was decoded before the stop was scored
    assert 0 < end.frames < 24 * 10  # stopped within seconds of the first stats
    # The source notices the stop on its own thread: its last word may come after the pipeline has ended.
    assert [(e.status, e.detail) for e in events if e.type == "source"] == [("stopped", "stopped")]  # as the end says
    assert source.done.is_set()  # run() joined the decode thread


def test_a_failed_source_ends_failed_and_the_other_stream_goes_on(clips, encoder):
    path, labels = clips["a"]
    url = f"tcp://127.0.0.1:{closed_port()}"
    sources = [open_source(url, SourceConfig(max_retries=0)), open_source(path)]
    events = list(Pipeline(sources, PipelineConfig(stream_ids=["gone", "a"]), encoder=encoder).run())
    gone = [e for e in events if e.stream == "gone"]
    [(status, detail)] = [(e.status, e.detail) for e in gone[:-1]]
    assert status == "failed" and detail.startswith(f"{url}: connection refused (never connected: 1 try")
    assert gone[-1] == EndEvent("gone", 0, 0, 0.0, 0, "failed")
    end, cuts = [e for e in events if e.stream == "a"][-1], cut_frames(events, "a")
    assert end == EndEvent("a", FRAMES, len(cuts), FRAMES / 24, 0, "eof")
    assert len(cuts) == len(labels["cuts"]) and matched(cuts, labels["cuts"]) == labels["cuts"]


def test_frames_that_repeat_the_one_before_are_not_encoded_and_change_no_decision(encoder):
    path, _ = read_labels("testvideo")  # a slideshow: many frames repeat the one before, byte for byte
    traced = PipelineConfig(every_frame=True, scorer=ScorerConfig(trace=True))  # this lever alone (sparse: test_sparse_encoding.py)
    pipeline = Pipeline([open_source(str(path))], traced, encoder=encoder)
    cuts = [e for e in pipeline.run() if e.type == "cut"]
    st = pipeline.streams[0]
    frames = list(iter_video(str(path)))
    pixels = np.stack([f.rgb for f in frames])
    repeats = int((pixels[1:] == pixels[:-1]).all(axis=(1, 2, 3)).sum())
    assert repeats > 0 and st.encoded == st.consumed - repeats == len(frames) - repeats
    # Every frame encoded, as before the repeats were skipped:
    mu, logvar = (np.concatenate(a) for a in zip(*(encoder.encode(pixels[s:s + 64]) for s in range(0, len(pixels), 64))))
    every = Scorer(replace(traced.scorer, fps=st.source.fps), calibration=encoder.calibration)
    index, times = np.array([f.index for f in frames]), np.array([f.time for f in frames])
    want = []
    for s in range(0, len(frames), 64):
        want += every.push(index[s:s + 64], times[s:s + 64], times[s:s + 64], mu[s:s + 64], logvar[s:s + 64], pixels[s:s + 64])
    want += every.finish()
    assert [e.frame for e in cuts] == [e.frame for e in want] and cuts
    assert [e.score for e in cuts] == pytest.approx([e.score for e in want], rel=1e-4)
    assert np.allclose(np.array(st.scorer.trace), np.array(every.trace), rtol=1e-4, equal_nan=True)


def test_a_live_stream_reports_warmup_cuts_within_the_wait(clips, encoder):
    """Live, the warm-up decides with a prior threshold: early cuts are not held until k-means has its window."""
    path, labels = clips["a"]
    warmup = DeciderConfig().warmup
    early = [c for c in labels["cuts"] if c / 24 < warmup]
    pipeline = Pipeline([open_source(path, SourceConfig(realtime=True, live=True))], encoder=encoder)
    run, late = pipeline.run(), []
    for event in run:
        if event.type == "cut":
            late.append((event.frame, time.time() - event.wall))
            if event.time >= warmup:
                break
    run.close()
    found = [f for f, _ in late if f / 24 < warmup]
    assert early and matched(found, early) == early
    wait = (pipeline.scorers[0].lookahead + HOLD) / 24  # the scorer's look-ahead and the frames unblending holds
    assert all(seconds < wait + 0.25 for _, seconds in late), late  # the wait plus a loaded machine's margin


def test_a_paced_stream_that_catches_up_after_a_stall_sends_every_score(clips, encoder):
    """A page draws a paced stream's whole run from its ``stats`` (``scores`` ending at ``scores_last_frame``). When
    the consumer stalls (here 4 s, ~96 frames at 24 fps) the stream catches up in whole batches between two stats:
    their scores must still cover every frame, not only the last 60."""
    path, _ = clips["a"]
    pipeline = Pipeline([open_source(path, SourceConfig(realtime=True))], encoder=encoder)
    covered: set[int] = set()
    stalled = False
    for event in pipeline.run():
        if event.type == "stats":
            covered.update(range(event.scores_last_frame + 1 - len(event.scores), event.scores_last_frame + 1))
            if not stalled:
                stalled = True
                time.sleep(4.0)
        elif event.type == "end":
            frames = event.frames
    assert stalled and covered == set(range(frames)), sorted(set(range(frames)) - covered)
