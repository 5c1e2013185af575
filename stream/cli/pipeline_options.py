"""The options ``detect``, ``serve``, ``eval``, ``batch`` and ``split`` share: model and batching, the source, the scoring,
gradual transitions on or off.

Generated from ``PipelineConfig``, ``SourceConfig``, ``ScorerConfig`` and its ``DeciderConfig`` (``options.py``); the
configs are built back from the parsed options by the same names, after the checks that turn
a user's mistake into one line.
"""

from __future__ import annotations

import argparse

from ..core.decider import DeciderConfig
from ..core.errors import UsageError
from ..core.scorer import ScorerConfig
from ..core.transitions import TransitionConfig
from ..core.unblend import UnblendConfig
from ..runtime.pipeline import PipelineConfig
from ..sources import SourceConfig
from .options import add_options, config_from


def add_pipeline_options(p: argparse.ArgumentParser, live: bool = True) -> None:
    """The shared options; ``live=False`` (eval, batch, split: files only) leaves out those about live sources."""
    add_options(p, PipelineConfig, {
        "model": {"metavar": "FILE", "help": "ONNX encoder exported by 'reprocut export' (default: the bundled model)"},
        "device": {"choices": ["auto", "cpu", "cuda"],
                   "help": "where the encoder runs; auto: CUDA when its provider loads, else CPU"},
        "batch": {"metavar": "N", "help": "frames per encoder call (default: 0, i.e. 64 on CPU, 256 on CUDA)"},
        "max_delay_ms": {"metavar": "MS", "help": "files: longest a frame waits for its batch to fill (progress versus throughput); live sources and files paced with --realtime send what is ready at once"},
        "every_frame": "files: encode every frame (default: only frames near a visible change, the only ones whose "
                       "KL can make or stop a cut; the same cuts, a few times faster on calm footage)",
    })
    if live:
        _add_live_options(p)
    s = p.add_argument_group("scoring")
    add_options(s, DeciderConfig, {
        "warmup": {"metavar": "S", "help": "seconds of scores that calibrate the first threshold"},
        "min_scene_len": {"metavar": "S", "help": "seconds a scene lasts at least: a cut closer than this to the previous "
                                                  "one is ignored, unless it scores at least twice as high as that one"},
    })
    add_options(s, ScorerConfig, {
        "threshold_mode": {"choices": ["online", "paper"],
                           "help": "online: adaptive k-means on normalised scores; paper: k-means over all raw KL values of the file"},
    })
    add_options(s, DeciderConfig, {
        "threshold": {"metavar": "T", "help": "fixed normalised-score threshold, above 1 (default: none, calibrated during --warmup)"},
    })
    s.add_argument("--signals", default=",".join(ScorerConfig.signals), metavar="LIST",
                   help="signals to combine (kl: the VAE's KL; pix: pixel change; hist: colour histogram change)")
    s.add_argument("--no-transitions", dest="transitions", action="store_false",
                   help="cuts only: no fades, dissolves or wipes (the same cut events, and scene lists of cuts alone)")


def _add_live_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("live sources")
    add_options(g, SourceConfig, {"realtime": "pace files at their frame rate, as if live (default: as fast as possible)"})
    live = g.add_mutually_exclusive_group()  # three states: live, not live, decided by the URL
    live.add_argument("--live", dest="live", action="store_true", default=SourceConfig.live,
                      help="treat the source as live: drop the oldest frames when behind (default: live for network URLs "
                           "and devices, not for files and pipes)")
    live.add_argument("--no-live", dest="live", action="store_false", help="never drop frames, even for a network source")
    g.add_argument("--no-unblend", dest="unblend", action="store_false",
                   help="progressive footage only: cut events two frames sooner, without the wait that tells a cut blended "
                        "over two frames (interlaced or frame-rate-converted footage) from half a change")
    add_options(g, SourceConfig, {
        "rtsp_transport": {"choices": ["tcp", "udp"], "help": "RTSP over TCP (no lost packets, works through NAT) or UDP"},
        "max_retries": {"metavar": "N", "help": "reconnect attempts in a row after any loss (dropped, stalled or ended "
                                                "stream); 0: never reconnect, -1: forever"},
        "stall_timeout": {"metavar": "S", "help": "seconds without data before a live source counts as lost "
                                                  "(connecting may take twice as long)"},
    })


def pipeline_config(args: argparse.Namespace) -> PipelineConfig:
    if args.batch < 0 or args.max_delay_ms < 0 or args.warmup < 0 or args.min_scene_len < 0:
        raise UsageError("--batch, --max-delay-ms, --warmup and --min-scene-len must not be negative")
    if args.threshold is not None and args.threshold <= 1.0:
        raise UsageError("--threshold is a ratio to the local average change and must be above 1")
    chosen = [name.strip() for name in args.signals.split(",") if name.strip()]
    known = ScorerConfig().scoring.weights
    if not chosen or not set(chosen) <= known.keys():
        raise UsageError(f"--signals {args.signals!r}: choose from {', '.join(known)}")
    scorer = config_from(args, ScorerConfig, signals=tuple(chosen), decider=config_from(args, DeciderConfig))
    return config_from(args, PipelineConfig, scorer=scorer, transitions=TransitionConfig() if args.transitions else None,
                       unblend=UnblendConfig() if getattr(args, "unblend", True) else None)  # eval, batch, split: always


def source_config(args: argparse.Namespace) -> SourceConfig:
    return config_from(args, SourceConfig)
