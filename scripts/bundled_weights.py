"""Rebuild the full weights of the bundled model (``stream/models/default.pt``, what ``reprocut adapt`` fine-tunes)
from its ONNX encoder, when the run that made it kept no checkpoint.

The ONNX file holds the encoder only; fine-tuning needs a decoder too. This script takes the encoder's weights
from the ONNX initializers (exactly: the export names them after the torch parameters) and the model config from
its metadata, then trains a decoder for that frozen encoder on the model's own training data (the inputs its model
card names), with the training loss of ``reprocut train``. It checks that the result's encoder gives the bundled
model's outputs before writing the weights file. It needs an unfolded file: the shipped one is folded since
``export/fold.py``, so give ``--onnx`` the version before, ``git show 81a1bac:stream/models/default.onnx``.

    .venv/bin/python scripts/bundled_weights.py ../shared/train runs/demo-train-clips --steps 300
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from reprocut.trainer.adapt_base import write_weights
from reprocut.trainer.augment import AugmentConfig
from reprocut.trainer.config import ModelConfig, TrainConfig
from reprocut.trainer.data import DataConfig
from reprocut.trainer.model import ReproVAE
from reprocut.trainer.train import train

ROOT = Path(__file__).resolve().parents[1]


def encoder_start(onnx_path: Path) -> tuple[ModelConfig, dict]:
    """The model config from the ONNX metadata, and a state_dict whose encoder is the ONNX file's (decoder: random)."""
    model = onnx.load(str(onnx_path))
    meta = {p.key: p.value for p in model.metadata_props}
    cfg = ModelConfig(**json.loads(meta["model_config"]))
    state = ReproVAE(cfg).state_dict()
    found = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer if i.name in state}
    missing = [k for k in state if k.startswith("encoder.") and k not in found]
    if missing:
        sys.exit(f"{onnx_path}: no initializer for {', '.join(missing)} (a folded export? --onnx the unfolded file)")
    state.update(found)
    return cfg, state


def same_outputs(onnx_path: Path, weights: Path, frames: int = 64) -> float:
    """Largest absolute difference of mu and logvar between the ONNX model and the weights' encoder."""
    x = np.random.default_rng(0).random((frames, 3, 64, 64), dtype=np.float32)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})
    saved = torch.load(weights, weights_only=False)
    model = ReproVAE(ModelConfig(**saved["config"]["model"]))
    model.load_state_dict(saved["model"])
    model.eval()
    with torch.no_grad():
        got = model.encoder(torch.from_numpy(x))  # with its exposure step, as exported
    return max(float(np.abs(e - g.numpy()).max()) for e, g in zip(expected, got))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", help="the bundled model's training inputs (its model card names them)")
    p.add_argument("--onnx", default=str(ROOT / "stream" / "models" / "default.onnx"))
    p.add_argument("--out", default=str(ROOT / "stream" / "models" / "default.pt"))
    p.add_argument("--run", default=str(ROOT / "runs" / "bundled-decoder"), help="run directory (removed first)")
    p.add_argument("--steps", type=int, default=300)
    args = p.parse_args()
    model_cfg, start = encoder_start(Path(args.onnx))
    cfg = TrainConfig(out=args.run, steps=args.steps, batch=128, lr=3e-4, schedule="cosine", seed=0, freeze_encoder=True,
                      data_description=f"decoder for the encoder of {Path(args.onnx).name}, trained on its own data",
                      augment=AugmentConfig(), data=DataConfig(inputs=args.inputs, max_frames_per_source=1200),
                      model=model_cfg)
    train(cfg, force=True, start=start, snapshots=False)
    write_weights(args.run, args.out)
    diff = same_outputs(Path(args.onnx), Path(args.out))
    if diff > 1e-4:
        sys.exit(f"the rebuilt encoder differs from {args.onnx} by {diff:.3g}")
    print(f"wrote {args.out}: the encoder of {args.onnx} (outputs within {diff:.2g}) and a decoder trained for it "
          f"({args.steps} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
