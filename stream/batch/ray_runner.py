"""Ray: each video is a Ray task, the model is shipped once through the object store.

Tasks, not Ray Data: every video is one independent job of very uneven length (a trailer, a
two-hour film) whose result is a few kilobytes of scene lists, and the manifest line must be
written the moment each video finishes. Tasks give exactly that (``ray.wait`` hands back each
result as it comes, a task that loses its worker is retried on its own), with nothing but Ray's
core; Ray Data would add pyarrow-backed blocks, batch-oriented retries and a streaming executor
for what is a plain map over paths.

The model's bytes are put in the object store once (``ray.put``); a node fetches them once and
the first task on it writes them to a local file named after their hash, and each worker process
keeps its encoder session from then on (``work.encoder_for``), so a custom ``--model`` on the
driver's disk reaches every node without a shared filesystem. Inputs must be readable where the
tasks run (a shared filesystem, or URLs); scene files and the manifest are written by this
process, the driver, so the output folder needs to exist only here.

``--ray`` alone starts a private local instance for the run (``address="local"``: never an
instance someone else started) with as many CPUs as the local split asks, no dashboard, its log
lines kept out of the terminal (Ray writes its logs under its temp dir, ``/tmp/ray``), and shuts
it down at the end; ``--ray ADDRESS`` joins a running cluster (``auto``, ``HOST:6379``,
``ray://HOST:10001``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..core.errors import UsageError
from ..runtime.encoder import default_model_path
from .inputs import Input
from .local import RETRIES
from .work import Job, Result, detect_one, failed

log = logging.getLogger(__name__)

INSTALL = "--ray needs Ray, which is not installed (pip install 'reprocut[ray]')"


def check_address(address: str) -> None:
    """A Ray address, not an input swallowed by ``--ray`` (its value is optional)."""
    if address and address != "auto" and ":" not in address:
        raise UsageError(f"--ray {address}: not a Ray address (HOST:PORT, ray://HOST:PORT or auto); "
                         "put the inputs before --ray, or write --ray=ADDRESS")


def import_ray():
    try:
        import ray
    except ImportError:
        raise UsageError(INSTALL) from None
    return ray


@dataclass(frozen=True)
class Model:
    """The encoder's bytes, as shipped to the nodes."""

    data: bytes
    sha: str

    @classmethod
    def read(cls, path: str) -> Model:
        with open(path, "rb") as f:
            data = f.read()
        return cls(data, hashlib.sha256(data).hexdigest())

    def local_path(self) -> str:
        """A file with these bytes on this node, written by the first task that needs it."""
        path = os.path.join(tempfile.gettempdir(), f"reprocut-model-{self.sha[:16]}.onnx")
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(self.data)
            os.replace(tmp, path)
        return path


def detect_task(item: Input, job: Job, model: Model) -> Result:
    """A Ray task: one video with the shipped model."""
    return detect_one(item, job, model.local_path())


@contextmanager
def connected(address: str, cpus: int) -> Iterator:
    """Ray, joined to ``address`` or to a local instance of ``cpus`` CPUs started for this run; shut down after."""
    ray = import_ray()
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    if address:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    else:
        ray.init(address="local", num_cpus=cpus, **quiet)
    try:
        yield ray
    finally:
        ray.shutdown()


def run_ray(todo: list[tuple[Input, Job]], job: Job, address: str, cpus: int) -> Iterator[Result]:
    """The result of every input of ``todo`` (each with its job: ``job``'s model and threads, its own scene file
    kinds), as each finishes, from Ray tasks of ``job.threads`` CPUs each."""
    with connected(address, cpus) as ray:
        model = ray.put(Model.read(job.pipeline.model or default_model_path()))
        task = ray.remote(detect_task).options(num_cpus=job.threads, max_retries=RETRIES)
        slots = max(2, 2 * int(ray.cluster_resources().get("CPU", cpus)) // job.threads)  # in flight: a bounded window
        log.info("Ray: %s CPUs, %d videos in flight at most", ray.cluster_resources().get("CPU"), slots)
        pending = list(reversed(todo))
        running: dict = {}
        while pending or running:
            while pending and len(running) < slots:
                item, its_job = pending.pop()
                running[task.remote(item, its_job, model)] = item
            ready, _ = ray.wait(list(running), num_returns=1)
            item = running.pop(ready[0])
            try:
                yield ray.get(ready[0])
            except ray.exceptions.RayError as exc:  # its worker died RETRIES + 1 times, or the cluster went away
                yield failed(item, f"Ray task failed: {str(exc).strip().splitlines()[0]}")
