"""Archives: ``reprocut batch`` over many videos, locally or on Ray, resumable.

A runner above evaluation (it uses its clip runner), not part of it; only the CLI imports it.

``inputs.py`` expands files, folders and ``@list.txt`` into named inputs; ``work.py`` is what a
worker does to one video (the clip runner and the scene-file writers); ``local.py`` runs workers
as local processes and ``ray_runner.py`` as Ray tasks; ``manifest.py`` keeps ``manifest.jsonl``,
which makes a rerun skip what is done with the same ``settings.py`` (model bytes, scoring and source
options) and redo the rest; ``run.py`` ties them together::

    if __name__ == "__main__":  # local workers are spawned: they import the calling script again
        summary = run_batch(["series/", "@more.txt"], "scenes/", Job(), BatchConfig(workers=2))
"""

from .run import BatchConfig, Summary, run_batch
from .work import Job

__all__ = ["BatchConfig", "Job", "Summary", "run_batch"]
