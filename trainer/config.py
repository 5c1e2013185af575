"""What a training run is: the model's architecture and loss, the run's budget and optimiser, each default
declared once. ``reprocut train``'s options are generated from these dataclasses (and from ``DataConfig`` and
``AugmentConfig``, beside the code that reads them).

No torch here: ``reprocut train --help`` and a user's mistakes are answered before torch loads (~2.5 s).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .augment import AugmentConfig
from .data import DataConfig

POOLINGS = ("avg", "max", "none")  # none: stride-2 convolutions keep the 4x4 output
ACTIVATIONS = ("leakyrelu", "relu", "elu")
RECONS = ("bce", "mse")  # bce: the paper's equation; mse: the code the paper built on
DEVICES = ("auto", "cpu", "cuda")
SCHEDULES = ("constant", "cosine")


@dataclass
class ModelConfig:
    """Architecture and loss weights; the defaults are the paper's best setting."""

    latent: int = 10
    hidden: tuple[int, ...] = (32, 64, 128, 256)
    beta: float = 4.0
    lam: float = 200.0  # weight of the reprojection term
    pooling: str = "avg"  # avg | max | none (none: stride-2 convolutions keep the 4x4 output)
    activation: str = "leakyrelu"  # leakyrelu | relu | elu
    recon: str = "bce"  # bce (the paper's equation) | mse (the code the paper built on)
    image_size: int = 64
    exposure: float = 3.0  # largest gain (either way) that brings a frame's mean to model.EXPOSURE_MEAN; 1: off

    def __post_init__(self) -> None:
        self.hidden = tuple(self.hidden)
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be avg, max or none, not {self.pooling!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, not {self.activation!r}")
        if self.recon not in RECONS:
            raise ValueError(f"recon must be bce or mse, not {self.recon!r}")
        if self.image_size % 2 ** len(self.hidden):
            raise ValueError("image_size must be divisible by 2 ** len(hidden)")
        if self.exposure < 1.0:
            raise ValueError(f"exposure is a largest gain, at least 1 (1: off), not {self.exposure!r}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainConfig:
    out: str = "run"
    epochs: int = 10  # passes over the training frames; ignored when steps is set
    steps: int | None = None  # optimizer steps: the run's length instead of epochs
    batch: int = 256
    lr: float = 1e-4
    schedule: str = "constant"  # constant | cosine (from lr down to 0 at the run's last step)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    checkpoint_every: int = 500  # steps; a checkpoint is also written at every epoch's end
    freeze_encoder: bool = False  # train the decoder only (a decoder for a shipped encoder: scripts/bundled_weights.py)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    data_description: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be constant or cosine, not {self.schedule!r}")

    def lr_at(self, step: int, total_steps: int) -> float:
        """The learning rate of optimiser step ``step`` (0-based): a function of the step alone, so a resumed run
        continues the same curve. Cosine decay: the later steps' posteriors sharpen less (see MODEL_CARD.md)."""
        if self.schedule == "constant":
            return self.lr
        return self.lr * 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / max(total_steps, 1)))
