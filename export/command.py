"""``reprocut export RUN_DIR --out model.onnx [--fp16]``"""

from __future__ import annotations

import argparse

HELP = "export a trained run's encoder to ONNX (with a parity check against torch)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", help="run directory written by 'reprocut train' (or its ckpt.pt)")
    p.add_argument("--out", required=True, metavar="FILE", help="ONNX file to write")
    p.add_argument("--fp16", action="store_true", help="half-precision weights and arithmetic (for GPUs)")
    p.add_argument("--name", default="", help="model name stored in the metadata (default: file name)")


def run(args: argparse.Namespace) -> int:
    from .onnx import ExportConfig, export

    errors = export(ExportConfig(run_dir=args.run_dir, out=args.out, fp16=args.fp16, name=args.name))
    for n, err in errors.items():
        print(f"parity batch {n}: max abs diff {err:.3g}")
    print(f"wrote {args.out}")
    return 0
