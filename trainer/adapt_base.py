"""The model ``reprocut adapt`` starts from, and the weights file that lets it start from the bundled model.

The bundled ``stream/models/default.onnx`` holds the encoder alone, and fine-tuning needs the decoder too, so
the package ships the same model's full weights beside it: ``stream/models/default.pt``, a *weights file* (the
model's ``state_dict`` and its training config, no optimiser state; the runtime never reads it). A base is that
file (the default), a run directory or checkpoint written by ``reprocut train`` or ``reprocut adapt`` (an adapt's
work folder too), or another weights file::

    write_weights("runs/default/snapshots/epoch_004.pt", "stream/models/default.pt")  # the default model's script
    base = load_base("")            # the bundled weights
    base = load_base("runs/mine")   # a run of `reprocut train`

``python -m reprocut.trainer.adapt_base CHECKPOINT OUT`` writes a weights file (``scripts/train_default_model.sh``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass

import torch
from reprocut.stream.core.errors import UsageError

from .adapt_config import bundled_weights, check_base, checkpoint_path
from .config import TrainConfig
from .train import CHECKPOINT, config_from_dict, load_checkpoint


@dataclass
class Base:
    """A model to fine-tune: its weights and training config, and how a model card names it."""

    path: str  # the file the weights came from
    label: str  # "the bundled model (reprocut-default)", or the path given
    state: dict  # the model's state_dict
    config: TrainConfig
    step: int  # optimiser steps it was trained for
    sha256: str  # of the file, so a card names one exact base

    def facts(self) -> dict:
        return {"model": self.label, "file": self.path, "sha256": self.sha256[:16], "steps": self.step,
                "training_data": self.config.data_description or ", ".join(self.config.data.inputs)}


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_base(spec: str) -> Base:
    """The base model ``spec`` names (``""``: the bundled one); a mistake is a one-line UsageError."""
    check_base(spec)
    path = checkpoint_path(spec) if spec else bundled_weights()
    try:
        ckpt = load_checkpoint(path)
    except UsageError:
        raise UsageError(f"--from {spec or path}: corrupt or unreadable (not a checkpoint of 'reprocut train' or "
                         "'reprocut adapt', nor a weights file)") from None
    label = f"the bundled model ({ckpt.get('name', 'reprocut-default')})" if not spec else spec
    return Base(path, label, ckpt["model"], config_from_dict(ckpt["config"]), int(ckpt.get("step", 0)), _sha256(path))


def write_weights(checkpoint: str, out: str, name: str = "reprocut-default") -> dict:
    """Write the weights file of ``checkpoint`` (a run directory, ckpt.pt or snapshot) to ``out``: the model's
    state_dict, its config, its step and epoch, and the validation figures beside a snapshot (``epoch_NNN.json``),
    without the optimiser's state. Returns what was written."""
    path = checkpoint_path(checkpoint)
    ckpt = load_checkpoint(path)
    figures_path = os.path.splitext(path)[0] + ".json" if os.path.basename(path) != CHECKPOINT else \
        os.path.join(os.path.dirname(path), "metrics.json")
    figures = json.load(open(figures_path)) if os.path.exists(figures_path) else {}
    weights = {"model": {k: v.detach().clone().contiguous() for k, v in ckpt["model"].items()}, "config": ckpt["config"],
               "step": ckpt["step"], "epoch": ckpt.get("epoch", 0), "metrics": figures, "name": name,
               "made_from": os.path.basename(path)}
    tmp = out + ".tmp"
    torch.save(weights, tmp)
    os.replace(tmp, out)
    return weights


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m reprocut.trainer.adapt_base CHECKPOINT_OR_RUN OUT.pt")
    written = write_weights(sys.argv[1], sys.argv[2])
    print(f"wrote {sys.argv[2]}: weights of {sys.argv[1]} (step {written['step']})")
