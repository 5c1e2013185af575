"""``reprocut adapt SOURCE... --out model.onnx [--from BASE] [--minutes M | --steps N] [--resume]``"""

from __future__ import annotations

import argparse
import sys

HELP = "fine-tune the model on your own footage (no labels) and export it, with a model card"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from reprocut.stream.cli.options import add_options

    from .adapt_config import DEFAULT_MINUTES, AdaptConfig
    from .config import DEVICES

    p.add_argument("sources", nargs="*", help="videos, folders of videos or folders of images: the footage the model will "
                                              "detect cuts in (not needed with --resume)")
    add_options(p, AdaptConfig, {"out": {"required": True, "metavar": "FILE",
                                         "help": "ONNX model to write; its model card goes beside it (model.onnx: model.md)"}})
    p.add_argument("--from", dest="base", default=AdaptConfig.base, metavar="BASE",
                   help="the model to start from: a run directory or checkpoint of 'reprocut train' or 'reprocut adapt', "
                        "or a weights file (default: the bundled model)")
    add_options(p, AdaptConfig, {
        "minutes": {"metavar": "M", "help": f"minutes of training, then stop (default {DEFAULT_MINUTES:g}; decoding the "
                                            "footage before and the export after come on top)"},
        "steps": {"metavar": "N", "help": "optimizer steps instead of minutes: exact and repeatable (default: --minutes)"},
        "work": {"metavar": "DIR", "help": "work folder: frame cache, checkpoints (default: --out's name + .adapt)"},
    })
    p.add_argument("--resume", action="store_true", help="continue an interrupted adapt from its work folder's last "
                                                         "checkpoint (with --minutes: the time left of the budget)")
    p.add_argument("--force", action="store_true", help="overwrite an existing work folder")
    add_options(p, AdaptConfig, {
        "batch": {"metavar": "N", "help": "frames per optimizer step"},
        "lr": {"metavar": "F", "help": "Adam learning rate (a third of the bundled model's: the base is kept, not retrained)"},
        "seed": {"metavar": "N", "help": "seed for batch order and augmentations (with --steps, an adapt is repeatable)"},
        "device": {"choices": DEVICES, "help": "auto: CUDA when torch sees a GPU, else CPU"},
        "name": {"metavar": "TEXT", "help": "model name in the metadata and the card (default: --out's file name)"},
    })


def run(args: argparse.Namespace) -> int:
    from reprocut.stream.cli.options import config_from

    from .adapt_config import AdaptConfig, check

    cfg = config_from(args, AdaptConfig)
    check(cfg, args.resume, args.force)  # before torch loads

    from .adapt import adapt
    from .train import TrainingDiverged

    try:
        facts = adapt(cfg, resume=args.resume, force=args.force)
    except TrainingDiverged as exc:
        print(f"reprocut adapt: {exc}", file=sys.stderr)
        return 3
    print(summary(facts))
    return 0


def summary(facts: dict) -> str:
    """The end-of-run block: what was adapted on what, for how long, the footage's figures, what to do next."""
    training, footage, figures = facts["training"], facts["footage"], facts["figures"]
    sources = len(footage["files"])
    lines = [f"adapted {facts['base']['model']} on {footage['frames']:,} frames ({sources} source{'s' * (sources != 1)}): "
             f"{training['steps']:,} steps in {training['minutes']:.1f} min ({training['frames_per_s']:.0f} frames/s, "
             f"{training['device']})"]
    before, after = figures["base"], figures["adapted"]
    if "val_recon" in before and "val_recon" in after:
        lines.append(f"on this footage: reconstruction loss {before['val_recon']:.0f} -> {after['val_recon']:.0f}, "
                     f"consecutive-frame KL median {before['kl_median']:.3g} -> {after['kl_median']:.3g}")
    lines.append(f"wrote {facts['out']} (parity max abs diff {facts['parity']:.3g}) and its model card {facts['card']}")
    lines.append(f"next: reprocut detect VIDEO --model {facts['out']}")
    return "\n".join(lines)
