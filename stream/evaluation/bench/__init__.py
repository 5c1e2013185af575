"""``reprocut bench``: speed, latency, memory and accuracy, measured the same way every time.

Every figure is the median of ``repeats`` runs on the same files in one invocation, so the
tables compare like with like on one machine:

- **throughput** (``speed.py``): ``detect`` on a file against PyAV decoding that file to 64x64
  and nothing else; decoding is the practical speed limit, so the ratio says what the rest costs.
  Each whole ``detect`` run also gives its start-up (process start to the first frames at the
  encoder), and on the middle size PySceneDetect's CLI runs after each, in turn; the report's
  first table puts all of these side by side;
- **encoder** (``speed.py``): ONNX Runtime alone, by batch size, on CPU (and CUDA when its
  provider loads);
- **latency** (``latency.py``): a clip paced at its frame rate; time from a frame's decode (the
  event's ``wall``) to its cut event reaching a websocket client of ``reprocut serve`` and a
  sink fed by ``Pipeline.run()`` in the benchmark's own process;
- **memory** (``memory.py``): peak RSS of ``reprocut detect`` and of ``reprocut serve`` with 4
  streams, from each child's own high-water mark (``VmHWM`` in /proc);
- **accuracy** (``accuracy.py``): reprocut and its peers (``evaluation/peers.py``) over labelled
  clips, each detector in its own process so its memory is measured apart, scored by
  ``evaluation/metrics.py``.
- **archives** (``batch/bench.py``, outside evaluation: handed to ``run_bench`` by the CLI):
  ``reprocut batch`` over 20 generated clips with 1 and 2 local workers and on a local Ray
  instance, end to end.

Model loading and imports are excluded from the in-process figures (paid once per process) and
included in the whole-process ones (``reprocut detect FILE``, PySceneDetect's CLI), as a user waits for them.
``run_bench`` (``run.py``) runs every section and returns the report; ``to_markdown``
(``markdown.py``) prints it::

    report = run_bench(BenchConfig(quick=True), "reprocut bench --quick")  # archive=batch.bench.bench_archive: that section too
    print(to_markdown(report))
"""

from .config import BenchConfig
from .markdown import to_markdown
from .run import run_bench

__all__ = ["BenchConfig", "run_bench", "to_markdown"]
