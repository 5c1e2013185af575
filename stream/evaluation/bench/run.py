"""One ``reprocut bench`` run: the machine it ran on, the clips it needs, every section in turn.

Generated clips (and the re-encoded sizes of ``--clip``) go to ``cfg.workdir``, or to a temp
folder removed afterwards. The 1-minute load average is recorded after each section, because
other work on the machine skews every figure.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict

from ...core.errors import UsageError
from .accuracy import bench_accuracy, make_demo_dataset
from .config import BenchConfig
from .latency import bench_latency
from .memory import bench_memory
from .speed import bench_encoder, bench_throughput, bench_vs_pyscenedetect
from .stages import bench_scorer, bench_time_to_error


def load_avg() -> float | None:
    """1-minute load average: other work on the machine skews every figure, so each section records it."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine_info() -> dict:
    """CPU, cores, memory, OS and the versions of the libraries that set the speed."""
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
            "load_avg_1min": load_avg()}


def run_bench(cfg: BenchConfig, command: str = "", archive: Callable[[BenchConfig, str], dict] | None = None) -> dict:
    """Every section, in order; the report as a JSON-ready dict (``to_markdown`` prints it).

    ``archive`` measures ``reprocut batch`` (``batch.bench.bench_archive``, handed over by the CLI: the batch
    runner sits above evaluation) with the config and the work folder; None leaves that section out.
    """
    from ...runtime.encoder import Encoder, EncoderConfig
    from ...sources.cartoon import DemoConfig, write_clip

    folder = cfg.workdir or tempfile.mkdtemp(prefix="reprocut-bench-")
    os.makedirs(folder, exist_ok=True)
    try:
        encoder = Encoder(EncoderConfig(model=cfg.model, device="cpu"))
        report: dict = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                        "command": command, "machine": machine_info(),
                        "model": {"path": encoder.path, "name": encoder.name, "latent": encoder.latent},
                        "config": {k: v for k, v in asdict(cfg).items() if k != "workdir"}}
        # The generated clips render at 16x (source) and 4x (latency) fewer pixels in a quick run: the cartoon
        # renders at a few frames per second at 1280x720, and a quick run's figures mean nothing.
        small = (320, 180) if cfg.quick else None
        sources = list(cfg.clip)
        if not sources:
            sources = [os.path.join(folder, "source.mp4")]
            width, height = small or (1280, 720)
            write_clip(DemoConfig(width=width, height=height, frames=48 if cfg.quick else 480, seed=21), sources[0])
        for source in sources:
            if not os.path.isfile(source):
                raise UsageError(f"{source}: no such file")
        # PySceneDetect on the middle size (640x360), its runs alternating with reprocut's
        rows = bench_throughput(cfg, encoder, sources, folder, peer_size=cfg.sizes[len(cfg.sizes) // 2])
        report["throughput"] = {"source": " + ".join(os.path.basename(s) for s in sources), "rows": rows}
        report["load"] = {"throughput": load_avg()}
        middle = rows[len(rows) // 2]
        report["pyscenedetect"] = bench_vs_pyscenedetect(middle)
        report["encoder"] = bench_encoder(cfg)
        report["scorer"] = bench_scorer(cfg, encoder, middle["path"])
        report["time_to_error"] = bench_time_to_error(cfg)
        report["load"]["stages"] = load_avg()
        live = os.path.join(folder, "latency.mp4")
        width, height = small or (640, 360)
        write_clip(DemoConfig(width=width, height=height, frames=cfg.latency_frames, seed=22), live)
        report["latency"] = bench_latency(cfg, encoder, live)
        report["load"]["latency"] = load_avg()
        report["memory"] = bench_memory(cfg, middle["path"])
        report["load"]["memory"] = load_avg()
        dataset = cfg.dataset
        if dataset is None:
            dataset = make_demo_dataset(os.path.join(folder, "dataset"), (31,) if cfg.quick else (31, 32, 33, 34),
                                        48 if cfg.quick else 480)
        report["accuracy"] = bench_accuracy(cfg, dataset)
        report["load"]["accuracy"] = load_avg()
        if archive is not None:
            report["archive"] = archive(cfg, folder)
            report["load"]["archive"] = load_avg()
        return report
    finally:
        if cfg.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
