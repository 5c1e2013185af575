"""Memory: the peak resident set of ``reprocut detect`` and of ``reprocut serve`` with several streams.

Each figure is the child process's own high-water mark, so what the benchmark itself holds
never counts.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time

from .config import BenchConfig, median, rounded
from .serve import CLI, free_port, start_serve, stop, ws_collect

log = logging.getLogger(__name__)


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
    """Peak RSS of ``detect`` on ``clip``, and of ``serve`` on ``cfg.serve_streams`` copies of it."""
    rows = []
    model = ["--model", cfg.model] if cfg.model else []
    peaks = []
    for _ in range(cfg.repeats):
        code, mb = peak_rss_of([*CLI, "-q", "detect", clip, "--jsonl", *model])
        if code != 0:
            raise RuntimeError(f"reprocut detect {clip} exited with {code}")
        peaks.append(mb)
    rows.append({"what": "reprocut detect (1 file)", "clip": os.path.basename(clip), "peak_rss_mb": rounded(median(peaks))})
    copies = []  # serve takes each source once: the same file under different names
    for i in range(cfg.serve_streams):
        copies.append(os.path.join(os.path.dirname(clip), f"stream{i}-{os.path.basename(clip)}"))
        shutil.copyfile(clip, copies[-1])
    peaks = []
    for _ in range(cfg.repeats):
        port = free_port()
        proc = start_serve(copies, port, cfg.model, [])
        peak = PeakRSS(proc)
        try:
            ws_collect(port, time.monotonic() + 300, cfg.serve_streams)  # until every stream has ended
        except (TimeoutError, OSError) as exc:
            log.warning("serve memory: %s", exc)
        stop(proc)
        peaks.append(peak.mb)
    rows.append({"what": f"reprocut serve ({cfg.serve_streams} streams)", "clip": os.path.basename(clip),
                 "peak_rss_mb": rounded(median(peaks))})
    return rows
