"""Live RTSP end to end: a real GStreamer RTSP server on loopback, killed and restarted mid-stream.

What "the clip's cuts within ±2 frames" means for a live source
---------------------------------------------------------------
Frame indices count the frames *this client decoded*, across every connection (they never
restart; see source.py). Over RTSP a connection does not necessarily begin at the clip's
frame 0: the server (``tests/rtsp_server.py``) plays the file for each client from its start,
but the first second can be consumed by stream probing and a decoder can only start on a
keyframe. So a connection starts at one of the clip's first two keyframes ``o`` (frame 0, or
the next keyframe if the first second went to probing), and from there frame ``o + k`` of the
clip gets index ``first_index + k``. A connection is *correct* when some ``o`` and offset
``d = first_index - o`` put a detection within ±2 frames of every labelled cut after ``o``
(``c + d``) and nowhere else, except one cut where the new connection's first frame follows the
old one's last (the picture jumps there) and one damaged frame at the very end of a killed
connection.

The scenario, for ``reprocut detect --jsonl`` and for ``reprocut serve`` with a websocket client:
connection 1 runs until three cuts have been reported, then the RTSP server is killed
(SIGKILL). The source reports ``lost`` and ``reconnecting``; the server is restarted on the
same port and the source ``connected`` again; the restarted server plays the clip from its
start, and the client runs until that replay has ended (``lost`` again, the end of the file).
Detections must fit connection 1 (truncated where it was killed) followed by the complete
replay, with indices and times increasing throughout, and the process must stop cleanly.
"""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import av
import pytest
from helpers import (
    TIMEOUT,
    jsonl_events,
    model_args,
    reprocut,
    run_cli,
    unmatched,
    validate,
)
from websockets.sync.client import connect

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("rtsp_server.py")
TOLERANCE = 2


def _has_rtsp_server() -> bool:
    try:
        probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
        return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(not _has_rtsp_server(), reason="needs GStreamer's RTSP server (scripts/setup.sh --test)")


class RtspServer:
    """``tests/rtsp_server.py`` under the system Python; ``restart()`` keeps the port."""

    def __init__(self, clip_path: Path, log_path: Path):
        self.clip = clip_path
        self.log = open(log_path, "w")
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([SYSTEM_PYTHON, str(SCRIPT), str(self.clip), "--port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = _readline(self.proc, TIMEOUT)
        assert line.startswith("ready "), f"RTSP server did not start: {line!r}"
        self.port = int(line.split()[1])

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/clip"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=TIMEOUT)

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        self.log.close()


def _readline(proc: subprocess.Popen, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout).strip()
    except queue.Empty:
        return ""


@pytest.fixture
def rtsp(clip, tmp_path):
    server = RtspServer(clip[0], tmp_path / "rtsp.log")
    yield server
    server.close()


def keyframes(path: Path) -> list[int]:
    with av.open(str(path)) as c:
        return [i for i, p in enumerate(c.demux(c.streams.video[0])) if p.is_keyframe]


# -- fitting detections to connections -------------------------------------------------------
def fits(detected: list[int], labels: list[int], start: int, offset: int, *, junction: bool, truncated: bool) -> bool:
    """Do ``detected`` cuts fit one connection that began at clip keyframe ``start`` with index offset ``offset``?

    ``junction``: a cut is allowed at the connection's first index (``start + offset``).
    ``truncated``: the connection was killed; labels after the last matched detection are not
    expected, and one damaged last frame may add a cut after it.
    """
    predicted = [c + offset for c in labels if c > start + TOLERANCE]
    near = lambda x, targets: any(abs(x - t) <= TOLERANCE for t in targets)  # noqa: E731
    matched = [x for x in detected if near(x, predicted)]
    if truncated:
        if not matched:
            return False
        predicted = [p for p in predicted if p <= max(matched) + TOLERANCE]
    extra = [x for x in detected if not near(x, predicted) and not (junction and abs(x - (start + offset)) <= TOLERANCE)]
    if truncated and extra and extra[-1] > max(matched):
        extra = extra[:-1]
    return not extra and not unmatched(predicted, detected, TOLERANCE)


def fit_two_connections(cuts: list[int], labels: list[int], starts: list[int]) -> tuple[list[int], list[int]] | None:
    """Split ``cuts`` into a killed first connection (indices from 0) and a full replay after it."""
    for split in range(1, len(cuts)):
        first, second = cuts[:split], cuts[split:]
        if not any(fits(first, labels, o, -o, junction=False, truncated=True) for o in starts):
            continue
        for o in starts:
            for d in {x - c for x in second for c in labels + [o]}:
                if o + d > max(first) and fits(second, labels, o, d, junction=True, truncated=False):
                    return first, second
    return None


# -- event sources ---------------------------------------------------------------------------
class DetectEvents:
    """Events from ``reprocut detect URL --jsonl --stats`` as they are printed."""

    def __init__(self, url: str, log_path: Path, *options: str):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(reprocut("detect", url, "--jsonl", "--stats", *options, *model_args()),
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")

    def next(self, timeout: float) -> dict | None:
        line = self.lines.get(timeout=timeout)
        return validate(json.loads(line)) if line else None

    def stop(self) -> tuple[int, list[dict]]:
        self.proc.send_signal(signal.SIGTERM)
        rest = []
        while (event := self.next(TIMEOUT)) is not None:
            rest.append(event)
        return self.proc.wait(timeout=TIMEOUT), rest

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        self.log.close()


class ServeEvents:
    """Events from ``reprocut serve URL`` through a websocket subscriber."""

    def __init__(self, url: str, serve):
        self.srv = serve(url, "--wait-for-client")
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(self.srv.ws, open_timeout=TIMEOUT))
        hello = self.next(TIMEOUT)
        assert hello["type"] == "hello" and hello["streams"][0]["live"] is True

    def next(self, timeout: float) -> dict | None:
        return validate(json.loads(self.ws.recv(timeout=timeout)))

    def stop(self) -> tuple[int, list[dict]]:
        self.srv.proc.send_signal(signal.SIGTERM)
        rest = []
        try:
            while True:
                rest.append(self.next(TIMEOUT))
        except Exception:  # the server closed the connection
            pass
        return self.srv.proc.wait(timeout=TIMEOUT), rest

    def close(self) -> None:
        self.stack.close()


# -- the scenario ----------------------------------------------------------------------------
def run_scenario(events, rtsp: RtspServer, labels: list[int], starts: list[int]) -> None:
    seen: list[dict] = []
    deadline = time.monotonic() + 4 * TIMEOUT

    def until(predicate, what: str) -> dict:
        while time.monotonic() < deadline:
            event = events.next(max(deadline - time.monotonic(), 0.01))
            assert event is not None, f"the stream ended while waiting for {what}"
            seen.append(event)
            assert not (event["type"] == "source" and event["status"] == "failed"), event
            if predicate(event):
                return event
        raise AssertionError(f"timed out waiting for {what}")

    status = lambda s: lambda e: e["type"] == "source" and e["status"] == s  # noqa: E731
    until(status("connected"), "the first connection")
    until(lambda e: e["type"] == "cut" and sum(x["type"] == "cut" for x in seen) >= 3, "three cuts")
    rtsp.kill()  # mid-stream: the clip has not ended yet
    until(status("lost"), "'lost' after the kill")
    until(status("reconnecting"), "'reconnecting'")
    rtsp.start()  # same port
    until(status("connected"), "the reconnection")
    until(status("lost"), "the end of the replayed clip")
    code, rest = events.stop()
    assert code == 0
    seen += rest

    statuses = [e["status"] for e in seen if e["type"] == "source"]
    first_lost = statuses.index("lost")
    assert statuses[0] == "connected" and statuses[first_lost + 1] == "reconnecting"
    assert statuses[first_lost:].index("connected") > 1  # lost, reconnecting, ..., connected
    ends = [e for e in seen if e["type"] == "end"]
    assert len(ends) == 1 and ends[0]["reason"] == "stopped"

    cuts = [e for e in seen if e["type"] == "cut"]
    frames = [c["frame"] for c in cuts]
    times = [c["time"] for c in cuts]
    assert frames == sorted(set(frames)) and times == sorted(set(times)), "indices and times increase across reconnects"
    counts = [e["frames"] for e in seen if e["type"] == "stats"]
    assert counts == sorted(counts)
    assert ends[0]["frames"] > max(frames)
    split = fit_two_connections(frames, labels, starts)
    assert split is not None, f"cuts {frames} do not fit the clip's cuts {labels} (connections starting at {starts})"
    print(f"connection 1: cuts {split[0]}; after the restart: {split[1]}")


def test_detect_follows_rtsp_through_a_server_restart(clip, rtsp, tmp_path):
    path, labels = clip
    events = DetectEvents(rtsp.url, tmp_path / "detect.log")
    try:
        run_scenario(events, rtsp, labels["cuts"], keyframes(path)[:2])
    finally:
        events.close()


def test_serve_follows_rtsp_through_a_server_restart(clip, rtsp, serve):
    path, labels = clip
    events = ServeEvents(rtsp.url, serve)
    try:
        run_scenario(events, rtsp, labels["cuts"], keyframes(path)[:2])
    finally:
        events.close()


# -- a source that never connected ------------------------------------------------------------
def test_a_camera_that_refuses_the_first_connection_fails_in_seconds_with_one_line(clip_factory, tmp_path):
    """The RTSP server answers, but has no such stream (404): the source never connected, so it is not ``lost`` and
    not reconnected with backoff for a minute; three quick tries, then one line that names the URL and the reason
    in words, no scene table, exit 1."""
    path, _ = clip_factory("rtsp-short", frames=48, seed=5)
    server = RtspServer(path, tmp_path / "rtsp.log")
    wrong = server.url.replace("/clip", "/stream1")
    try:
        result = run_cli("detect", wrong, *model_args(), timeout=4 * TIMEOUT)
    finally:
        server.close()
    assert result.returncode == 1 and result.stdout == "", result.stdout
    (line,) = result.stderr.splitlines()
    assert wrong in line and "404 not found" in line and "never connected: 3 tries" in line and "Error" not in line, line


# -- --max-retries 0: never reconnect ---------------------------------------------------------
def test_no_retries_a_stream_its_server_ends_ends_the_run(clip_factory, tmp_path):
    """The server plays the clip and ends it: ``connected``, ``ended``, exit 0; no reconnect, no replay."""
    path, _ = clip_factory("rtsp-short", frames=48, seed=5)  # 2 s at 24 fps
    server = RtspServer(path, tmp_path / "rtsp.log")
    try:
        result = run_cli("detect", server.url, "--jsonl", "--max-retries", "0", *model_args(), timeout=4 * TIMEOUT)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    events = [validate(e) for e in jsonl_events(result.stdout)]
    assert [e["status"] for e in events if e["type"] == "source"] == ["connected", "ended"]
    assert events[-1]["type"] == "end" and events[-1]["reason"] == "eof" and 0 < events[-1]["frames"] <= 48


def test_no_retries_a_lost_stream_fails_the_run(rtsp, tmp_path):
    """The server freezes mid-stream (SIGSTOP): ``lost`` after --stall-timeout, then ``failed``, exit 1; no reconnect."""
    events = DetectEvents(rtsp.url, tmp_path / "detect.log", "--max-retries", "0", "--stall-timeout", "1")
    seen = []
    try:
        while (event := events.next(4 * TIMEOUT)) is not None:
            seen.append(event)
            if event["type"] == "stats":  # frames are flowing: freeze the server
                rtsp.proc.send_signal(signal.SIGSTOP)
                break
        while (event := events.next(4 * TIMEOUT)) is not None:
            seen.append(event)
        code = events.proc.wait(timeout=TIMEOUT)
    finally:
        rtsp.proc.send_signal(signal.SIGCONT)
        events.close()
    statuses = [(e["status"], e["detail"]) for e in seen if e["type"] == "source"]
    assert [s for s, _ in statuses] == ["connected", "lost", "failed"], statuses
    assert "stalled" in statuses[1][1] and statuses[2][1].startswith("gave up after 0 reconnect attempts")
    assert code == 1 and seen[-1]["type"] == "end" and seen[-1]["reason"] == "failed"


def test_fit_rejects_wrong_detections():
    labels, starts = [14, 38, 55, 70, 119, 127, 184, 191], [0, 38]
    good = [17, 32, 81] + [300, 317, 332, 381, 389, 446, 453]  # starts at 38; replay from 38 at index 300
    assert fit_two_connections(good, labels, starts) == ([17, 32, 81], [300, 317, 332, 381, 389, 446, 453])
    assert fit_two_connections([14, 38, 55] + [250, 264, 288, 305, 320, 369, 377, 434, 441], labels, starts)
    assert fit_two_connections([17, 32, 81] + [300, 317, 332, 381, 446, 453], labels, starts) is None  # a cut missed
    assert fit_two_connections([17, 32, 81] + [300, 317, 332, 360, 381, 389, 446, 453], labels, starts) is None  # a false one
    assert fit_two_connections([17, 32, 81] + [317, 332, 381, 389, 446, 460], labels, starts) is None  # shifted
