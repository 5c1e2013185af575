"""Encoder-only ONNX export with metadata and a parity check against torch.

The exported graph takes ``frames`` float32 [N,3,64,64] in [0,1] and returns ``mu`` and
``logvar`` [N,latent] with a dynamic batch; each convolution and the average pool after it are
folded into one convolution (``fold.py``), the same arithmetic at half the CPU cost. Everything
the runtime needs to trust a model (input and latent size, loss weights, training data,
calibration of consecutive-frame KL, version) goes into ``metadata_props``, so a model file is
self-describing.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import onnx
import torch
from reprocut.export.fold import fold_pools
from reprocut.stream import __version__
from reprocut.stream.core.errors import UsageError
from reprocut.trainer.model import ReproVAE
from reprocut.trainer.train import CHECKPOINT, config_from_dict, load_checkpoint
from torch import nn

log = logging.getLogger(__name__)

OPSET = 18
PARITY_BATCHES = (1, 7, 64)


@dataclass
class ExportConfig:
    run_dir: str = "run"
    out: str = "model.onnx"
    fp16: bool = False  # half-precision weights and arithmetic, for GPUs; input and outputs stay float32
    tolerance: float = 1e-4  # max abs difference to torch allowed (float32 export)
    fp16_tolerance: float = 5e-2
    name: str = ""
    metadata: dict[str, str] = field(default_factory=dict)  # more entries (``reprocut adapt``: its model card's facts)


class EncoderGraph(nn.Module):
    """The encoder alone, optionally computing in half precision behind float32 inputs and outputs."""

    def __init__(self, encoder: nn.Module, fp16: bool):
        super().__init__()
        self.encoder = encoder.half() if fp16 else encoder
        self.fp16 = fp16

    def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.encoder(frames.half() if self.fp16 else frames)
        return mu.float(), logvar.float()



def _metrics_path(run: str) -> str:
    """A run's ``metrics.json``; a snapshot's figures sit beside it (``epoch_NNN.pt`` -> ``epoch_NNN.json``)."""
    if os.path.isdir(run):
        return os.path.join(run, "metrics.json")
    if os.path.basename(run) == CHECKPOINT:
        return os.path.join(os.path.dirname(run), "metrics.json")
    return os.path.splitext(run)[0] + ".json"

def _metadata(ckpt: dict, cfg: ExportConfig) -> dict[str, str]:
    train_cfg = config_from_dict(ckpt["config"])
    metrics_path = _metrics_path(cfg.run_dir)
    metrics = json.load(open(metrics_path)) if os.path.exists(metrics_path) else {}
    data = train_cfg.data_description or ", ".join(os.path.basename(p.rstrip("/")) for p in train_cfg.data.inputs)
    meta = {
        "reprocut_version": __version__,
        "model_name": cfg.name or os.path.splitext(os.path.basename(cfg.out))[0],
        "input_name": "frames",
        "input_size": str(train_cfg.model.image_size),
        "latent_size": str(train_cfg.model.latent),
        "beta": str(train_cfg.model.beta),
        "lambda": str(train_cfg.model.lam),
        "model_config": json.dumps(train_cfg.model.to_dict()),
        "training_data": data,
        "training_steps": str(ckpt["step"]),
        "opset": str(OPSET),
        "precision": "fp16" if cfg.fp16 else "fp32",
    }
    for key in ("kl_median", "kl_p99", "val_recon"):
        if key in metrics:
            meta[key] = repr(metrics[key])
    return meta


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """Hush the exporter's chatter, which tells a user nothing: its progress on stdout, torch's
    'torchvision is not installed' (operators a VAE never uses), deprecation warnings from inside
    torch, onnxscript's and onnx_ir's INFO lines. ``-vv`` (debug) shows all of it."""
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        yield
        return
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "onnxscript", "onnx_ir")]
    levels = [lg.level for lg in loggers]
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)


def export(cfg: ExportConfig) -> dict[int, float]:
    """Export the run's encoder to ``cfg.out`` and return the parity error per batch size."""
    ckpt = load_checkpoint(cfg.run_dir)
    train_cfg = config_from_dict(ckpt["config"])
    model = ReproVAE(train_cfg.model)
    model.load_state_dict(ckpt["model"])
    model.eval()
    reference = EncoderGraph(ReproVAE(train_cfg.model).encoder, fp16=False).eval()
    reference.encoder.load_state_dict(model.encoder.state_dict())
    graph = EncoderGraph(model.encoder, cfg.fp16).eval()

    size = train_cfg.model.image_size
    example = torch.rand(4, 3, size, size)
    out_dir = os.path.dirname(os.path.abspath(cfg.out))
    if not os.path.isdir(out_dir):
        raise UsageError(f"{cfg.out}: folder {out_dir} does not exist")
    with _quiet_exporter():
        program = torch.onnx.export(
            graph, (example,), input_names=["frames"], output_names=["mu", "logvar"],
            dynamic_shapes=({0: torch.export.Dim("N", min=1, max=65536)},), opset_version=OPSET, dynamo=True,
        )
    proto = program.model_proto
    folded = fold_pools(proto)
    log.debug("folded %d convolution+pool pairs", folded)
    for key, value in {**_metadata(ckpt, cfg), **cfg.metadata}.items():
        proto.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(proto)
    tmp = cfg.out + ".tmp"
    onnx.save_model(proto, tmp, save_as_external_data=False)
    os.replace(tmp, cfg.out)

    errors = parity(cfg.out, reference, size)
    limit = cfg.fp16_tolerance if cfg.fp16 else cfg.tolerance
    worst = max(errors.values())
    if worst > limit:
        raise RuntimeError(f"parity check failed: max abs difference {worst:.3g} > {limit:g}")
    return errors


def parity(path: str, reference: nn.Module, size: int) -> dict[int, float]:
    """Max abs difference between onnxruntime (CPU) and torch for a few batch sizes."""
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    errors = {}
    for n in PARITY_BATCHES:
        x = rng.random((n, 3, size, size), dtype=np.float32)
        mu, logvar = session.run(["mu", "logvar"], {"frames": x})
        with torch.no_grad():
            t_mu, t_logvar = reference(torch.from_numpy(x))
        errors[n] = float(max(np.abs(mu - t_mu.numpy()).max(), np.abs(logvar - t_logvar.numpy()).max()))
    return errors
