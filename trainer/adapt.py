"""``reprocut adapt``: fine-tune a Repro-VAE on a user's own footage, without labels, and export it with a card.

The paper trains its model on the film it segments; this makes that practical: a series archive adapts once,
then runs live. Reads top to bottom: the base model (``adapt_base.py``), the training config it implies (its
architecture, loss and augmentations; a lower learning rate, every frame of the footage), ``reprocut train``'s own
loop started from the base's weights for a budget of minutes or steps (frame cache, checkpoints, ``--resume``,
progress bar, NaN guard), the figures of the base and of the adapted model on the footage, then ``reprocut
export``'s export (parity check, metadata) with the model card's facts in the metadata and the card beside it::

    facts = adapt(AdaptConfig(sources=["my_series/"], out="series.onnx", minutes=5))
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
from dataclasses import asdict
from datetime import datetime, timezone

import numpy as np
import torch
from reprocut.export.card import write_card
from reprocut.export.onnx import ExportConfig, export
from reprocut.stream import __version__

from .adapt_base import Base, load_base
from .adapt_config import DEFAULT_MINUTES, RUN, AdaptConfig, read_record, write_record
from .config import ModelConfig, TrainConfig
from .data import DataConfig, FrameCache
from .model import ReproVAE
from .train import CHECKPOINT, _device, evaluate, load_checkpoint, train

log = logging.getLogger(__name__)

FIGURE_FRAMES = 5_000  # the figures before and after: on at most this many frames (each source's start, alike)


def train_config(cfg: AdaptConfig, base: Base) -> TrainConfig:
    """The training run an adapt is: the base's architecture, loss and augmentations, the adapt's budget and rate."""
    names = ", ".join(os.path.basename(s.rstrip("/")) for s in cfg.sources)
    return TrainConfig(
        out=os.path.join(cfg.folder, RUN), steps=cfg.steps, batch=cfg.batch, lr=cfg.lr, schedule="constant",
        seed=cfg.seed, device=cfg.device, checkpoint_every=cfg.checkpoint_every, augment=base.config.augment,
        data_description=f"{names} (adapted from {base.label}, trained on: {base.facts()['training_data']})",
        # every frame is trained on: no labels are used and the model is meant for this footage; the figures are
        # measured on all of it afterwards (_figures)
        data=DataConfig(inputs=[os.path.abspath(s) for s in cfg.sources], val_fraction=0.0),
        model=base.config.model,
    )


def _figure_runs(cache: FrameCache) -> list[np.ndarray]:
    """Each source's frames in decode order, each cut short alike when all of them exceed FIGURE_FRAMES."""
    runs = [np.arange(s.start, s.start + s.n_train + s.n_val) for s in cache.segments]
    total = sum(len(r) for r in runs)
    keep = min(1.0, FIGURE_FRAMES / total)
    return [r[: max(2, int(len(r) * keep))] for r in runs]


def _figures(state: dict, model_cfg: ModelConfig, cache: FrameCache, device: torch.device) -> dict:
    """The trainer's validation figures (loss terms, consecutive-frame KL) of a model on the footage, in order."""
    model = ReproVAE(model_cfg).to(device)
    model.load_state_dict(state)
    torch.manual_seed(0)  # the loss samples the latent: the same noise for the base and the adapted model
    return evaluate(model, cache, device, runs=_figure_runs(cache))


def command_line(cfg: AdaptConfig) -> str:
    """The command that repeats this adapt (with --steps, exactly)."""
    args = ["reprocut", "adapt", *cfg.sources, "--out", cfg.out, *(["--from", cfg.base] if cfg.base else []),
            *cfg.budget.split(), "--batch", str(cfg.batch), "--lr", f"{cfg.lr:g}", "--seed", str(cfg.seed)]
    return shlex.join(args)


def adapt(cfg: AdaptConfig, resume: bool = False, force: bool = False) -> dict:
    """Fine-tune ``cfg.base`` on ``cfg.sources`` and export ``cfg.out`` with its card; returns the card's facts.
    ``check(cfg, resume, force)`` (adapt_config.py) has seen the user's mistakes before this is called."""
    if resume:
        cfg = read_record(cfg)
    if cfg.minutes is None and cfg.steps is None:
        cfg.minutes = DEFAULT_MINUTES
    base = load_base(cfg.base)
    tcfg = train_config(cfg, base)
    continuing = resume and os.path.exists(os.path.join(tcfg.out, CHECKPOINT))
    if resume and not continuing:
        log.warning("%s: stopped before its first checkpoint; starting again from the base", cfg.folder)
    if not resume and os.path.isdir(cfg.folder):  # --force: an old work folder goes
        shutil.rmtree(cfg.folder)
    write_record(cfg)
    seconds = cfg.minutes * 60 if cfg.minutes is not None else None
    train(tcfg, resume=continuing, force=True, start=base.state, seconds=seconds, snapshots=False)

    ckpt = load_checkpoint(tcfg.out)
    cache = FrameCache(tcfg.out)
    device = _device(cfg.device)
    figures = {"base": _figures(base.state, base.config.model, cache, device),
               "adapted": _figures(ckpt["model"], base.config.model, cache, device)}
    metrics_path = os.path.join(tcfg.out, "metrics.json")  # what export copies into the model: the calibration
    with open(metrics_path) as f:
        metrics = json.load(f)
    metrics.update(figures["adapted"])
    with open(metrics_path, "w") as f:
        json.dump(metrics, f, indent=1)

    facts = _facts(cfg, base, ckpt, cache, figures, metrics["device"])
    name = facts["model"]
    errors = export(ExportConfig(run_dir=tcfg.out, out=cfg.out, name=name, metadata={
        "adapted_from": base.label, "adapted_on": ", ".join(cfg.sources), "adaptation": json.dumps(facts)}))
    facts["parity"] = max(errors.values())
    facts["out"], facts["card"] = cfg.out, write_card(cfg.out, facts)
    return facts


def _as_given(name: str, sources: list[str]) -> str:
    """A cached source's path as the user named it (the cache holds absolute paths): a source itself, or a file in one."""
    for given in sources:
        folder = os.path.abspath(given)
        if name == folder:
            return given
        if name.startswith(folder.rstrip(os.sep) + os.sep):
            return os.path.join(given, os.path.relpath(name, folder))
    return name


def _facts(cfg: AdaptConfig, base: Base, ckpt: dict, cache: FrameCache, figures: dict, device: str) -> dict:
    """What the model card says, and the model's metadata (``adaptation``) holds."""
    files = [{"file": _as_given(s.name, cfg.sources), "frames": s.n_train + s.n_val} for s in cache.segments]
    batch = min(cfg.batch, sum(f["frames"] for f in files))
    elapsed = float(ckpt.get("elapsed", 0.0))
    return {
        "model": cfg.name or os.path.splitext(os.path.basename(cfg.out))[0],
        "file": os.path.basename(cfg.out),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "reprocut_version": __version__,
        "base": base.facts(),
        "footage": {"sources": list(cfg.sources), "files": files, "frames": sum(f["frames"] for f in files)},
        "training": {"budget": cfg.budget, "steps": int(ckpt["step"]), "minutes": round(elapsed / 60, 3),
                     "frames_per_s": round(ckpt["step"] * batch / elapsed, 1) if elapsed else 0.0, "batch": batch,
                     "lr": cfg.lr, "schedule": "constant", "seed": cfg.seed, "device": device,
                     "augment": asdict(base.config.augment), "model": base.config.model.to_dict()},
        "figures": figures,
        "command": command_line(cfg),
    }
