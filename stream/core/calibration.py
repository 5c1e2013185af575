"""What an exported model says about its own footage, read from its metadata by the encoder.

It lives in the core because the scorer sets its KL noise floor from it; the runtime only
fills it in (``runtime.encoder``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """Consecutive-frame KL of the model's own validation footage, stored at export."""

    kl_median: float | None = None
    kl_p99: float | None = None
