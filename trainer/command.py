"""``reprocut train VIDEO_OR_FOLDER [...] --out RUN_DIR [--epochs N | --steps N] [--resume]``"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import TrainConfig

HELP = "train a Repro-VAE on unlabeled video or image folders"


def channels(text: str) -> tuple[int, ...]:
    """``--hidden 32,64,128,256`` -> (32, 64, 128, 256)."""
    try:
        return tuple(int(h) for h in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: channel counts separated by commas, like 32,64,128,256") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    from reprocut.stream.cli.options import add_options

    from .augment import AugmentConfig
    from .config import ACTIVATIONS, DEVICES, POOLINGS, RECONS, SCHEDULES, ModelConfig, TrainConfig
    from .data import DataConfig

    p.add_argument("inputs", nargs="*", help="videos, folders of videos or folders of images (not needed with --resume)")
    add_options(p, TrainConfig, {"out": {"required": True, "metavar": "DIR",
                                         "help": "run directory (checkpoints, frame cache, metrics)"}})
    budget = p.add_mutually_exclusive_group()
    add_options(budget, TrainConfig, {
        # no default in the parsed options (config_from takes the config's): argparse counts a value equal to the
        # default as not given, and "--epochs 10 --steps 5" must be refused as "--epochs 9 --steps 5" is
        "epochs": {"metavar": "N", "default": argparse.SUPPRESS,
                   "help": f"passes over the training frames (default {TrainConfig.epochs})"},
        "steps": {"metavar": "N", "help": f"optimizer steps instead of epochs (default: --epochs {TrainConfig.epochs})"},
    })
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    add_options(p, TrainConfig, {
        "batch": {"metavar": "N", "help": "frames per optimizer step"},
        "lr": "Adam learning rate",
        "schedule": {"choices": SCHEDULES, "help": "learning rate over the run: constant, or cosine decay to 0 at its last step"},
        "seed": {"metavar": "N", "help": "seed for weights, batch order and augmentations (a run is repeatable)"},
        "device": {"choices": DEVICES, "help": "auto: CUDA when torch sees a GPU, else CPU"},
    })
    add_options(p, DataConfig, {
        "stride": {"metavar": "N", "help": "keep every N-th decoded frame"},
        "max_frames_per_source": {"metavar": "N", "help": "subsample longer sources evenly (0: no cap)"},
        "val_fraction": {"metavar": "F", "help": "tail of each source held out for validation"},
    })
    add_options(p, TrainConfig, {"checkpoint_every": {"metavar": "N", "help": "steps between checkpoints (also at each epoch end)"}})
    add_options(p, AugmentConfig, {  # both on by default: --no-flip, --no-jitter
        "flip": "no random horizontal flips (default: flip half the frames)",
        "jitter": "no colour jitter or small zooms (default: on most frames; a grade or a push-in keeps the shot)",
    })
    add_options(p, TrainConfig, {"data_description": {"metavar": "TEXT", "help": "what the footage is, stored in the exported "
                                                                                 "model (default: the input names)"}})
    m = p.add_argument_group("model")
    add_options(m, ModelConfig, {
        "latent": {"metavar": "N", "help": "size of the latent Gaussian"},
        "hidden": {"type": channels,
                   "help": f"encoder channels, comma-separated (default: {','.join(map(str, ModelConfig.hidden))})"},
        "beta": "weight of the KL to the prior (beta-VAE)",
        "lam": "reprojection weight (lambda)",
        "pooling": {"choices": POOLINGS, "help": "downsampling after each conv block"},
        "activation": {"choices": ACTIVATIONS, "help": "activation after each conv"},
        "recon": {"choices": RECONS, "help": "reconstruction loss"},
        "exposure": {"metavar": "GAIN", "help": "the encoder sees each frame brought to mid-grey by a gain of up to GAIN either way, "
                                                "so a brightness dip or flash does not move the latent as a cut does (1: off, the "
                                                "paper's input)"},
    })


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The run's ``TrainConfig`` from the parsed options (a model that cannot be built: one line)."""
    from reprocut.stream.cli.options import config_from
    from reprocut.stream.core.errors import UsageError

    from .augment import AugmentConfig
    from .config import ModelConfig, TrainConfig
    from .data import DataConfig

    try:
        model = config_from(args, ModelConfig)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return config_from(args, TrainConfig, augment=config_from(args, AugmentConfig), data=config_from(args, DataConfig), model=model)


def run(args: argparse.Namespace) -> int:
    from reprocut.stream.core.errors import UsageError

    from .data import expand_inputs
    from .rundir import check_run_dir

    if not args.inputs and not args.resume:
        raise UsageError("give at least one video or folder to train on")
    for name in ("batch", "stride", "checkpoint_every"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if not 0.0 <= args.val_fraction < 1.0:
        raise UsageError("--val-fraction must be in [0, 1)")
    check_run_dir(args.out, args.resume, args.force)  # these two before torch loads
    if not args.resume:
        expand_inputs(args.inputs)
    cfg = train_config(args)

    from .train import TrainingDiverged, train

    try:
        metrics = train(cfg, resume=args.resume, force=args.force)
    except TrainingDiverged as exc:
        print(f"reprocut train: {exc}", file=__import__("sys").stderr)
        return 3
    print(summary(metrics, args.out))
    return 0


VALIDATION = {"val_recon": "reconstruction loss", "val_kl": "KL to the prior", "val_repro": "reprojection KL"}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary(m: dict, out: str) -> str:
    """The end-of-run block: what was trained, the validation figures in words, what to do next."""
    lines = [f"trained {_plural(m['step'], 'step')} ({_plural(m['epoch'], 'epoch')}) on {_plural(m['train_frames'], 'frame')} "
             f"({m['device']}); run in {out}"]
    if "val_recon" in m:
        lines.append("validation" + (f" on {_plural(m['val_frames'], 'held-out frame')}:" if "val_frames" in m else ":"))
        lines += [f"  {label:<24}{m[key]:.4g}" for key, label in VALIDATION.items()]
        if "kl_median" in m:
            lines.append(f"  {'consecutive-frame KL':<24}median {m['kl_median']:.4g}, 99th percentile {m['kl_p99']:.4g}")
    lines.append(f"next: reprocut export {out} --out model.onnx")
    return "\n".join(lines)
