"""The Repro-VAE: a small beta-VAE whose reconstructions are re-encoded ("reprojected").

Encoder on 64x64 RGB: four blocks of Conv2d 3x3 -> pool -> activation (32, 64, 128, 256 channels)
down to 256x4x4, then Linear(4096, latent) heads for mu and logvar. Decoder: Linear(latent, 4096)
-> four ConvTranspose2d x2 upsamplings -> Conv2d to RGB logits. No BatchNorm: a frame's code must
not depend on which other frames share its batch, or the live detector (batch 1..N) would drift.

Loss = reconstruction + beta * KL(q(z|x) || N(0, I)) + lambda * KL(q(z|x) || q(z|x~)),
where x~ = sigmoid(decoder(z)) is fed back through the same encoder.

One step precedes the paper's encoder: each frame's exposure is normalised (``exposure``), a gain
that brings its mean to mid-grey, capped. Without it the latent spends itself on brightness: a shot
dimming into an edit's brightness dip moved it more than the cut inside the dip did, and two dimmed
shots looked alike (BENCHMARKS.md / MODEL_CARD.md). The step is part of the encoder, so the
exported ONNX graph carries it and the detector needs nothing new; the reconstruction target is
the normalised frame, so the latent need not hold the exposure at all.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig


LAYERS = {"leakyrelu": nn.LeakyReLU, "relu": nn.ReLU, "elu": nn.ELU}  # one per name of config.ACTIVATIONS
EXPOSURE_MEAN = 0.45  # the mean a frame is brought to (typical footage: 0.3-0.5)


def normalise_exposure(x: torch.Tensor, max_gain: float) -> torch.Tensor:
    """Scale each frame [N,3,H,W] in [0,1] so that its mean is ``EXPOSURE_MEAN``, by a gain in
    [1/max_gain, max_gain], clipped to [0,1]. A dip to a third of the brightness (or a brightening by as
    much) leaves the picture as it was; a fade to black past the cap still changes it; black stays black."""
    if max_gain == 1.0:
        return x
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    gain = (EXPOSURE_MEAN / mean.clamp(min=1e-4)).clamp(1.0 / max_gain, max_gain)
    return (x * gain).clamp(0.0, 1.0)


class Encoder(nn.Module):
    """Frames [N,3,64,64] in [0,1] -> (mu, logvar), each [N, latent]; exposure normalised first."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.exposure = cfg.exposure
        layers: list[nn.Module] = []
        channels = 3
        for width in cfg.hidden:
            if cfg.pooling == "none":
                layers.append(nn.Conv2d(channels, width, 3, stride=2, padding=1))
            else:
                layers.append(nn.Conv2d(channels, width, 3, stride=1, padding=1))
                layers.append(nn.AvgPool2d(2) if cfg.pooling == "avg" else nn.MaxPool2d(2))
            layers.append(LAYERS[cfg.activation]())
            channels = width
        self.features = nn.Sequential(*layers)
        side = cfg.image_size // 2 ** len(cfg.hidden)
        flat = channels * side * side
        self.mu = nn.Linear(flat, cfg.latent)
        self.logvar = nn.Linear(flat, cfg.latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encode(normalise_exposure(x, self.exposure))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames already normalised (or reconstructions of normalised frames) -> (mu, logvar)."""
        h = self.features(x).flatten(1)
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    """Latent codes [N, latent] -> RGB logits [N,3,64,64]."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        top = cfg.hidden[-1]
        self.side = cfg.image_size // 2 ** len(cfg.hidden)
        self.top = top
        self.project = nn.Linear(cfg.latent, top * self.side * self.side)
        widths = list(reversed(cfg.hidden)) + [cfg.hidden[0]]  # 256 -> 128 -> 64 -> 32 -> 32
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            layers += [nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1), nn.ReLU()]
        layers.append(nn.Conv2d(cfg.hidden[0], 3, 3, padding=1))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.project(z).view(-1, self.top, self.side, self.side))


def kl_to_prior(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, var) || N(0, I)) per sample, summed over latent dimensions."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)


def kl_gaussians(mu1: torch.Tensor, logvar1: torch.Tensor, mu2: torch.Tensor, logvar2: torch.Tensor) -> torch.Tensor:
    """KL(N1 || N2) for diagonal Gaussians, per sample."""
    return 0.5 * (logvar2 - logvar1 + (logvar1.exp() + (mu1 - mu2).pow(2)) / logvar2.exp() - 1.0).sum(1)


class ReproVAE(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Return the total loss and its terms (batch means) for frames x in [0,1]."""
        cfg = self.cfg
        x = normalise_exposure(x, cfg.exposure)  # the target too: the latent need not hold the exposure
        mu, logvar = self.encoder.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        logits = self.decoder(z)
        if cfg.recon == "bce":
            recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        else:
            recon = F.mse_loss(torch.sigmoid(logits), x, reduction="none").flatten(1).sum(1)
        prior = kl_to_prior(mu, logvar)
        # Reprojection: encode the reconstruction and pull its posterior onto the original's.
        # The KL's target q(z|x) is detached, so gradients reach the model only through the
        # reprojection branch: the second encoder pass and x~ (hence the decoder, and the first
        # pass through z). With lambda = 200 a live target would let this term drag the primary
        # posterior towards whatever a blurry reconstruction encodes to, fighting the
        # reconstruction term; as a fixed target it teaches the encoder to ignore decoder-style
        # blur and the decoder to keep what the encoder finds salient: the invariance that makes
        # consecutive-frame KL a cut signal rather than a texture detector.
        mu_r, logvar_r = self.encoder.encode(torch.sigmoid(logits))
        repro = kl_gaussians(mu.detach(), logvar.detach(), mu_r, logvar_r)
        terms = {"recon": recon.mean(), "kl": prior.mean(), "repro": repro.mean()}
        total = terms["recon"] + cfg.beta * terms["kl"] + cfg.lam * terms["repro"]
        return total, terms


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
