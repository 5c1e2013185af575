"""``run_batch``: expand the inputs, skip what a previous run finished, detect the rest, record each.

A video finished before is skipped only when nothing that decides its result changed since
(``settings.py``, ``manifest.py``); one made with other settings is done again, with a warning that
says what changed. Workers (local processes or Ray tasks) hand back each video's manifest fields and scene-file
texts; this process writes the scene files (atomically), then the manifest line, in that order,
so a manifest line that says ``ok`` always has its files. One progress bar counts videos, with
the frames per second of the whole run and an ETA.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from ..core.errors import UsageError
from ..runtime.progress import Progress
from ..sinks.files.scene_files import write_atomic
from ..sinks.files.terminal import count
from .inputs import Input, expand
from .manifest import Manifest, source_stat
from .settings import model_sha, settings_of
from .work import Job, Result

log = logging.getLogger(__name__)


@dataclass
class BatchConfig:
    workers: int = 0  # worker processes, or local Ray CPUs in units of Job.threads (0: the machine's cores divided by threads)
    ray: str | None = None  # None: local processes; "": a local Ray instance; else a Ray cluster's address


@dataclass
class Summary:
    inputs: int = 0
    skipped: int = 0  # finished by an earlier run, unchanged since
    redone: int = 0  # finished by an earlier run, done again (other settings, scene file kinds added)
    ok: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, error)
    frames: int = 0
    video_seconds: float = 0.0
    wall: float = 0.0

    def lines(self) -> list[str]:
        """What the command prints at the end."""
        hours = self.video_seconds / 3600
        rate = f"{hours / (self.wall / 3600):.1f} video-hours per hour, " if self.wall else ""
        again = f" ({self.redone} done again)" if self.redone else ""
        out = [f"{count(self.inputs, 'input')}: {self.ok} ok{again}, {len(self.failed)} failed, {self.skipped} done before; "
               f"{span(self.video_seconds)} of video ({count(self.frames, 'frame')}) in {self.wall:.1f} s: "
               f"{rate}{self.frames / self.wall if self.wall else 0:.0f} frames/s"]
        out += [f"failed: {error if path in error else f'{path}: {error}'}" for path, error in self.failed]
        return out


def span(seconds: float) -> str:
    """A length of video in the unit that reads best: ``12.3 s``, ``4.5 min``, ``2.25 h``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.2f} h"


def workers_for(cfg: BatchConfig, threads: int) -> int:
    if cfg.workers < 0 or threads < 1:
        raise UsageError("--workers must not be negative and --threads must be at least 1")
    return cfg.workers or max(1, (os.cpu_count() or 1) // threads)


def _record(result: Result, out: str, stat: dict, settings: dict) -> dict:
    """The manifest line of ``result``, its scene files written first."""
    outputs = {}
    for kind, text in result.texts.items():
        rel = f"{result.item.name}.{kind}"
        path = os.path.join(out, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, text)
        outputs[kind] = rel
    return {"path": result.item.source, **result.record, "outputs": outputs, **stat, "settings": settings}


def _plan(inputs: list[Input], manifest: Manifest, job: Job, settings: dict, summary: Summary) -> list[tuple[Input, Job]]:
    """Each input to process with the job for it (its kinds of scene files); one line per reason a finished one is redone."""
    todo, redone = [], Counter()
    for item in inputs:
        plan = manifest.plan(item, settings, job.kinds)
        if plan is None:
            summary.skipped += 1
            continue
        if plan.why:
            redone[(plan.why, plan.changed)] += 1
        todo.append((item, replace(job, kinds=plan.kinds)))
    for (why, changed), n in redone.items():  # other settings: a warning, as its old files are not this run's
        log.log(logging.WARNING if changed else logging.INFO, "%s done before: %s; doing %s again",
                count(n, "video"), why, "it" if n == 1 else "them")
    summary.redone = sum(redone.values())
    return todo


def run_batch(items: list[str], out: str, job: Job, cfg: BatchConfig, progress: bool = True) -> Summary:
    """Process every input ``items`` stand for into ``out``, with a bar of videos done (``progress``; drawn on a
    terminal only, never with ``-q``)."""
    workers = workers_for(cfg, job.threads)
    inputs = expand(items)
    if not inputs:
        raise UsageError("no video found in the inputs")
    if cfg.ray is not None:
        from .ray_runner import check_address, import_ray

        check_address(cfg.ray)
        import_ray()  # not installed: say so before any work
    settings = settings_of(job, model_sha(job.pipeline.model))
    os.makedirs(out, exist_ok=True)
    manifest = Manifest(out)
    summary = Summary(inputs=len(inputs))
    todo = _plan(inputs, manifest, job, settings, summary)
    stats = {item: source_stat(item.source) for item, _ in todo}  # before it is read: a change while it runs means a redo
    start = time.monotonic()
    bar = Progress(len(todo), "videos", unit="video", show=progress)
    try:
        if not todo:  # everything done before: no workers, no Ray to start
            results = iter(())
        elif cfg.ray is not None:
            from .ray_runner import run_ray

            results = run_ray(todo, job, cfg.ray, workers * job.threads)
        else:
            from .local import run_local

            results = run_local(todo, workers)
        for result in results:
            record = _record(result, out, stats[result.item], settings)
            manifest.append(record)
            if record["status"] == "ok":
                summary.ok += 1
                summary.frames += record["frames"]
                summary.video_seconds += record["duration"]
            else:
                summary.failed.append((record["path"], record["error"]))
            summary.wall = time.monotonic() - start
            bar.update(frames_per_s=summary.frames / summary.wall, failed=len(summary.failed))
    finally:
        bar.close()
        manifest.close()
    summary.wall = time.monotonic() - start
    return summary
