"""KL divergence between the diagonal Gaussians of consecutive frames (numpy, no torch).

The scorer uses the symmetric form 0.5 * (KL(p||q) + KL(q||p)): a cut from shot A to shot B
should score the same as one from B to A, and the one-sided KL punishes a sharp posterior
followed by a broad one far more than the reverse, which has nothing to do with whether the
scene changed.
"""

from __future__ import annotations

import numpy as np


def symmetric_kl(mu1: np.ndarray, logvar1: np.ndarray, mu2: np.ndarray, logvar2: np.ndarray) -> np.ndarray:
    """Symmetric KL between N(mu1, exp(logvar1)) and N(mu2, exp(logvar2)), summed over the last axis."""
    mu1, logvar1, mu2, logvar2 = (np.asarray(a, dtype=np.float64) for a in (mu1, logvar1, mu2, logvar2))
    ratio = np.exp(logvar1 - logvar2)
    d2 = (mu1 - mu2) ** 2
    inv = np.exp(-logvar1) + np.exp(-logvar2)
    return 0.25 * np.sum(ratio + 1.0 / ratio - 2.0 + d2 * inv, axis=-1)


def consecutive_kl(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Symmetric KL between each frame and the one before it: [N, L] -> [N - 1]."""
    return symmetric_kl(mu[1:], logvar[1:], mu[:-1], logvar[:-1])


def prior_kl(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """KL(N(mu, exp(logvar)) || N(0, 1)) summed over the last axis: how much the posterior says about its frame."""
    mu, logvar = np.asarray(mu, dtype=np.float64), np.asarray(logvar, dtype=np.float64)
    return 0.5 * np.sum(mu * mu + np.exp(logvar) - 1.0 - logvar, axis=-1)

