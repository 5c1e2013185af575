"""``reprocut demo --out clip.mp4``: write the generated cartoon and its cut labels."""

from __future__ import annotations

import argparse

HELP = "write the built-in generated cartoon (cuts at known frames) as a video plus labels JSON"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="video file to write (.mp4); labels go to the same name with .json")
    p.add_argument("--frames", type=int, default=480)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", default="320x180", help="WIDTHxHEIGHT")
    p.add_argument("--fps", type=float, default=24.0)


def run(args: argparse.Namespace) -> int:
    from ..core.errors import UsageError
    from ..sources.cartoon import DemoConfig, write_clip

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 320x180") from None
    if width % 2 or height % 2 or width < 16 or height < 16 or args.frames < 1:
        raise UsageError("--size needs even sides of at least 16 and --frames at least 1")
    meta = write_clip(DemoConfig(width=width, height=height, fps=args.fps, frames=args.frames, seed=args.seed), args.out)
    print(f"wrote {args.out}: {meta['frames']} frames, {len(meta['cuts'])} cuts, {len(meta['gradual'])} fades")
    return 0
