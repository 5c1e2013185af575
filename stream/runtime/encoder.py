"""The ONNX Runtime session that turns 64x64 frames into Gaussian posteriors (mu, logvar).

One session serves every stream in the process. CUDA is used only when its provider really
loads (onnxruntime-gpu silently falls back to CPU when CUDA libraries are missing, so we check
``session.get_providers()`` and say which one runs).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..core.calibration import Calibration
from ..core.errors import UsageError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "default.onnx"


def default_model_path() -> str:
    """The model bundled in the package (``stream/models/default.onnx``)."""
    return str(resources.files("reprocut.stream") / "models" / DEFAULT_MODEL)


def _reason(exc: Exception) -> str:
    """onnxruntime's message without its source path and C++ signature: just what went wrong."""
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    if "onnxruntime_src" in text:
        text = text.rsplit(") ", 1)[-1]
    # "[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from X failed:Protobuf parsing failed." -> "protobuf parsing failed"
    text = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : (Load model from .* failed:)?", "", text).strip().rstrip(".")
    return text[:1].lower() + text[1:200]


def process_age() -> float | None:
    """Seconds since this process started (Linux: /proc, to the kernel's clock tick, 10 ms); None elsewhere."""
    try:
        with open("/proc/self/stat") as f:
            started = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime, in clock ticks since boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _nvidia_driver() -> bool:
    """True when an NVIDIA kernel driver is present: without one CUDA cannot load, so don't try."""
    return os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")


@dataclass
class EncoderConfig:
    model: str = ""  # path; empty: the bundled default model
    device: str = "auto"  # auto | cpu | cuda
    threads: int = 0  # intra-op threads for CPU (0: onnxruntime's choice)


class Encoder:
    def __init__(self, cfg: EncoderConfig | None = None):
        import onnxruntime as ort

        cfg = cfg or EncoderConfig()
        self.path = cfg.model or default_model_path()
        if not os.path.isfile(self.path):
            raise UsageError(f"{self.path}: model file not found")
        options = ort.SessionOptions()
        if cfg.threads:
            options.intra_op_num_threads = cfg.threads
        # The decoder thread shares the two cores: ONNX Runtime's threads must sleep between batches,
        # not spin (spinning measured 2x slower end to end on 2 cores: BENCHMARKS.md, "Threads").
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Batch sizes vary (sparse encoding, live batches of what is ready): ONNX Runtime's memory patterns,
        # planned per input shape, added ~40 MB over a run as new sizes came (measured; no speed lost without).
        options.enable_mem_pattern = False
        wanted = ["CPUExecutionProvider"]
        if cfg.device in ("auto", "cuda") and "CUDAExecutionProvider" in ort.get_available_providers() and _nvidia_driver():
            wanted.insert(0, "CUDAExecutionProvider")
            if hasattr(ort, "preload_dlls"):  # finds CUDA/cuDNN installed from PyPI (the 'cuda' extra)
                with contextlib.redirect_stdout(io.StringIO()) as chatter:  # it prints; stdout may be --jsonl
                    try:
                        ort.preload_dlls()
                    except Exception as exc:  # missing libraries are reported below, once
                        log.debug("preload_dlls: %s", exc)
                log.debug("preload_dlls: %s", chatter.getvalue().strip())
        # onnxruntime prints a multi-line error when the CUDA provider cannot load; we say it in one line.
        ort.set_default_logger_severity(4)
        try:
            self.session = ort.InferenceSession(self.path, options, providers=wanted)
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            raise UsageError(f"{self.path}: not a usable ONNX model ({_reason(exc)})") from None
        finally:
            ort.set_default_logger_severity(2)
        active = self.session.get_providers()
        self.device = "cuda" if "CUDAExecutionProvider" in active else "cpu"
        if len(wanted) > 1 and self.device == "cpu":
            log.info("CUDA execution provider is installed but did not load (no GPU or CUDA libraries): using CPU")
        if cfg.device == "cuda" and self.device != "cuda":
            raise UsageError("--device cuda: the CUDA execution provider did not load (install reprocut[cuda] and an NVIDIA driver)")
        meta = self.session.get_modelmeta().custom_metadata_map
        self.metadata = dict(meta)
        self.name = meta.get("model_name", os.path.splitext(os.path.basename(self.path))[0])
        self.input_size, self.latent = self._check_shapes(meta)
        self.calibration = Calibration(
            kl_median=float(meta["kl_median"]) if "kl_median" in meta else None,
            kl_p99=float(meta["kl_p99"]) if "kl_p99" in meta else None,
        )
        log.info("encoder %s (latent %d) on %s", self.name, self.latent, "CUDA" if self.device == "cuda" else "CPU")
        self._first = True  # the first frames are yet to come: start-up ends there (logged)

    def _check_shapes(self, meta: dict[str, str]) -> tuple[int, int]:
        inputs = self.session.get_inputs()
        outputs = {o.name: o for o in self.session.get_outputs()}
        if len(inputs) != 1 or inputs[0].name != "frames" or not {"mu", "logvar"} <= outputs.keys():
            raise UsageError(f"{self.path}: not a reprocut encoder (needs input 'frames' and outputs 'mu', 'logvar')")
        shape = inputs[0].shape
        if len(shape) != 4 or shape[1] != 3 or shape[2] != shape[3] or not isinstance(shape[2], int):
            raise UsageError(f"{self.path}: input 'frames' has shape {shape}, expected [N,3,S,S]")
        size = shape[2]
        if "input_size" in meta and int(meta["input_size"]) != size:
            raise UsageError(f"{self.path}: metadata says input {meta['input_size']} but the graph takes {size}")
        latent = outputs["mu"].shape[-1]
        if not isinstance(latent, int) or outputs["logvar"].shape[-1] != latent:
            raise UsageError(f"{self.path}: outputs 'mu'/'logvar' have no fixed latent size")
        if "latent_size" in meta and int(meta["latent_size"]) != latent:
            raise UsageError(f"{self.path}: metadata says latent {meta['latent_size']} but the graph gives {latent}")
        return size, latent

    def reserve(self, batch: int) -> None:
        """Encode one batch of ``batch`` blank frames. ONNX Runtime's memory arena grows to the largest batch it
        has run (~0.7 MB a frame on CPU), so a stream whose first full batch comes late would grow by tens of
        MB mid-run; reserving at start puts the peak there (~50 ms on CPU at 64 frames)."""
        self.session.run(["mu"], {"frames": np.zeros((batch, 3, self.input_size, self.input_size), np.float32)})

    def encode(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uint8 frames [N,S,S,3] -> (mu, logvar), each float32 [N, latent]."""
        if pixels.shape[1:] != (self.input_size, self.input_size, 3):
            raise ValueError(f"frames of shape {pixels.shape[1:]} do not fit a {self.input_size}x{self.input_size} model")
        if self._first:
            self._first = False
            age = process_age()  # reprocut bench reads this line's time stamp (-v): detect's start-up
            log.info("first %d frames at the encoder%s", len(pixels), f", {age:.2f} s after the process started" if age is not None else "")
        x = np.ascontiguousarray(pixels.transpose(0, 3, 1, 2), dtype=np.float32)
        x *= 1.0 / 255.0
        mu, logvar = self.session.run(["mu", "logvar"], {"frames": x})
        return mu, logvar
