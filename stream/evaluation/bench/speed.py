"""Speed: ``detect`` on a file against decoding it alone, against PySceneDetect, and the encoder alone by batch size.

Decoding is the practical speed limit of ``detect``, so the throughput table puts the two side
by side and their ratio says what everything else costs: ``reprocut detect FILE --jsonl`` as a
whole process (imports and model loading included, as a user waits for it) against PyAV decoding
in the benchmark's own process, and the pipeline alone in process. Each whole ``detect`` run also
gives its start-up: from the process's start to the first frames at the encoder (its ``-v`` log
line). On one size PySceneDetect's CLI runs right after each ``detect`` run, so the two
alternate. The encoder table shows what ONNX Runtime does with each batch size on CPU (and CUDA
when its provider loads).
"""

from __future__ import annotations

import datetime
import itertools
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from fractions import Fraction
from importlib.util import find_spec
from typing import TYPE_CHECKING

import numpy as np

from ...core.errors import UsageError
from .config import BenchConfig, median, rounded

if TYPE_CHECKING:
    from ...runtime.encoder import Encoder

log = logging.getLogger(__name__)


def reencode(sources: list[str], dst: str, width: int, height: int, frames: int, crf: int = 23) -> int:
    """The first ``frames`` frames of ``sources`` joined in order (looped if they are shorter), re-encoded to H.264
    at ``width`` x ``height`` with PyAV at the first source's frame rate; returns frames written."""
    import av

    from ...sources.decode import open_video, stream_fps

    with open_video(sources[0]) as first:
        rate = Fraction(stream_fps(first.streams.video[0])).limit_denominator(1001)
    n = 0
    with av.open(dst, "w") as out:
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"crf": str(crf), "preset": "veryfast"}
        for rgb in itertools.islice(_looped(sources, width, height), frames):
            # A fresh frame (no source timestamps): the encoder numbers frames at the output rate.
            for packet in vout.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
            n += 1
        for packet in vout.encode():
            out.mux(packet)
    return n


def _looped(sources: list[str], width: int, height: int) -> Iterator[np.ndarray]:
    """The frames of ``sources`` in order, again and again, as RGB at ``width`` x ``height``."""
    from ...sources.decode import RGBScaler, open_video

    to_rgb = RGBScaler(width, height)
    while True:
        some = False
        for path in sources:
            with open_video(path) as inp:
                vin = inp.streams.video[0]
                vin.thread_type = "AUTO"
                for frame in inp.decode(vin):
                    some = True
                    yield to_rgb(frame)
        if not some:
            return


def decode_only(path: str, plain: bool = False) -> tuple[int, float]:
    """PyAV straight to 64x64 RGB and nothing else, threaded and scaled as the detector's source is; ``plain``:
    with PyAV's own ``frame.to_ndarray(width=64, height=64)`` (a scaling context per frame, ~5x slower)."""
    from ...sources.decode import FRAME_SIZE, RGBScaler, open_video

    to_rgb = RGBScaler()
    start = time.perf_counter()
    n = 0
    with open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            if plain:
                frame.to_ndarray(width=FRAME_SIZE, height=FRAME_SIZE, format="rgb24")
            else:
                to_rgb(frame)
            n += 1
    return n, time.perf_counter() - start


def run_process(cmd: list[str], expect: int = 0) -> tuple[float, float, str]:
    """Run a whole process (its output discarded; a scene CSV goes to a temp dir): (wall seconds, start-up
    included; the wall-clock time it was started at; its stderr)."""
    with tempfile.TemporaryDirectory() as cwd:
        started = time.time()
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != expect:
        tail = result.stderr.strip().splitlines()[-1:]
        raise RuntimeError(f"{' '.join(cmd[2:5])} exited {result.returncode}: {' '.join(tail)}")
    return seconds, started, result.stderr


def timed_process(cmd: list[str], expect: int = 0) -> float:
    """Wall seconds of a whole process, start-up included; its output is discarded."""
    return run_process(cmd, expect)[0]


# ``-v``'s log line of the encoder's first real frames (runtime/encoder.py), stamped by the CLI's log format
FIRST_FRAMES = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO \S+: first \d+ frames at the encoder", re.M)


def startup_seconds(stderr: str, started: float) -> float | None:
    """Seconds from ``started`` (wall clock, when the process was started) to the first frames at the encoder, from
    the ``-v`` log of ``reprocut detect``; None when the log has no such line (no frame was encoded)."""
    found = FIRST_FRAMES.search(stderr)
    if found is None:
        return None
    return datetime.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() - started


def compile_package() -> None:
    """Compile reprocut's modules to bytecode before whole processes are timed, as an installed package has them (pip
    compiles at install, and a first run writes what is missing): where Python is told not to write bytecode
    (``PYTHONDONTWRITEBYTECODE``), each ``detect`` would otherwise compile its ~50 modules again, ~40 ms of its
    start-up that no user's second run pays. The peers' packages are compiled by their install."""
    import compileall

    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # reprocut.stream
    compileall.compile_dir(package, quiet=1)


def detect_command(cfg: BenchConfig, path: str) -> list[str]:
    """``reprocut detect PATH --jsonl``, as a user runs it; ``-v`` for its start-up line (a few log lines, no bar)."""
    cmd = [sys.executable, "-m", "reprocut.stream.cli", "-q", "-v", "detect", path, "--jsonl"]
    return cmd + (["--model", cfg.model] if cfg.model else [])


def pyscenedetect_command(path: str) -> list[str]:
    """PySceneDetect's CLI with its AdaptiveDetector and defaults, PyAV backend, writing its scene list (``-o .``: the
    temp dir ``run_process`` runs in), as ``scenedetect -i PATH -b pyav -o . detect-adaptive list-scenes -q``."""
    return [sys.executable, "-m", "scenedetect", "-i", path, "-b", "pyav", "-o", ".", "detect-adaptive", "list-scenes", "-q"]


def bench_throughput(cfg: BenchConfig, encoder: Encoder, sources: list[str], folder: str,
                     peer_size: tuple[int, int] | None = None) -> list[dict]:
    """``sources`` joined to ``cfg.throughput_frames`` frames and re-encoded to each of ``cfg.sizes`` (kept in
    ``folder``): decode fps (as the detector decodes, and with PyAV's plain ``to_ndarray``), detect fps (whole
    process and pipeline alone, also encoding every frame), their ratios, detect's start-up, and the share of
    frames encoded. At ``peer_size`` PySceneDetect's CLI runs after each whole ``detect`` (``pyscenedetect_s``;
    ``pyscenedetect_error`` when it is not installed)."""
    from ...runtime.pipeline import PipelineConfig
    from ..runner import detect_clip

    compile_package()
    rows = []
    for width, height in cfg.sizes:
        path = os.path.join(folder, f"throughput-{width}x{height}.mp4")
        if not os.path.exists(path):
            import av

            try:
                reencode(sources, path, width, height, cfg.throughput_frames)
            except av.FFmpegError as exc:
                raise UsageError(f"{sources[0]}: cannot re-encode to {width}x{height} ({exc})") from None
        sparse, every = PipelineConfig(model=cfg.model, device=encoder.device), PipelineConfig(
            model=cfg.model, device=encoder.device, every_frame=True)
        peer = (width, height) == peer_size
        peer_error = None if not peer or find_spec("scenedetect") else "not installed: scenedetect (pip install 'reprocut[bench]')"
        dec, plain, det, pipe, full, secs, starts, peers = [], [], [], [], [], [], [], []
        frames, encoded = 0, 0
        for _ in range(cfg.repeats):  # interleaved, so a slow spell of the machine hits each
            frames, seconds = decode_only(path)
            dec.append(frames / seconds)
            plain.append(frames / decode_only(path, plain=True)[1])
            seconds, started, stderr = run_process(detect_command(cfg, path))
            secs.append(seconds)
            det.append(frames / seconds)
            starts.append(startup_seconds(stderr, started))
            if peer and peer_error is None:  # right after reprocut's run: the two alternate
                peers.append(timed_process(pyscenedetect_command(path)))
            run = detect_clip(path, sparse, encoder)
            pipe.append(run.frames / run.seconds)
            encoded = run.encoded
            run = detect_clip(path, every, encoder)
            full.append(run.frames / run.seconds)
        d, t, p, e, pl = median(dec), median(det), median(pipe), median(full), median(plain)
        row = {"size": f"{width}x{height}", "path": path, "frames": frames, "decode_fps": rounded(d),
               "decode_s": rounded(frames / d, 3) if d else None, "detect_fps": rounded(t), "detect_s": rounded(median(secs), 2),
               "ratio": rounded(t / d, 2) if d and t else None, "startup_s": rounded(median(starts), 3),
               "plain_decode_fps": rounded(pl), "plain_ratio": rounded(t / pl, 2) if pl and t else None,
               "pipeline_fps": rounded(p), "pipeline_ratio": rounded(p / d, 2) if d and p else None,
               "every_frame_fps": rounded(e), "every_frame_ratio": rounded(e / d, 2) if d and e else None,
               "encoded_share": rounded(encoded / frames, 2) if frames else None, "runs": cfg.repeats}
        if peer:
            row |= {"pyscenedetect_error": peer_error} if peer_error else {"pyscenedetect_s": rounded(median(peers), 2)}
        rows.append(row)
        log.info("throughput %dx%d: decode %.0f fps (plain to_ndarray %.0f), detect %.0f fps (pipeline %.0f, every frame %.0f), "
                 "start-up %.3f s", width, height, d or 0, pl or 0, t or 0, p or 0, e or 0, row["startup_s"] or 0)
    return rows


def bench_vs_pyscenedetect(row: dict) -> dict:
    """``scenedetect -i FILE -b pyav detect-adaptive list-scenes`` (its defaults) against ``reprocut detect FILE --jsonl``,
    both whole processes, from the throughput ``row`` that ran them in turn (``bench_throughput``'s ``peer_size``)."""
    out = {"clip": os.path.basename(row["path"]), "size": row["size"], "frames": row["frames"], "reprocut_s": row["detect_s"],
           "command": "scenedetect -i FILE -b pyav -o DIR detect-adaptive list-scenes -q"}
    if row.get("pyscenedetect_error") or row.get("pyscenedetect_s") is None:
        return out | {"error": row.get("pyscenedetect_error") or "not measured"}
    seconds = row["pyscenedetect_s"]
    out |= {"pyscenedetect_s": seconds, "speedup": rounded(seconds / row["detect_s"], 2) if row["detect_s"] else None}
    log.info("vs PySceneDetect adaptive: %.2f s vs %.2f s", seconds, row["detect_s"] or 0)
    return out


def bench_encoder(cfg: BenchConfig) -> list[dict]:
    """Frames per second of the encoder alone for each of ``cfg.batches``, per device that loads."""
    import onnxruntime as ort

    from ...runtime.encoder import Encoder, EncoderConfig

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
            rows.append({"device": enc.device, "provider": provider, "batch": batch, "fps": rounded(f),
                         "ms_per_batch": rounded(1000.0 * batch / f, 2), "runs": cfg.repeats})
            log.info("encoder %s batch %d: %.0f frames/s", provider, batch, f)
    return rows
