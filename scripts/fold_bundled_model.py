"""Fold the bundled model's convolution+pool pairs (``export/fold.py``) in place, after checking its outputs.

``reprocut export`` folds every model it writes; the bundled ``stream/models/default.onnx`` was exported before
it did, so this script folds that file once (running it again folds nothing). It writes the folded file only if
mu and logvar stay within 1e-5 of the unfolded model's on random and real-looking frames.

    .venv/bin/python scripts/fold_bundled_model.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from reprocut.export.fold import fold_pools

ROOT = Path(__file__).resolve().parents[1]


def outputs(model: bytes, frames: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run(["mu", "logvar"], {"frames": frames})


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnx", default=str(ROOT / "stream" / "models" / "default.onnx"))
    args = p.parse_args()
    model = onnx.load(args.onnx)
    before = model.SerializeToString()
    folded = fold_pools(model)
    if not folded:
        print(f"{args.onnx}: nothing to fold")
        return 0
    onnx.checker.check_model(model)
    rng = np.random.default_rng(0)
    frames = np.concatenate([rng.random((32, 3, 64, 64), dtype=np.float32),  # noise, and smooth pictures
                             np.repeat(np.repeat(rng.random((32, 3, 8, 8), dtype=np.float32), 8, 2), 8, 3)])
    diff = max(float(np.abs(a - b).max()) for a, b in zip(outputs(before, frames), outputs(model.SerializeToString(), frames)))
    if diff > 1e-5:
        sys.exit(f"folding changed the outputs by {diff:.3g}; {args.onnx} left as it was")
    tmp = args.onnx + ".tmp"
    onnx.save_model(model, tmp)
    Path(tmp).replace(args.onnx)
    print(f"{args.onnx}: folded {folded} convolution+pool pairs (outputs within {diff:.2g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
