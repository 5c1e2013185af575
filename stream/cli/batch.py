"""``reprocut batch INPUT... --out DIR``: scene files for every video of an archive, and a manifest.

Inputs are files, folders (searched recursively) and ``@list.txt`` files; each video's scene
files go to DIR under its path relative to its folder, and ``DIR/manifest.jsonl`` gets one line
per video as it finishes. A rerun skips what was done with the same settings (model bytes, scoring
options) and is unchanged; a video made otherwise is done again, with a warning that says what
changed, and keeps every scene file format it had. ``--workers`` local
processes by default, or Ray tasks with ``--ray`` (a local instance) or ``--ray ADDRESS``.
The scoring options are detect's. Exit code 1 when any input failed (they are listed).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

HELP = "detect cuts in many videos (files, folders, @lists) into scene files and a manifest; resumable, local or on Ray"

KINDS = {"json": "JSON scene lists", "csv": "CSV scene lists (PySceneDetect's layout)", "edl": "CMX3600 EDLs",
         "otio": "OpenTimelineIO timelines (pip install 'reprocut[timeline]')", "fcpxml": "Final Cut Pro XML timelines"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..batch import BatchConfig, Job
    from .options import add_options
    from .pipeline_options import add_pipeline_options

    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="video file, folder (searched recursively for videos) or @list.txt (one path or URL a line)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the scene files and manifest.jsonl (created)")
    add_options(p, BatchConfig, {
        "workers": "worker processes (default: the machine's cores divided by --threads); "
                   "with --ray alone, the local Ray instance gets workers x threads CPUs",
        "ray": {"nargs": "?", "const": "", "metavar": "ADDRESS",
                "help": "run the videos as Ray tasks: alone, on a local Ray instance started for the run; "
                        "with ADDRESS (HOST:6379, ray://HOST:10001, auto), on that cluster (pip install 'reprocut[ray]')"},
    })
    add_options(p, Job, {"threads": "each worker's encoder threads (default %(default)s)"})
    files = p.add_argument_group("scene files", "JSON and CSV when none is given; a video done before keeps the formats "
                                                "it has, and gets those asked for besides")
    for kind, what in KINDS.items():
        files.add_argument(f"--{kind}", action="store_true", help=f"write {what}, one per video")
    add_pipeline_options(p, live=False)  # archives of files: read whole, nothing paced or dropped


def run(args: argparse.Namespace) -> int:
    from ..batch import BatchConfig, Job, run_batch
    from .options import config_from
    from .pipeline_options import pipeline_config, source_config

    if args.otio:
        from ..sinks.files.otio import require_otio

        require_otio()  # not installed: one line before any work
    source = source_config(args)
    job = config_from(args, Job, pipeline=pipeline_config(args), source=replace(source, live=bool(source.live)),
                      kinds=tuple(k for k in KINDS if getattr(args, k)) or Job.kinds)
    summary = run_batch(args.inputs, args.out, job, config_from(args, BatchConfig))
    print("\n".join(summary.lines()))
    return 1 if summary.failed else 0
