"""``reprocut bench``: speed, latency, memory and accuracy next to the peers, as markdown tables.

The tables go to stdout (and ``--markdown FILE``); ``--json FILE`` keeps every figure for
machines. ``--quick`` is a smoke run (one tiny clip, one repeat) that checks the machinery,
not the speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys

HELP = "benchmark speed, latency, memory and accuracy (with --peers: next to PySceneDetect and TransNetV2)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..evaluation.bench import BenchConfig
    from .options import add_options

    add_options(p, BenchConfig, {
        "dataset": {"metavar": "DIR", "help": "labelled clips for accuracy (DIR/labels/*.json; default: generated demo clips)"},
        "clip": {"metavar": "VIDEO", "nargs": "+", "type": str,
                 "help": "real clips, joined and re-encoded to 160x90, 640x360 and 1280x720 for throughput (default: a generated one)"},
        "throughput_frames": {"metavar": "N", "help": "frames of the throughput clip, the clips looped if shorter (default %(default)s)"},
        "peers": "also run PySceneDetect and TransNetV2 (pip install 'reprocut[bench]')",
        "quick": "smoke run: one tiny clip, one repeat (figures mean nothing)",
        "repeats": {"metavar": "N", "help": "runs per figure; each figure is their median (default %(default)s)"},
        "model": {"metavar": "FILE", "help": "ONNX encoder (default: the bundled model)"},
    })
    p.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as markdown")
    add_options(p, BenchConfig, {"workdir": {"metavar": "DIR", "help": "keep generated and re-encoded clips here (default: a temp dir, removed)"}})


def run(args: argparse.Namespace) -> int:
    from ..batch.bench import bench_archive
    from ..core.errors import UsageError
    from ..evaluation.bench import BenchConfig, run_bench, to_markdown
    from .options import check_output_folders, config_from

    check_output_folders(args.json, args.markdown)
    if args.dataset:
        from ..evaluation.labels import load_dataset

        load_dataset(args.dataset)  # bad labels fail now, not after minutes of measuring
    for clip in args.clip:
        if not os.path.isfile(clip):
            raise UsageError(f"{clip}: no such file")
    if args.throughput_frames < 1:
        raise UsageError("--throughput-frames must be at least 1")
    if args.model and not os.path.isfile(args.model):
        raise UsageError(f"{args.model}: model file not found")
    cfg = config_from(args, BenchConfig)
    command = shlex.join(["reprocut", *sys.argv[1:]]) if sys.argv[1:] else "reprocut bench"
    report = run_bench(cfg, command, archive=bench_archive)
    text = to_markdown(report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    sys.stdout.write(text)
    return 0
