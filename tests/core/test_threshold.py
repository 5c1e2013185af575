"""The threshold's k-means (k=2) is k-means: held to scikit-learn's KMeans.

``core.threshold.two_centres`` solves the 1-D problem in numpy so that a run never imports
scikit-learn and scipy (~1.5 s of CPU at every start). These tests hold it to scikit-learn on
the kinds of value sets the scorer clusters: log scores of calm footage with a few cuts, dense
edits, heavy tails and ties (held frames give many equal values).
"""

from __future__ import annotations

import numpy as np
import pytest
from reprocut.stream.core.threshold import two_centres
from sklearn.cluster import KMeans


def sklearn_centres(values: np.ndarray, init: tuple[float, float] | None = None) -> tuple[float, float]:
    x = np.asarray(values, np.float64).reshape(-1, 1)
    if init is None:
        km = KMeans(n_clusters=2, n_init=10, random_state=0, tol=0)
    else:
        km = KMeans(n_clusters=2, n_init=1, init=np.array(init).reshape(2, 1), tol=0)
    lo, hi = sorted(km.fit(x).cluster_centers_.ravel())
    return float(lo), float(hi)


def value_sets(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    calm = rng.normal(0.0, 0.3, 400)
    return {
        "calm with a few cuts": np.concatenate([calm, rng.normal(3.5, 0.4, 6)]),
        "dense edit": np.concatenate([calm[:150], rng.normal(2.5, 0.6, 40)]),
        "heavy tail": np.log(rng.lognormal(0.0, 1.0, 500)),
        "three groups": np.concatenate([rng.normal(0, 0.2, 200), rng.normal(1.5, 0.2, 60), rng.normal(4, 0.3, 8)]),
        "held frames (ties)": np.round(np.concatenate([calm, rng.normal(3.0, 0.3, 5)]), 1),
    }


def within_sum_of_squares(values: np.ndarray, centres: tuple[float, float]) -> float:
    near_low = values <= 0.5 * sum(centres)
    return sum(float(((g - g.mean()) ** 2).sum()) for g in (values[near_low], values[~near_low]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_centres_are_k_means_at_its_optimum(seed):
    """Each centre is the mean of the values nearer to it (a k-means solution), and no worse than the best of
    scikit-learn's ten restarts; where the groups are distinct (cuts among calm frames), the same centres."""
    for name, values in value_sets(seed).items():
        lo, hi = ours = two_centres(values)
        near_low = values <= 0.5 * (lo + hi)
        assert (lo, hi) == pytest.approx((values[near_low].mean(), values[~near_low].mean()), abs=1e-9), name
        assert within_sum_of_squares(values, ours) <= within_sum_of_squares(values, sklearn_centres(values)) + 1e-9, name
        if name in ("calm with a few cuts", "dense edit"):
            assert ours == pytest.approx(sklearn_centres(values), abs=1e-9), name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_warm_start_follows_lloyd_from_the_given_centres(seed):
    """A re-fit starts from the last window's centres (KMeans with ``init=``): a local optimum near them, which
    on three groups differs from the global one; it must still be the one scikit-learn reaches."""
    for name, values in value_sets(seed).items():
        for init in [(0.03, 3.0), (1.41, 4.2), (-0.52, 0.5)]:  # no value exactly halfway (a tie is a coin toss)
            assert two_centres(values, init) == pytest.approx(sklearn_centres(values, init), abs=1e-9), (name, init)


def test_a_warm_start_can_keep_a_local_optimum():
    """The point of starting from the last centres: the threshold does not jump to another grouping."""
    values = value_sets(0)["three groups"]
    assert two_centres(values, (1.41, 4.2))[0] > 0.2  # the calm and middle groups together
    assert two_centres(values)[0] < 0.2  # the global optimum puts the middle group with the cuts
