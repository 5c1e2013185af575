"""``reprocut train VIDEO_OR_FOLDER [...] --out RUN_DIR [--epochs N | --steps N] [--resume]``"""

from __future__ import annotations

import argparse

HELP = "train a Repro-VAE on unlabeled video or image folders"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", help="videos, folders of videos or folders of images (not needed with --resume)")
    p.add_argument("--out", required=True, metavar="DIR", help="run directory (checkpoints, frame cache, metrics)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=int, metavar="N", help="passes over the training frames (default 10)")
    budget.add_argument("--steps", type=int, metavar="N", help="optimizer steps instead of epochs (default: --epochs 10)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    p.add_argument("--batch", type=int, default=256, metavar="N", help="frames per optimizer step")
    p.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed for weights, batch order and augmentations (a run is repeatable)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="auto: CUDA when torch sees a GPU, else CPU")
    p.add_argument("--stride", type=int, default=1, metavar="N", help="keep every N-th decoded frame")
    p.add_argument("--max-frames-per-source", type=int, default=0, metavar="N", help="subsample longer sources evenly (0: no cap)")
    p.add_argument("--val-fraction", type=float, default=0.1, metavar="F", help="tail of each source held out for validation")
    p.add_argument("--checkpoint-every", type=int, default=500, metavar="N", help="steps between checkpoints (also at each epoch end)")
    p.add_argument("--no-flip", action="store_true", help="no random horizontal flips (default: flip half the frames)")
    p.add_argument("--no-jitter", action="store_true",
                   help="no colour jitter or small zooms (default: on most frames; a grade or a push-in keeps the shot)")
    p.add_argument("--data-description", default="", metavar="TEXT",
                   help="what the footage is, stored in the exported model (default: the input names)")
    m = p.add_argument_group("model")
    m.add_argument("--latent", type=int, default=10, metavar="N", help="size of the latent Gaussian")
    m.add_argument("--hidden", default="32,64,128,256", help="encoder channels, comma-separated")
    m.add_argument("--beta", type=float, default=4.0, help="weight of the KL to the prior (beta-VAE)")
    m.add_argument("--lam", type=float, default=200.0, help="reprojection weight (lambda)")
    m.add_argument("--pooling", default="avg", choices=["avg", "max", "none"], help="downsampling after each conv block")
    m.add_argument("--activation", default="leakyrelu", choices=["leakyrelu", "relu", "elu"], help="activation after each conv")
    m.add_argument("--recon", default="bce", choices=["bce", "mse"], help="reconstruction loss")
    m.add_argument("--exposure", type=float, default=3.0, metavar="GAIN",
                   help="the encoder sees each frame brought to mid-grey by a gain of up to GAIN either way, so a "
                        "brightness dip or flash does not move the latent as a cut does (1: off, the paper's input)")


def run(args: argparse.Namespace) -> int:
    from reprocut.stream.core.errors import UsageError

    from .augment import AugmentConfig
    from .data import DataConfig, expand_inputs
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

    from .model import ModelConfig
    from .train import TrainConfig, TrainingDiverged, train

    try:
        model = ModelConfig(latent=args.latent, hidden=tuple(int(h) for h in args.hidden.split(",")), beta=args.beta, lam=args.lam,
                            pooling=args.pooling, activation=args.activation, recon=args.recon, exposure=args.exposure)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    cfg = TrainConfig(
        out=args.out, epochs=args.epochs, steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed, device=args.device,
        checkpoint_every=args.checkpoint_every, augment=AugmentConfig(flip=not args.no_flip, jitter=not args.no_jitter), data_description=args.data_description,
        data=DataConfig(inputs=args.inputs, stride=args.stride, max_frames_per_source=args.max_frames_per_source, val_fraction=args.val_fraction),
        model=model,
    )
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
