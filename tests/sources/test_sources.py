"""Each kind of source, in process, through the real ring buffer: frames, numbering, times and statuses.

Inputs are real: generated H.264 clips decoded by PyAV, an OS pipe standing in for stdin, and a
loopback HTTP server (``HttpClip``) that serves an MPEG-TS, stalls and goes away on cue. The
command-line runs of the same cases live in ``test_robustness_*.py`` and ``tests/cli``.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
from helpers import TIMEOUT, shared_path, stalled_part, to_mpegts, ts_frame_times
from reprocut.stream.core.errors import UsageError
from reprocut.stream.runtime.ring import FrameRing, RingConfig
from reprocut.stream.sources import (
    DemoSource,
    DeviceSource,
    FileSource,
    NetworkSource,
    PipeSource,
    SourceConfig,
    open_source,
)
from reprocut.stream.sources.decode import RGBScaler, iter_video

FPS = 24.0  # the generated clips' rate
SIZE = (320, 180)


class Drained:
    """Everything a started source put into a ring, in order, and the statuses it reported."""

    def __init__(self, source, capacity: int = 1024, slot: int = 0, consume: bool = True):
        self.statuses: list[tuple[str, str]] = []
        self.ring = FrameRing(RingConfig(capacity=capacity))
        source.start(self.ring, slot, 64, lambda status, detail: self.statuses.append((status, detail)))
        if not consume:  # let the source run to its end against a ring nobody reads
            assert source.done.wait(TIMEOUT)
        batches, deadline = [], time.monotonic() + TIMEOUT
        while (batch := self.ring.get_batch(64, max_delay=0.01, timeout=1.0)) is not None:
            batches.append(batch)
            assert time.monotonic() < deadline, "the source never ended"
        source.join(TIMEOUT)
        self.index = [i for b in batches for i in b.index.tolist()]
        self.time = [t for b in batches for t in b.time.tolist()]
        self.stream = {s for b in batches for s in b.stream.tolist()}
        self.pixels = [p for b in batches for p in b.pixels]


@pytest.fixture(scope="module")
def clip(clip_factory) -> tuple[Path, dict]:
    """10 s of the demo: long enough for a live probe (~1 s of stream) to finish on a partial send."""
    return clip_factory("seed3", frames=240, seed=3)


# -- open_source: one place maps what the user typed to a kind ----------------------------------
@pytest.mark.parametrize("form, live, kind, is_live", [
    ("none", None, DemoSource, False),
    ("demo://?seed=1&frames=10", None, DemoSource, False),
    ("demo://?seed=1&frames=10", True, DemoSource, True),
    ("clip", None, FileSource, False),
    ("file://clip", None, FileSource, False),
    ("clip", True, NetworkSource, True),  # --live on a file: the live policy, ending at the file's end
    ("-", None, PipeSource, False),
    ("rtsp://127.0.0.1:9/cam", None, NetworkSource, True),
    ("rtsps://127.0.0.1:9/cam", None, NetworkSource, True),
    ("http://127.0.0.1:9/live.ts", None, NetworkSource, True),
    ("HTTPS://127.0.0.1:9/live.m3u8", None, NetworkSource, True),
    ("udp://127.0.0.1:9", None, NetworkSource, True),
    ("srt://127.0.0.1:9", None, NetworkSource, True),
    ("tcp://127.0.0.1:9", None, NetworkSource, True),
    ("rtmp://127.0.0.1:9/app", None, NetworkSource, True),
    ("/dev/video0", None, DeviceSource, True),
])
def test_open_source_maps_each_form_to_its_kind(clip, form, live, kind, is_live):
    url = {"none": None, "clip": str(clip[0]), "file://clip": f"file://{clip[0]}"}.get(form, form)
    source = open_source(url, SourceConfig(live=live))
    assert type(source) is kind
    assert source.live is is_live
    assert source.url == (url or "demo://")
    if kind is NetworkSource:
        assert source.local is (form == "clip")  # only a local file ends at its end instead of reconnecting


def still_image(folder: Path) -> Path:
    path = folder / "still.png"
    with av.open(str(path), "w", format="image2") as out:
        stream = out.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = 32, 32, "rgb24"
        for packet in stream.encode(av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")):
            out.mux(packet)
    return path


@pytest.mark.parametrize("case", ["missing", "missing-live", "missing-file-url", "directory", "empty", "text", "still",
                                  "scheme", "demo-word", "demo-fraction"])
def test_open_source_rejects_mistakes_with_one_line(tmp_path, case):
    empty, text, folder = tmp_path / "empty.mp4", tmp_path / "notes.mp4", tmp_path / "folder"
    empty.touch()
    text.write_text("not a video\n")
    folder.mkdir()
    missing = tmp_path / "missing.mp4"
    still = still_image(tmp_path) if case == "still" else None
    url, live, message = {
        "missing": (str(missing), None, f"{missing}: no such file or directory"),
        "missing-live": (str(missing), True, f"{missing}: no such file or directory"),
        "missing-file-url": (f"file://{missing}", None, f"{missing}: no such file or directory"),
        "directory": (str(folder), None, f"{folder}: is a directory, expected a video file"),
        "empty": (str(empty), None, f"{empty}: file is empty"),
        "text": (str(text), None, f"{text}: not a readable video (invalid data found when processing input)"),
        "still": (str(still), None, f"{still}: is a still image (png_pipe), not a video"),
        "scheme": ("ftp://host/clip.mp4", None, ("ftp://host/clip.mp4: unsupported URL scheme 'ftp' (use a file, - for stdin, "
                                                 "/dev/videoN, demo:// or hls://, http://, https://, rtmp://, rtmps://, rtp://, "
                                                 "rtsp://, rtsps://, srt://, tcp://, udp://)")),
        "demo-word": ("demo://?seed=x", None, "demo://?seed=x: expected demo://?seed=N&frames=N with whole numbers"),
        "demo-fraction": ("demo://?frames=1.5", None, "demo://?frames=1.5: expected demo://?seed=N&frames=N with whole numbers"),
    }[case]
    with pytest.raises(UsageError) as raised:
        open_source(url, SourceConfig(live=live))
    assert str(raised.value) == message


# -- decoding to 64x64 ---------------------------------------------------------------------------
@pytest.mark.parametrize("clip_name", ["bigbuckbunny/big_buck_bunny_0_30.webm", "fanedits/rezero_subaru_rem_subtitled.mp4"])
def test_one_scaling_context_gives_pyav_s_own_pixels(clip_name):
    """The frames the encoder sees are those PyAV's ``to_ndarray(width, height)`` gives (what earlier models
    were trained on), from one reused scaling context instead of one per frame; sizes change mid-stream too."""
    path = str(shared_path("eval", "clips", clip_name))
    scalers = {(64, 64): RGBScaler(), (48, 27): RGBScaler(48, 27)}
    with av.open(path) as container:
        for n, frame in enumerate(container.decode(video=0)):
            for (w, h), scale in scalers.items():
                assert np.array_equal(scale(frame), frame.to_ndarray(width=w, height=h, format="rgb24")), (n, w)
            if n == 120:
                break
    small = av.VideoFrame.from_ndarray(np.full((90, 160, 3), 77, np.uint8), format="rgb24")  # another size, same scaler
    assert np.array_equal(scalers[(64, 64)](small), np.full((64, 64, 3), 77, np.uint8))


# -- file ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["path", "file-url"])
def test_file_source_gives_every_frame_in_order_with_the_containers_facts(clip, form):
    path, labels = clip
    source = open_source(str(path) if form == "path" else f"file://{path}")
    assert (source.fps, source.width, source.height, source.total_frames) == (FPS, *SIZE, labels["frames"])  # before any frame
    got = Drained(source, capacity=16, slot=3)  # a small ring: the file waits for room, nothing is lost
    truth = list(iter_video(str(path), size=64))
    assert got.index == list(range(labels["frames"])) == [f.index for f in truth]
    assert got.time == [i / FPS for i in range(labels["frames"])] == [f.time for f in truth]
    assert np.array_equal(got.pixels, [f.rgb for f in truth])
    assert got.stream == {3} and got.ring.dropped[3] == 0
    assert got.statuses == [("ended", "end of file")]
    assert (source.frames_put, source.failed, source.done.is_set()) == (labels["frames"], False, True)


def test_live_file_drops_the_oldest_frames_when_the_ring_is_full_and_counts_them(clip):
    path, labels = clip
    n = labels["frames"]
    source = open_source(str(path), SourceConfig(live=True))
    got = Drained(source, capacity=8, consume=False)
    assert got.index == list(range(n - 8, n))  # the newest frames survive
    assert got.time == [i / FPS for i in range(n - 8, n)]
    assert got.ring.dropped[0] == n - 8 and source.frames_put == n
    assert got.statuses == [("connected", "320x180 @ 24 fps"), ("ended", "end of file")]


# -- demo ----------------------------------------------------------------------------------------
def test_demo_source_honours_seed_and_frames():
    source = open_source("demo://?seed=4&frames=30")
    assert (source.fps, source.width, source.height, source.total_frames) == (FPS, *SIZE, 30)
    got = Drained(source)
    assert got.index == list(range(30)) and got.time == [i / FPS for i in range(30)]
    assert got.statuses == [("ended", "end of demo stream")]
    again, other = Drained(open_source("demo://?frames=30&seed=4")), Drained(open_source("demo://?seed=5&frames=30"))
    assert np.array_equal(got.pixels, again.pixels)  # a seed is a fixed picture sequence
    assert not np.array_equal(got.pixels, other.pixels)
    assert open_source(None).total_frames == open_source("demo://").total_frames == 720  # DemoConfig's length


# -- pipe ----------------------------------------------------------------------------------------
def feed_stdin(monkeypatch, data: bytes) -> threading.Thread:
    """Make ``sys.stdin`` the read end of a real OS pipe and write ``data`` into it from a thread."""
    read_fd, write_fd = os.pipe()
    read_end = io.FileIO(read_fd, "rb")
    read_end.name = "<stdin>"  # as the process's own stdin is named in PyAV's messages
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(read_end)))

    def write() -> None:
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def test_pipe_source_reads_stdin_to_its_end(clip, monkeypatch):
    path, labels = clip
    n = labels["frames"]
    writer = feed_stdin(monkeypatch, to_mpegts(path))
    source = open_source("-")
    assert (source.fps, source.width, source.total_frames) == (25.0, 0, None)  # a pipe is read once: no probe
    got = Drained(source, capacity=16)
    writer.join(TIMEOUT)
    assert (source.fps, source.width, source.height) == (FPS, *SIZE)
    assert got.index == list(range(n))
    assert got.time == pytest.approx([got.time[0] + i / FPS for i in range(n)], abs=1e-9)  # the stream's own clock
    assert np.array_equal(got.pixels, [f.rgb for f in iter_video(str(path), size=64)])
    assert got.ring.dropped[0] == 0 and got.statuses == [("ended", "end of file")]


def test_pipe_of_junk_fails_with_a_one_line_error(monkeypatch):
    feed_stdin(monkeypatch, b"not a video\n" * 100)
    source = open_source("-")
    got = Drained(source)
    assert got.index == [] and source.failed
    message = "standard input is not readable media (invalid data found when processing input)"
    assert str(source.error) == message and got.statuses == [("failed", message)]


# -- network -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ts_clip(clip) -> tuple[bytes, dict]:
    path, labels = clip
    return to_mpegts(path), labels


def test_network_source_reconnects_when_the_stream_ends_and_gives_up_when_the_host_is_gone(ts_clip, step_server):
    data, labels = ts_clip
    n = labels["frames"]
    server = step_server([(data, "close"), (data, "close")], http_length=len(data))
    source = open_source(server.url, SourceConfig(max_retries=1))
    got = Drained(source)
    connected, ended, retry = ("connected", "320x180 @ 24 fps"), ("lost", "stream ended"), ("reconnecting", "in 0.5 s (attempt 1)")
    # --max-retries 1: one attempt after each loss; a connection that delivers frames starts the count again
    assert got.statuses == [connected, ended, retry, connected, ended, retry, ("lost", "connection refused"),
                            ("failed", "gave up after 1 reconnect attempts: connection refused")]
    assert server.connections == 2 and source.failed and source.error is None  # a network failure is not a user mistake
    # Numbering goes on across the reconnect, and the second play starts one frame after the first.
    assert got.index == list(range(2 * n))
    assert got.time == pytest.approx([i / FPS for i in range(2 * n)], abs=1e-9)
    assert got.ring.dropped[0] == 0


def test_network_source_reconnects_after_a_stall(ts_clip, step_server):
    data, labels = ts_clip
    part = stalled_part(data)  # then silence
    server = step_server([(part, "stall"), (data, "close")], http_length=len(data))
    source = open_source(server.url, SourceConfig(stall_timeout=1.0, max_retries=1))
    got = Drained(source)
    retry = ("reconnecting", "in 0.5 s (attempt 1)")
    assert got.statuses == [("connected", "320x180 @ 24 fps"), ("lost", "no data for 1 s (stalled)"), retry,
                            ("connected", "320x180 @ 24 fps"), ("lost", "stream ended"), retry,
                            ("lost", "connection refused"), ("failed", "gave up after 1 reconnect attempts: connection refused")]
    # The first connection delivered every frame its bytes hold, those still inside the decoder when it went silent
    # too, at their own times (a B-frame whose data never came is missing: the time moves on past it); the second
    # continues one frame interval after the last of them.
    stalled = ts_frame_times(part)
    second = [stalled[-1] + (i + 1) / FPS for i in range(labels["frames"])]
    assert got.index == list(range(len(stalled) + labels["frames"]))
    assert got.time == pytest.approx(stalled + second, abs=1e-9)


class Arrivals:
    """A frame sink that notes when each frame arrived and when each status was reported."""

    def __init__(self):
        self.frames: list[float] = []
        self.statuses: list[tuple[str, float]] = []

    def add_producer(self) -> None: ...

    def producer_done(self) -> None: ...

    def put(self, pixels, index, time_s, wall, stream=0, block=True) -> bool:
        self.frames.append(time.monotonic())
        return True

    def status(self, status: str, detail: str) -> None:
        self.statuses.append((status, time.monotonic()))


class GoesSilent(io.RawIOBase):
    """Bytes, then a read that fails as a stalled connection's does: what a demuxer holds then stays in it."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if n := self._data.readinto(buffer):
            return n
        raise TimeoutError("silent")


def frames_before_silence(ts: bytes) -> int:
    """How many frames one decoder thread gives from an MPEG-TS before its input goes silent (no flush)."""
    frames = 0
    with pytest.raises(TimeoutError), av.open(GoesSilent(ts), format="mpegts") as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        for packet in container.demux(stream):
            frames += len(packet.decode())
    return frames


def test_a_live_source_hands_each_frame_over_when_its_data_is_in(ts_clip, step_server):
    """A live stream's frames leave the decoder as soon as the stream's own frame order allows, not when later
    packets push them out: long before a silent stream counts as stalled, it has handed over as many frames as one
    decoder thread gives from the same bytes (FFmpeg's frame threads would hold one more per thread: 2 on 2 cores,
    16 on 16); the rest come out at the stall."""
    data, _ = ts_clip
    part = stalled_part(data)
    server = step_server([(part, "stall")], http_length=len(data))
    stall = 2.0
    source = open_source(server.url, SourceConfig(stall_timeout=stall, max_retries=0))
    sink = Arrivals()
    source.start(sink, 0, 64, sink.status)
    assert source.done.wait(TIMEOUT)
    lost = next(t for status, t in sink.statuses if status == "lost")  # the stall's time after the data stopped
    on_arrival, one_thread = sum(t < lost - stall / 2 for t in sink.frames), frames_before_silence(part)
    assert on_arrival >= one_thread > 0, (on_arrival, one_thread)
    assert len(sink.frames) == len(ts_frame_times(part))


# -- device --------------------------------------------------------------------------------------
def absent_device() -> str:
    """A /dev/videoN that does not exist on this machine (the first free number from 99 on)."""
    return next(f"/dev/video{n}" for n in range(99, 10_000) if not os.path.exists(f"/dev/video{n}"))


@pytest.mark.parametrize("kind", ["missing", "not-v4l2"])
def test_device_source_opens_with_v4l2_and_reports_a_missing_device(kind):
    """A device that is not there never connected: it fails at once, saying why in words; a file that is no
    v4l2 device is refused by the v4l2 demuxer (which a plain file read would not be)."""
    url, make = (absent_device(), open_source) if kind == "missing" else ("/dev/null", DeviceSource)
    source = make(url, SourceConfig(max_retries=0))
    assert type(source) is DeviceSource and source.live
    got = Drained(source)
    reason = {"missing": "no such file or directory", "not-v4l2": "inappropriate ioctl for device"}[kind]
    [(status, detail)] = got.statuses
    assert status == "failed" and re.fullmatch(rf"{re.escape(url)}: {reason} \(never connected: 1 try in [\d.]+ s\)", detail), detail
    assert got.index == [] and source.failed
