"""``reprocut detect [SOURCE]``: cut events for one file or live stream.

Without output flags a table of scenes is printed at the end (cuts of live sources are also
printed as they happen); ``--jsonl`` writes one JSON object per event and nothing else to
stdout. Scene files are written atomically, also after Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys

HELP = "detect scene cuts in a file or live stream (no SOURCE: the built-in demo stream)"

log = logging.getLogger(__name__)


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``detect`` and ``serve``: model, batching, scorer and live-source settings."""
    p.add_argument("--model", default="", help="ONNX encoder exported by 'reprocut export' (default: the bundled model)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--batch", type=int, default=0, help="frames per encoder call (default: 64 on CPU, 256 on CUDA)")
    p.add_argument("--max-delay-ms", type=float, default=40.0, help="longest a frame waits for its batch to fill")
    p.add_argument("--realtime", action="store_true", help="pace files at their frame rate, as if live")
    live = p.add_mutually_exclusive_group()
    live.add_argument("--live", dest="live", action="store_true", default=None, help="treat the source as live (drop frames when behind)")
    live.add_argument("--no-live", dest="live", action="store_false", help="never drop frames, even for a network source")
    p.add_argument("--rtsp-transport", default="tcp", choices=["tcp", "udp"])
    p.add_argument("--max-retries", type=int, default=10, help="reconnect attempts for a live source before giving up (-1: forever)")
    p.add_argument("--stall-timeout", type=float, default=5.0,
                   help="seconds without data before a live source counts as lost (connecting may take twice as long)")
    s = p.add_argument_group("scoring")
    s.add_argument("--warmup", type=float, default=4.0, help="seconds of scores that calibrate the first threshold")
    s.add_argument("--min-scene-len", type=float, default=0.2, help="seconds; a cut closer than this to the previous one is ignored")
    s.add_argument("--threshold-mode", default="online", choices=["online", "paper"],
                   help="online: adaptive k-means on normalised scores; paper: k-means over all raw KL values of the file")
    s.add_argument("--threshold", type=float, default=None, help="fixed normalised-score threshold (no calibration)")
    s.add_argument("--signals", default="kl,pix,hist",
                   help="signals to combine (kl: the VAE's KL; pix: pixel change; hist: colour histogram change)")


def pipeline_config(args: argparse.Namespace, stream_ids: list[str] | None = None):
    from ..core.errors import UsageError
    from ..core.scorer import ScorerConfig
    from ..runtime.pipeline import PipelineConfig

    if args.batch < 0 or args.max_delay_ms < 0 or args.warmup < 0 or args.min_scene_len < 0:
        raise UsageError("--batch, --max-delay-ms, --warmup and --min-scene-len must not be negative")
    if args.threshold is not None and args.threshold <= 1.0:
        raise UsageError("--threshold is a ratio to the local average change and must be above 1")
    chosen = [name.strip() for name in args.signals.split(",") if name.strip()]
    defaults = ScorerConfig().weights
    if not chosen or not set(chosen) <= defaults.keys():
        raise UsageError(f"--signals {args.signals!r}: choose from {', '.join(defaults)}")
    return PipelineConfig(
        model=args.model, device=args.device, batch=args.batch, max_delay_ms=args.max_delay_ms, stream_ids=stream_ids or [],
        scorer=ScorerConfig(threshold_mode=args.threshold_mode, warmup=args.warmup, min_scene_len=args.min_scene_len,
                            threshold=args.threshold, signals=tuple(chosen)),
    )


def source_config(args: argparse.Namespace):
    from ..sources import SourceConfig

    return SourceConfig(realtime=args.realtime, live=args.live, rtsp_transport=args.rtsp_transport,
                        max_retries=args.max_retries, stall_timeout=args.stall_timeout)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", default=None,
                   help="file, rtsp://, http(s)://, udp://, srt://, tcp://, /dev/videoN, - (stdin) or demo://[?seed=N&frames=N]")
    p.add_argument("--jsonl", action="store_true", help="one JSON object per event on stdout, nothing else")
    p.add_argument("--stats", action="store_true", help="also emit periodic stats events (with --jsonl)")
    p.add_argument("--csv", metavar="FILE", help="write a PySceneDetect-compatible scene list")
    p.add_argument("--edl", metavar="FILE", help="write a CMX3600 EDL")
    p.add_argument("--json", metavar="FILE", help="write the scene list as JSON")
    add_source_arguments(p)


def _write_scene_files(args: argparse.Namespace, cuts: list[tuple[int, float]], end, fps: float, name: str) -> None:
    from ..core.scenes import scenes_from_cuts, to_csv, to_edl, to_json, write_atomic

    scenes = scenes_from_cuts(cuts, end.frames, end.duration)
    if args.csv:
        write_atomic(args.csv, to_csv(scenes))
    if args.edl:
        write_atomic(args.edl, to_edl(scenes, fps, os.path.basename(name)))
    if args.json:
        write_atomic(args.json, to_json(scenes, name, fps))


def _print_table(cuts: list[tuple[int, float]], end, out=sys.stdout) -> None:
    from ..core.scenes import scenes_from_cuts, timecode

    scenes = scenes_from_cuts(cuts, end.frames, end.duration)
    print(f"{'scene':>5}  {'start frame':>11}  {'start':>12}  {'end frame':>9}  {'length (s)':>10}", file=out)
    for i, s in enumerate(scenes, 1):
        print(f"{i:>5}  {s.start_frame:>11}  {timecode(s.start_time):>12}  {s.end_frame:>9}  {s.end_time - s.start_time:>10.3f}", file=out)
    print(f"{len(cuts)} cuts, {end.frames} frames, {end.duration:.2f} s" + (f", {end.dropped} frames dropped" if end.dropped else ""), file=out)


def _check_outputs(args: argparse.Namespace) -> None:
    from ..core.errors import UsageError

    for path in (args.csv, args.edl, args.json):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise UsageError(f"{path}: folder does not exist")


def run(args: argparse.Namespace) -> int:
    from ..runtime.pipeline import Pipeline
    from ..sinks.progress import Progress
    from ..sources import open_source

    _check_outputs(args)
    source = open_source(args.source, source_config(args))
    pipeline = Pipeline([source], pipeline_config(args))
    stream = pipeline.streams[0]
    source = stream.source

    def on_signal(signum, frame):  # flush what was found, then exit cleanly
        log.warning("%s received: stopping", signal.Signals(signum).name)
        pipeline.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    progress = Progress(None if source.live else source.total_frames, "frames")
    end = None
    live_lines = source.live and not args.jsonl
    try:
        for event in pipeline.run():
            if args.jsonl and (event.type != "stats" or args.stats):
                sys.stdout.write(json.dumps(event.to_dict()) + "\n")
                sys.stdout.flush()
            if event.type == "cut" and live_lines:
                print(f"cut  frame {event.frame:>7}  {event.time:10.3f} s  score {event.score:6.2f} (threshold {event.threshold:.2f})", flush=True)
            elif event.type == "stats":
                progress.update(0)
                progress.count = event.frames
            elif event.type == "end":
                end = event
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    progress.close()
    if source.error is not None:
        raise source.error
    _write_scene_files(args, stream.cut_list, end, source.fps, args.source or "demo")
    if not args.jsonl:
        _print_table(stream.cut_list, end)
    return 1 if end.reason == "failed" else 0
