"""Raw per-frame change signals between consecutive frames, vectorised over a batch.

``kl`` (the primary signal) compares the encoder's posteriors; ``pix`` (mean absolute pixel
difference) and ``hist`` (colour-histogram distance) are cheap signals on the same 64x64
frames that cover the VAE's blind spots: ``hist`` ignores where things are, so it stays low
under pans and fast motion; ``pix`` reacts to any change of layout.
"""

from __future__ import annotations

import numpy as np

from .kl import symmetric_kl

SIGNALS = ("kl", "pix", "hist")
HIST_BITS = 2  # 4 levels per channel: 64 bins, coarse enough to ignore compression noise


def colour_histograms(pixels: np.ndarray) -> np.ndarray:
    """uint8 [N,S,S,3] -> normalised 64-bin RGB histograms [N,64]."""
    shift = 8 - HIST_BITS
    q = pixels >> shift  # uint8 arithmetic: the bin of a pixel fits in a byte
    bins = (q[..., 0] << (2 * HIST_BITS)) | (q[..., 1] << HIST_BITS) | q[..., 2]
    n, nb = len(pixels), 1 << (3 * HIST_BITS)
    flat = (bins.reshape(n, -1) + np.arange(0, n * nb, nb, dtype=np.intp)[:, None]).ravel()
    counts = np.bincount(flat, minlength=n * nb).reshape(n, nb).astype(np.float32)
    return counts / counts.sum(1, keepdims=True)


def pair_signals(mu_a, logvar_a, pix_a, hist_a, mu_b, logvar_b, pix_b, hist_b) -> dict[str, np.ndarray]:
    """Signals between frames a and b (arrays with a leading batch axis, or single frames)."""
    diff = np.maximum(pix_a, pix_b) - np.minimum(pix_a, pix_b)  # |a - b| in uint8, without widening every pixel
    flat = diff.reshape(*pix_a.shape[:-3], -1)
    pix = flat.sum(-1, dtype=np.uint32) / flat.shape[-1] / 255.0
    return {
        "kl": symmetric_kl(mu_a, logvar_a, mu_b, logvar_b),
        "pix": np.asarray(pix, dtype=np.float64),
        "hist": 0.5 * np.abs(hist_a - hist_b).sum(-1).astype(np.float64),
    }
