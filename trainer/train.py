"""The training loop: Adam on the Repro-VAE loss, atomic checkpoints, resume, a NaN guard.

Reads top to bottom: configure, build or reuse the frame cache, build or restore the model,
loop over shuffled batches, checkpoint, and at the end write validation figures that the
exporter copies into the ONNX model as the detector's calibration.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict

import numpy as np
import torch
from reprocut.stream.core.errors import UsageError
from reprocut.stream.core.kl import consecutive_kl
from reprocut.stream.runtime.progress import Progress

from .augment import AugmentConfig, augment
from .config import ModelConfig, TrainConfig
from .data import DataConfig, FrameCache, build_cache, shuffled_batches
from .model import ReproVAE
from .rundir import check_run_dir

log = logging.getLogger(__name__)

CHECKPOINT = "ckpt.pt"
SNAPSHOTS = "snapshots"  # one checkpoint per epoch, with its validation figures: choose by dev F1, not by loss
# Below these a run cannot teach the encoder much (its KL stays near 0 and does not separate cuts): the
# bundled model's run had KL medians of 0.001-0.002 after 97 and 194 steps; the shipped snapshot had 388 steps.
USEFUL_STEPS = 300
USEFUL_FRAMES = 5000


class TrainingDiverged(Exception):
    """The loss became NaN or infinite; the last good checkpoint was kept."""


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: CUDA is not available to torch on this machine")
    return torch.device(name)


def load_checkpoint(run_dir: str) -> dict:
    """Load ``run_dir``/ckpt.pt; a missing or damaged file is a UsageError, not a traceback."""
    path = os.path.join(run_dir, CHECKPOINT) if os.path.isdir(run_dir) else run_dir
    if not os.path.exists(path):
        raise UsageError(f"{path}: no checkpoint (train first, or check the run directory)")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(ckpt, dict) or "model" not in ckpt or "config" not in ckpt:
            raise ValueError("not a reprocut checkpoint")
    except Exception as exc:  # torch raises many types for a damaged file, some with messages of several lines
        log.debug("%s: %r", path, exc)  # -vv: torch's own words
        raise UsageError(f"{path}: corrupt or unreadable checkpoint (not one written by 'reprocut train')") from None
    return ckpt


def config_from_dict(d: dict) -> TrainConfig:
    d = dict(d)
    d["data"] = DataConfig(**d["data"])
    d["model"] = ModelConfig(**{"exposure": 1.0, **d["model"]})  # runs before exposure normalisation had none
    d["augment"] = AugmentConfig(**d.get("augment", {"flip": d.pop("flip", True), "jitter": False}))  # runs before jitter existed
    return TrainConfig(**d)


def _save_checkpoint(path: str, model: ReproVAE, optim: torch.optim.Optimizer, cfg: TrainConfig, step: int, epoch: int,
                     batch_in_epoch: int, elapsed: float) -> None:
    """Write to a temporary file, fsync, then rename: a crash never leaves a half-written checkpoint. ``elapsed``:
    seconds of training so far, resumes included (a wall-clock budget continues from it)."""
    state = {
        "model": model.state_dict(),
        "optim": optim.state_dict(),
        "config": asdict(cfg),
        "step": step,
        "epoch": epoch,
        "batch_in_epoch": batch_in_epoch,
        "torch_rng": torch.get_rng_state(),
        "elapsed": elapsed,
    }
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _snapshot(path: str, model: ReproVAE, cache: FrameCache, device: torch.device, epoch: int) -> None:
    """Keep this epoch's checkpoint as ``snapshots/epoch_NNN.pt`` with its validation figures beside it
    (``.json``, which ``reprocut export`` reads as it reads a run's ``metrics.json``)."""
    folder = os.path.join(os.path.dirname(path), SNAPSHOTS)
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, f"epoch_{epoch:03d}")
    # figures first, each file complete before its name appears: a script that exports snapshots as they come
    # never finds a checkpoint without its figures, nor half a file
    with open(stem + ".json.tmp", "w") as f:
        json.dump(evaluate(model, cache, device), f, indent=1)
    os.replace(stem + ".json.tmp", stem + ".json")
    shutil.copyfile(path, stem + ".pt.tmp")
    os.replace(stem + ".pt.tmp", stem + ".pt")


def _prepare_run_dir(cfg: TrainConfig, resume: bool, force: bool) -> dict | None:
    out = cfg.out
    exists = check_run_dir(out, resume, force)
    if resume:
        return load_checkpoint(out)
    if exists:
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    return None


@torch.no_grad()
def evaluate(model: ReproVAE, cache: FrameCache, device: torch.device, batch: int = 512, runs: list[np.ndarray] | None = None) -> dict:
    """Validation loss terms and the spread of consecutive-frame KL (the detector's raw signal), on ``runs`` of
    consecutive frames (default: the held-out tail of each source)."""
    model.eval()
    sums = {"recon": 0.0, "kl": 0.0, "repro": 0.0}
    count = 0
    kls = []
    for run in cache.val_runs if runs is None else runs:
        mus, logvars = [], []
        for i in range(0, len(run), batch):
            x = torch.from_numpy(cache.batch(run[i : i + batch])).to(device)
            _, terms = model(x)
            for k in sums:
                sums[k] += float(terms[k]) * len(x)
            count += len(x)
            mu, logvar = model.encoder(x)
            mus.append(mu.cpu().numpy())
            logvars.append(logvar.cpu().numpy())
        if len(run) > 1:
            kls.append(consecutive_kl(np.concatenate(mus), np.concatenate(logvars)))
    model.train()
    if not count:
        return {}
    result = {f"val_{k}": v / count for k, v in sums.items()}
    if kls:
        all_kl = np.concatenate(kls)
        result.update(kl_median=float(np.median(all_kl)), kl_p99=float(np.percentile(all_kl, 99)), val_frames=count)
    return result


def train(cfg: TrainConfig, resume: bool = False, force: bool = False, start: dict | None = None,
          seconds: float | None = None, snapshots: bool = True) -> dict:
    """Train (or continue training) a Repro-VAE into ``cfg.out``; returns the final metrics.

    ``reprocut adapt`` fine-tunes through this same loop: ``start`` is the state_dict a new run begins from
    (default: random weights); ``seconds`` a wall-clock budget for the steps, which a resumed run continues (the
    checkpoint records the seconds spent): the run ends at the first step past it, ``cfg.steps`` still caps it, and
    without ``cfg.steps`` the epochs do not; ``snapshots`` False keeps no per-epoch snapshot and checkpoints every
    ``cfg.checkpoint_every`` steps and at the end only (an epoch of one short clip can be a single step).
    """
    if seconds is not None and cfg.steps is None and cfg.schedule != "constant":
        raise ValueError("a time budget without a step count needs the constant schedule (a decay needs the last step)")
    ckpt = _prepare_run_dir(cfg, resume, force)
    if ckpt is not None:  # the run's own data and model settings win; the budget may be extended
        saved = config_from_dict(ckpt["config"])
        saved.epochs, saved.steps, saved.out = cfg.epochs, cfg.steps, cfg.out
        cfg = saved
    with open(os.path.join(cfg.out, "config.json"), "w") as f:
        json.dump(asdict(cfg), f, indent=1)

    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    cfg.data.image_size = cfg.model.image_size
    cache = build_cache(cfg.data, cfg.out)
    train_idx = cache.train_indices
    batch = min(cfg.batch, len(train_idx))
    per_epoch = max(1, len(train_idx) // batch)
    total_steps = cfg.steps if cfg.steps is not None else None if seconds is not None else cfg.epochs * per_epoch

    model = ReproVAE(cfg.model).to(device)
    if start is not None and ckpt is None:
        model.load_state_dict(start)
    if cfg.freeze_encoder:
        model.encoder.requires_grad_(False)  # the reprojection term still reaches the decoder through it
    optim = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    step, epoch, skip, spent = 0, 0, 0, 0.0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        optim.load_state_dict(ckpt["optim"])
        step, epoch, skip, spent = ckpt["step"], ckpt["epoch"], ckpt["batch_in_epoch"], ckpt.get("elapsed", 0.0)
        torch.set_rng_state(ckpt["torch_rng"])
        log.info("resuming %s at step %d (epoch %d)", cfg.out, step, epoch)
    budget = f"{total_steps} steps" if seconds is None else f"{seconds:.0f} s" + (f" or {total_steps} steps" if total_steps else "")
    log.info("training on %s: %d train frames, batch %d, %s", device, len(train_idx), batch, budget)
    if start is None and total_steps is not None and (total_steps < USEFUL_STEPS or len(train_idx) < USEFUL_FRAMES):
        log.warning("this run is too short to be useful: %d optimiser step(s) on %d training frames; an encoder whose KL "
                    "tells cuts apart needs about %s steps on %s frames or more (the bundled model: 388 steps on 12,520 "
                    "frames): add footage, or raise --epochs/--steps", total_steps, len(train_idx),
                    f"{USEFUL_STEPS:,}", f"{USEFUL_FRAMES:,}")

    path = os.path.join(cfg.out, CHECKPOINT)
    seen, t0 = 0, time.monotonic()

    def elapsed() -> float:
        return spent + time.monotonic() - t0

    def finished() -> bool:
        return (total_steps is not None and step >= total_steps) or (seconds is not None and elapsed() >= seconds)

    label = "train" if start is None else "fine-tune"
    if total_steps is None:  # a time budget alone: the bar counts its seconds
        progress = Progress(round(seconds), label, initial=min(int(spent), round(seconds)), unit="s")
    else:
        progress = Progress(total_steps, label, initial=step, unit="step")
    done = finished()  # decided once per step: the last checkpoint is written when it turns true
    while not done:
        rng = np.random.default_rng([cfg.seed, epoch])  # per-epoch order: a resumed run replays it exactly
        for b, idx in enumerate(shuffled_batches(train_idx, batch, rng)):
            if b < skip:
                continue
            x = cache.batch(idx)
            x = augment(x, np.random.default_rng([cfg.seed, epoch, b]), cfg.augment)  # seeded per batch: resumable
            x = torch.from_numpy(np.ascontiguousarray(x)).to(device)
            for group in optim.param_groups:
                group["lr"] = cfg.lr_at(step, total_steps or 0)  # no step count: the constant schedule (checked above)
            loss, terms = model(x)
            if not torch.isfinite(loss):
                raise TrainingDiverged(
                    f"loss became {float(loss)} at step {step}; stopped, last good checkpoint kept at {path}"
                    " (try a lower --lr)"
                )
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()
            step += 1
            seen += len(idx)
            fps = seen / max(time.monotonic() - t0, 1e-9)
            values = {k: v.item() for k, v in terms.items()}
            progress.update(1 if total_steps is not None else min(int(elapsed()), round(seconds)) - progress.count,
                            loss=loss.item(), **values, fps=fps)
            if step % 50 == 0:
                log.info("step %d/%s loss %.2f recon %.2f kl %.3f repro %.4f, %.0f frames/s", step, total_steps or "-", loss.item(), values["recon"], values["kl"], values["repro"], fps)
            last_batch = b + 1 == per_epoch
            if step % cfg.checkpoint_every == 0 and not last_batch:
                _save_checkpoint(path, model, optim, cfg, step, epoch, b + 1, elapsed())
            done = finished()
            if done or last_batch:
                break
        skip = 0
        if last_batch:
            epoch += 1
        if snapshots or not last_batch or done or step % cfg.checkpoint_every == 0:
            _save_checkpoint(path, model, optim, cfg, step, epoch, 0 if last_batch else b + 1, elapsed())
        if last_batch and snapshots:
            _snapshot(path, model, cache, device, epoch)
        log.info("epoch %d done at step %d: loss %.2f (%.0f frames/s)", epoch, step, loss.item(), fps)
    progress.close()

    metrics = {"step": step, "epoch": epoch, "train_frames": int(len(train_idx)), "device": str(device), "seconds": round(elapsed(), 1)}
    metrics.update(evaluate(model, cache, device))
    with open(os.path.join(cfg.out, "metrics.json.tmp"), "w") as f:
        json.dump(metrics, f, indent=1)
    os.replace(os.path.join(cfg.out, "metrics.json.tmp"), os.path.join(cfg.out, "metrics.json"))
    log.info("validation: %s", ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()))
    return metrics
