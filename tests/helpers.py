"""Helpers shared by the test modules: running the CLI, shared data, clips, schema checks, serve processes.

Fixtures live in ``conftest.py``; everything a test imports by name lives here, so no test module
imports another.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path

import numpy as np
import psutil
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from reprocut.stream.core.events import CutEvent, StatsEvent

ROOT = Path(__file__).resolve().parents[1]


SHARED = ROOT.parent / "shared"


REPROCUT = [sys.executable, "-m", "reprocut.stream.cli"]


TIMEOUT = 60.0  # seconds: the bound on any single wait (a loaded 2-core CI machine is slow)


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run ``reprocut ARGS`` as a user would, capturing stdout and stderr (as text unless ``text=False``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    kwargs.setdefault("text", True)
    return subprocess.run([*REPROCUT, *map(str, args)], capture_output=True, timeout=timeout, env=env, **kwargs)


def require_extra(module: str):
    """The optional package ``module``, imported; where it is missing, the test fails (when it runs, not when the
    file is collected) with the extra that installs it. Not a skip: the test command installs every extra
    (``scripts/setup.sh --test``), so a missing one is a broken set-up, not a reason to pass."""
    from reprocut.stream.cli.main import EXTRAS

    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    extra = EXTRAS[module.split(".")[0]]
    pytest.fail(f"the {extra} extra is missing ({module} is not installed): pip install -e '.[{extra}]'", pytrace=False)


def imported(*args: str) -> set[str]:
    """The top-level modules ``reprocut ARGS`` imports (``python -X importtime``)."""
    result = subprocess.run([REPROCUT[0], "-X", "importtime", *REPROCUT[1:], *args], capture_output=True, text=True, timeout=120)
    return {m.group(1).split(".")[0] for m in re.finditer(r"^import time:.*\|\s*([\w.]+)$", result.stderr, re.M)}


def reprocut(*args: str) -> list[str]:
    return [*REPROCUT, *args]


def model_args() -> list[str]:
    """The bundled model (what users get), unless REPROCUT_TEST_MODEL names another."""
    model = os.environ.get("REPROCUT_TEST_MODEL")
    return ["--model", model] if model else []


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    """A user mistake: exit code 2, one line on stderr that names the problem (``needle``), no traceback
    and no library internals (PyAV's ``[Errno 1094995529]``, onnxruntime's ``[ONNXRuntimeError]``)."""
    assert needle, "name the problem the line must mention"
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "[Errno" not in lines[0] and "Error]" not in lines[0], lines[0]
    assert needle.lower() in lines[0].lower(), lines[0]


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test where a checkout has no shared data (users' clones)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared evaluation data ships only with the project's own checkouts")
    return path


def read_labels(name: str) -> tuple[Path, dict]:
    labels = json.loads(shared_path("eval", "labels", f"{name}.json").read_text())
    return SHARED / "eval" / labels["clip"], labels


def make_clip(folder: Path, frames: int = 240, seed: int = 3) -> tuple[Path, dict]:
    """A generated cartoon with hard cuts at known frames, and its labels."""
    out = folder / f"demo_{seed}_{frames}.mp4"
    subprocess.run(reprocut("demo", "--out", str(out), "--frames", str(frames), "--seed", str(seed)),
                   check=True, capture_output=True, timeout=300)
    return out, json.loads(out.with_suffix(".json").read_text())


def unmatched(labels: list[int], detected: list[int], tolerance: int = 2) -> list[int]:
    """Labelled cuts that no detection lies within ``tolerance`` frames of."""
    return [c for c in labels if not any(abs(d - c) <= tolerance for d in detected)]


def matched(found: list[int], truth: list[int], tol: int = 2) -> list[int]:
    """Truth cuts that some detection hits within ``tol`` frames (one-to-one)."""
    free = sorted(found)
    hits = []
    for t in truth:
        near = [f for f in free if abs(f - t) <= tol]
        if near:
            free.remove(near[0])
            hits.append(t)
    return hits


def jsonl_events(stdout: str) -> list[dict]:
    lines = stdout.splitlines()
    return [json.loads(line) for line in lines]  # every stdout line must be JSON


def load_validators() -> dict[str, Draft202012Validator]:
    root = resources.files("reprocut.stream.sinks.server") / "schema"
    schemas = {p.name: json.loads(p.read_text()) for p in root.iterdir() if p.name.endswith(".json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(s, default_specification=DRAFT202012)) for name, s in schemas.items())
    for s in schemas.values():
        Draft202012Validator.check_schema(s)
    return {name[:-5]: Draft202012Validator(s, registry=registry) for name, s in schemas.items()}


VALIDATORS = load_validators()


def validate(msg: dict) -> dict:
    """Check a message against its own schema and against the union schema of all messages."""
    VALIDATORS[msg["type"]].validate(msg)
    VALIDATORS["message"].validate(msg)
    return msg


def validate_some(msg: dict, seen: dict) -> dict:
    """``validate`` all but most stats messages (validating thousands is slow, and they are alike)."""
    seen[msg["type"]] = seen.get(msg["type"], 0) + 1
    return validate(msg) if msg["type"] != "stats" or seen["stats"] % 500 == 1 else msg


def recv_until(ws, stop, limit: int = 100_000) -> list[dict]:
    """Messages up to and including the first for which ``stop(msg)`` holds (sync client)."""
    out = []
    deadline = time.monotonic() + TIMEOUT
    for _ in range(limit):
        msg = validate(json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01))))
        out.append(msg)
        if stop(msg):
            return out
    raise AssertionError(f"no final message in {limit} messages")


# -- detector events for the hub and the server ----------------------------------------------
STREAM_INFO = {"id": "0", "source": "rtsp://cam:secret@10.0.0.9:554/live", "fps": 25.0, "width": 640, "height": 360, "live": True}


def stats_event(frames: int, n_scores: int = 3, seed: int = 0) -> StatsEvent:
    scores = np.random.default_rng(seed).uniform(0.5, 2.0, n_scores).round(6).tolist()  # incompressible-ish
    return StatsEvent("0", frames, 25.0, 12.0, 30.0, 0, 4.2, scores)


def cut_event(frame: int, pixels=None) -> CutEvent:
    return CutEvent("0", frame, frame / 25, 20.0, 4.2, time.time(), {"kl": 30.0, "pix": 9.0, "hist": 8.0}, pixels)


def http_get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class ServeProcess:
    """A real ``reprocut serve`` on a free loopback port; ``url`` is its HTTP root."""

    def __init__(self, *args: str, log_path: Path, port: int = 0, stdin=None):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(reprocut("serve", *args, "--port", str(port), *model_args()), stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=self._log, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=TIMEOUT)
        except queue.Empty:
            line = ""
        match = re.search(r"dashboard (http://\S+)/ ", line)
        if not match:
            self.close()
            raise AssertionError(f"serve did not start: {line!r}\n{self.stderr()}")
        self.url = match.group(1)
        self.ws = "ws" + self.url[4:] + "/ws"

    def stderr(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def rss(self) -> int:
        return psutil.Process(self.proc.pid).memory_info().rss

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=TIMEOUT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self._log.close()


def big_volume() -> int:
    """Bytes that surely exceed what the kernel buffers of one loopback connection can hold."""
    try:
        wmem = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        wmem = 4 << 20
    return wmem + (2 << 20)  # the test clients fix their receive buffers small


def small_socket(port: int) -> socket.socket:
    """A connected socket whose receive buffer cannot grow (a fixed SO_RCVBUF turns autotuning off)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    return s


def raw_subscriber(port: int) -> socket.socket:
    """A client that completes the websocket handshake and then never reads anything."""
    s = small_socket(port)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    return s


def to_mpegts(mp4: Path) -> bytes:
    """The clip's packets remuxed into MPEG-TS, what pipes and live streams carry (MP4 needs seeking)."""
    import av

    ts = mp4.with_suffix(".ts")
    with av.open(str(mp4)) as src, av.open(str(ts), "w", format="mpegts") as dst:
        stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    return ts.read_bytes()


def stalled_part(ts: bytes) -> bytes:
    """The first 40% of an MPEG-TS in whole 188-byte packets: what a stalled connection has sent."""
    return ts[:len(ts) * 2 // 5 // 188 * 188]


def ts_frame_times(ts: bytes) -> list[float]:
    """The times of the frames a piece of MPEG-TS decodes to, read to its end, from its first frame's."""
    import io

    import av

    with av.open(io.BytesIO(ts), format="mpegts") as container:
        times = [float(f.pts * f.time_base) for f in container.decode(video=0)]
    return [t - times[0] for t in times]


class StepServer:
    """A loopback TCP server that plays ``steps``, one per connection: send ``data``, then ``close`` or ``stall``.

    A stalled connection stays open without sending anything more. Once the steps are played
    the listening socket is closed, so further connections are refused (a source gone for good).
    With ``http_length`` it answers an HTTP GET first, announcing a body of that many bytes.
    """

    def __init__(self, steps: list[tuple[bytes, str]], http_length: int | None = None):
        self.steps = list(steps)
        self.http_length = http_length
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/live.ts"  # meaningful with http_length
        self.connections = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with self.listener:
            for data, then in self.steps:
                while not self._stop.is_set():
                    try:
                        conn, _ = self.listener.accept()
                        break
                    except TimeoutError:
                        continue
                else:
                    return
                self.connections += 1
                self._open.append(conn)
                if self.http_length is not None:
                    request = b""
                    while b"\r\n\r\n" not in request and (chunk := conn.recv(4096)):
                        request += chunk
                    data = (f"HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nContent-Length: {self.http_length}\r\n"
                            "Connection: close\r\n\r\n").encode() + data
                try:
                    conn.sendall(data)
                except OSError:  # the client gave up first
                    pass
                if then == "close":
                    conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(TIMEOUT)
        for conn in self._open:
            conn.close()



def write_cut_clip(path: Path, cuts: list[int], frames: int, size: tuple[int, int] = (160, 90), rate: int = 24,
                   vfr: bool = False, audio_rate: int | None = None, pcm: bool = False, keyint: int | None = None) -> dict:
    """An H.264 clip with hard cuts at known frames, written with PyAV: each scene its own colour, a square moving
    across it (so every frame differs from its neighbours) and, with ``audio_rate``, its own AAC tone
    (``tone(scene)`` Hz; ``pcm``: 16-bit mono PCM instead, for Matroska paths). ``vfr``: frame durations alternate
    1/rate and 2/rate (timestamps in ms). Odd sizes are
    encoded 4:4:4 (x264 needs even sizes for 4:2:0); ``keyint`` fixes the keyframe interval (no scene-cut keyframes).
    Returns what was written: the frames' times and the cuts."""
    from fractions import Fraction

    import av

    width, height = size
    bounds = [0, *cuts, frames]
    scene_of = np.searchsorted(cuts, np.arange(frames), side="right")
    times = np.cumsum([0] + [(2 if vfr and i % 2 else 1) / rate for i in range(frames - 1)])
    time_base = Fraction(1, 1000) if vfr else 1 / Fraction(rate)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height = width, height
        video.pix_fmt = "yuv444p" if width % 2 or height % 2 else "yuv420p"
        video.codec_context.time_base = time_base
        video.options = {"crf": "16", "preset": "veryfast", **({"x264-params": f"keyint={keyint}:min-keyint={keyint}:scenecut=0"} if keyint else {})}
        audio = None
        if audio_rate:
            audio = container.add_stream("pcm_s16le" if pcm else "aac", rate=audio_rate)
            audio.layout = "mono" if pcm else "stereo"
        played = 0  # audio samples written
        for i in range(frames):
            k = int(scene_of[i])
            img = np.full((height, width, 3), (40 + 50 * k % 200, 200 - 30 * k % 180, 90 + 70 * k % 160), np.uint8)
            x = (i - bounds[k]) * 5 % (width - 12)
            img[height // 3 : height // 3 + 12, x : x + 12] = 255 - img[0, 0]
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = round(times[i] / time_base)
            container.mux(video.encode(frame))
            if audio is not None:  # the tone of this frame's scene, up to the next frame's time
                end = round((times[i + 1] if i + 1 < frames else times[i] + 1 / rate) * audio_rate)
                t = np.arange(played, end) / audio_rate
                wave = 0.3 * np.sin(2 * np.pi * tone(k) * t)
                if pcm:
                    samples = av.AudioFrame.from_ndarray((wave * 32767).astype(np.int16)[None], format="s16", layout="mono")
                else:
                    samples = av.AudioFrame.from_ndarray(np.stack([wave, wave]).astype(np.float32), format="fltp", layout="stereo")
                samples.sample_rate, samples.pts, samples.time_base = audio_rate, played, Fraction(1, audio_rate)
                container.mux(audio.encode(samples))
                played = end
        container.mux(video.encode(None))
        if audio is not None:
            container.mux(audio.encode(None))
    return {"cuts": cuts, "frames": frames, "times": times.tolist(), "rate": rate, "audio_rate": audio_rate}


def tone(scene: int) -> float:
    """The frequency (Hz) of scene ``scene``'s tone (0-based) in ``write_cut_clip``."""
    return 300.0 + 250.0 * scene


def decode_frames(path: Path) -> tuple[list[np.ndarray], list[float]]:
    """Every frame of a video, full size RGB, and its presentation time (s)."""
    import av

    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return [f.to_ndarray(format="rgb24") for f in frames], [float(f.time) for f in frames]


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    """The first audio stream, mixed to mono float samples, and its sample rate."""
    import av

    with av.open(str(path)) as container:
        frames = [f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)]
        rate = container.streams.audio[0].sample_rate
    return np.concatenate(frames), rate
