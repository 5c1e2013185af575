"""``reprocut demo --out clip.mp4``: write the generated cartoon and its cut labels."""

from __future__ import annotations

import argparse

HELP = "write the built-in generated cartoon (cuts at known frames) as a video plus labels JSON"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..sources.cartoon import DemoConfig
    from .options import add_options

    p.add_argument("--out", required=True, metavar="FILE", help="video file to write (.mp4); labels go to the same name with .json")
    add_options(p, DemoConfig, {"frames": {"metavar": "N", "help": "length in frames (the same as 'reprocut detect' with no SOURCE)"},
                                "seed": {"metavar": "N", "help": "which cartoon: shots, cuts, fades and flashes follow from it"}})
    p.add_argument("--size", default=f"{DemoConfig.width}x{DemoConfig.height}", help="WIDTHxHEIGHT, even sides")
    add_options(p, DemoConfig, {"fps": "frame rate"})


def run(args: argparse.Namespace) -> int:
    from ..core.errors import UsageError
    from ..sinks.files.terminal import count
    from ..sources.cartoon import DemoConfig, write_clip
    from .options import config_from

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 320x180") from None
    if width % 2 or height % 2 or width < 16 or height < 16 or args.frames < 1:
        raise UsageError("--size needs even sides of at least 16 and --frames at least 1")
    meta = write_clip(config_from(args, DemoConfig, width=width, height=height), args.out)
    print(f"wrote {args.out}: {count(meta['frames'], 'frame')}, {count(len(meta['cuts']), 'cut')}, "
          f"{count(len(meta['gradual']), 'fade')}")
    return 0
