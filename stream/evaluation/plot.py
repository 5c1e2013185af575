"""The eval picture: score curve, threshold, labelled and detected transitions and detections of one clip.

matplotlib is optional (``reprocut[plot]``) and imported only here, only when a plot is asked
for, with the Agg backend so it works without a display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..core.errors import UsageError
from .labels import Labels
from .metrics import ClipScore


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("--plot needs matplotlib, which is not installed (pip install 'reprocut[plot]')") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_clip(out: str, trace: Sequence[tuple[int, float, float | None]], labels: Labels, score: ClipScore,
              detections: dict[int, float], title: str = "", transitions: Sequence[tuple[int, int]] = ()) -> None:
    """Write a PNG: ``trace`` is (frame, score, threshold) per decided frame, ``detections`` frame -> score,
    ``transitions`` the (first, last) frames of each detected transition."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(12, 4), dpi=100)
    try:
        frames = [t[0] for t in trace]
        values = [max(t[1], 1e-6) for t in trace]
        ax.plot(frames, values, lw=0.8, color="#444", label="score")
        # Warm-up frames carry NaN but are decided with the first calibrated threshold: draw that.
        finite = [t for _, _, t in trace if t is not None and math.isfinite(t)]
        first = finite[0] if finite else None
        thr = [(f, t if t is not None and math.isfinite(t) else first) for f, _, t in trace]
        thr = [(f, t) for f, t in thr if t is not None]
        if thr:
            ax.step([f for f, _ in thr], [t for _, t in thr], where="post", color="#d80", lw=1.2, label="threshold")
        for i, (a, b) in enumerate(labels.gradual):
            ax.axvspan(a - 0.5, b + 0.5, color="#8bd", alpha=0.35, lw=0, label="gradual" if i == 0 else None)
        for i, (a, b) in enumerate(labels.dont_care):
            ax.axvspan(a - 0.5, b + 0.5, color="#bbb", alpha=0.35, lw=0, label="don't care" if i == 0 else None)
        for i, (a, b, _) in enumerate(labels.hard_negatives):
            ax.axvspan(a - 0.5, b + 0.5, color="#fc9", alpha=0.3, lw=0, label="hard negative" if i == 0 else None)
        for i, (a, b) in enumerate(transitions):
            ax.axvspan(a - 0.5, b + 0.5, ymax=0.08, color="#73c", alpha=0.8, lw=0, label="detected transition" if i == 0 else None)
        for i, c in enumerate(labels.cuts):
            ax.axvline(c, color="#2a2", lw=1.0, ls="--", label="labelled cut" if i == 0 else None)
        groups = [("hit", [d for _, d in score.hits], "o", "#2a2"), ("false alarm", score.false_alarms, "x", "#d22"),
                  ("ignored", [d for d, _ in score.ignored], "s", "#888")]
        for name, frames_, marker, colour in groups:
            if frames_:
                ax.scatter(frames_, [max(detections.get(f, 1.0), 1e-6) for f in frames_], marker=marker, color=colour,
                           zorder=3, label=name)
        if score.misses:
            low = min(values) if values else 1.0
            ax.scatter(score.misses, [low] * len(score.misses), marker="^", color="#d22", zorder=3, label="missed cut")
        ax.set_yscale("log")
        ax.set_xlabel("decoded frame")
        ax.set_ylabel("score")
        ax.set_title(title or labels.name)
        ax.legend(loc="upper right", fontsize=7, ncol=4)
        fig.tight_layout()
        fig.savefig(out)
    finally:
        plt.close(fig)
