"""``reprocut detect [SOURCE]``: cut events for one file or live stream.

Without output flags a table of scenes is printed at the end (cuts of live sources are also
printed as they happen); ``--jsonl`` writes one JSON object per event and nothing else to
stdout. Scene files are written atomically, also after Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.contracts import Source
    from ..core.events import EndEvent, Event

HELP = "detect scene cuts in a file or live stream (no SOURCE: the built-in demo stream)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..sources.cartoon import DemoConfig
    from .pipeline_options import add_pipeline_options

    p.add_argument("source", nargs="?", default=None,
                   help="file, rtsp://, http(s)://, udp://, srt://, tcp://, /dev/videoN, - (stdin) or demo://[?seed=N&frames=N] "
                        f"(default: demo://, the generated cartoon, {DemoConfig.frames} frames; quote URLs with ? or &)")
    p.add_argument("--jsonl", action="store_true", help="one JSON object per event on stdout, nothing else")
    p.add_argument("--stats", action="store_true", help="also emit periodic stats events (with --jsonl)")
    p.add_argument("--csv", metavar="FILE", help="write a PySceneDetect-compatible scene list")
    p.add_argument("--edl", metavar="FILE", help="write a CMX3600 EDL")
    p.add_argument("--json", metavar="FILE", help="write the scene list as JSON")
    p.add_argument("--otio", metavar="FILE", help="write an OpenTimelineIO timeline, one clip per scene (needs reprocut[timeline])")
    p.add_argument("--fcpxml", metavar="FILE", help="write a Final Cut Pro XML timeline, one clip per scene (Final Cut Pro, Resolve)")
    add_pipeline_options(p)


class _Ending:
    """Keeps the stream's ``end``. A user mistake found on the decode thread (e.g. a pipe of junk)
    is raised there instead, before the sinks after this one see the end: no scene list of it is
    written or printed, and the command fails with the mistake as its one-line error."""

    def __init__(self, source: Source):
        self.source = source
        self.end: EndEvent | None = None

    def on_event(self, event: Event) -> None:
        if event.type == "end":
            if self.source.error is not None:
                raise self.source.error
            self.end = event

    def close(self) -> None:
        pass


def run(args: argparse.Namespace) -> int:
    from ..core.errors import UsageError
    from ..runtime import progress
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sinks.files.jsonl import JsonLines
    from ..sinks.files.scene_files import SceneFiles
    from ..sinks.files.terminal import CutLines, ProgressBar, SceneTable
    from ..sources import open_source
    from .options import check_output_folders
    from .pipeline_options import pipeline_config, source_config

    check_output_folders(args.csv, args.edl, args.json, args.otio, args.fcpxml)
    if args.source and os.path.isdir(args.source):
        raise UsageError(f"{args.source}: is a directory, expected a video file (for every video in a folder: "
                         f"reprocut batch {args.source} --out DIR)")
    source = open_source(args.source, source_config(args))
    pipeline = Pipeline([source], pipeline_config(args))

    def on_signal(signum, frame):  # flush what was found, then exit cleanly
        log.warning("%s received: stopping", signal.Signals(signum).name)
        pipeline.stop()

    ending = _Ending(source)
    if args.jsonl:  # JSON and nothing else on stdout
        sinks = [JsonLines(stats=args.stats)]
    else:
        sinks = [CutLines()] if source.live else []
    # The bar only where it is drawn (not -q, stderr a terminal: tqdm's own rule); elsewhere tqdm, whose import
    # pulls in asyncio (~40 ms of start-up), is not imported at all.
    if progress.SHOW and sys.stderr.isatty():
        sinks.append(ProgressBar(None if source.live else source.total_frames))
    sinks += [ending, SceneFiles(args.source or "demo", source, csv=args.csv, edl=args.edl, json=args.json,
                                 otio=args.otio, fcpxml=args.fcpxml)]
    if not args.jsonl:
        sinks.append(SceneTable())
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        feed(pipeline.run(), sinks)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 1 if ending.end.reason == "failed" else 0
