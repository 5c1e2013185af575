"""Local workers: a pool of processes, each with its own encoder session, fed one video at a time.

At most one video per worker is in flight, so a run killed outright loses only those. Workers
are started with ``spawn`` (a fresh interpreter: no decode or ONNX Runtime threads inherited
half-way through a fork) and, on Linux, ask the kernel to kill them when the command dies, so a
``kill -9`` of ``reprocut batch`` leaves no orphans decoding on. A worker process that dies (a
crash in a decoder) breaks the pool: the videos it held are retried in a fresh pool, and an input
that kills its worker ``RETRIES + 1`` times is recorded as failed.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from .inputs import Input
from .work import Job, Result, detect_one, failed

log = logging.getLogger(__name__)

RETRIES = 2  # as Ray's task retries
PR_SET_PDEATHSIG = 1


def _init_worker(level: int, parent: int) -> None:
    """Die with the parent (Linux), leave Ctrl-C to the parent; log warnings only (a line per video would
    bury the progress bar) unless the command was asked for debug output."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the line above
            os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=max(level, logging.WARNING) if level > logging.DEBUG else level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def run_local(todo: list[tuple[Input, Job]], workers: int) -> Iterator[Result]:
    """The result of every input of ``todo`` (each with its job), as each finishes, from ``workers`` processes."""
    pending = list(reversed(todo))
    tries: dict[Input, int] = {}
    while pending:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                                   initargs=(logging.getLogger().getEffectiveLevel(), os.getpid()))
        running: dict[Future, tuple[Input, Job]] = {}
        try:
            while pending or running:
                while pending and len(running) < workers:
                    task = pending.pop()
                    running[pool.submit(detect_one, *task)] = task
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    yield future.result()
        except BrokenProcessPool as exc:
            for task in [task, *running.values()]:  # the video that broke the pool is one of these
                item = task[0]
                tries[item] = tries.get(item, 0) + 1
                if tries[item] > RETRIES:
                    yield failed(item, f"its worker process died {tries[item]} times ({exc})")
                else:
                    log.warning("%s: its worker process died; trying again", item.source)
                    pending.append(task)
        except BaseException:  # Ctrl-C, or the caller stopped early: stop the videos in flight too
            _terminate(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (``terminate_workers`` from Python 3.14; its process table before)."""
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
