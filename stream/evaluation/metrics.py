"""Scoring detected cuts against labels: pure functions, no I/O.

The rules are those of the label format (``docs/labels.md``):

- hard cuts are matched one-to-one to detections within ``tolerance`` frames; the matching
  maximises the number of hits first and then minimises the total frame offset, so a
  detection exactly on a cut is never the one left over when two detections crowd it;
- an unmatched detection inside a gradual or dont_care span, or within ``tolerance`` of an
  optional boundary, is neither a hit nor a false alarm; every other one is a false alarm;
- gradual transitions are scored on their own, against the detected transitions (spans): a
  labelled span is found when a detected transition overlaps it within ``gradual_tolerance``
  frames; a detected transition that overlaps (within the same slack) no labelled gradual span,
  no dont_care span and no hard cut is a false alarm; gradual precision is found / (found + false
  alarms), recall found / labelled, F1 ``2 found / (2 found + false alarms + missed)``;
- false alarms inside hard-negative spans are counted by the span's kind.

Rates with nothing to divide by are None (undefined), never a made-up 0 or 1: a clip without
cuts has no recall, a run without detections no precision. F1 is ``2TP / (2TP + FP + FN)``,
defined whenever there was anything to find or anything found.

Usage::

    score = score_clip(labels, [30, 181, 400], tolerance=2, transitions=[(210, 240)])
    print(score.precision, score.misses, score.false_alarms, score.gradual.f1)
    print(micro([score, other]).f1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .labels import Labels


@dataclass
class EvalConfig:
    """How detections are scored against labels (``reprocut eval``, and bench's accuracy section)."""

    tolerance: int = 2  # frames a detection may be off a hard cut (docs/labels.md)
    gradual_tolerance: int = 3  # frames a detected transition may fall short of a labelled gradual span


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """Precision, recall and F1; None where undefined."""
    return ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)


def match(truth: Sequence[int], detections: Sequence[int], tolerance: int) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one matching within ``tolerance``: (pairs (truth, detection), unmatched truth, unmatched detections).

    Items further apart than ``tolerance`` can never be matched, so the sorted frames split into
    independent groups wherever two neighbours are more than ``tolerance`` apart, and each
    small group is solved exactly as an assignment problem.
    """
    # scipy takes ~1 s to import: paid when scoring, not when a command that only needs EvalConfig starts
    from scipy.optimize import linear_sum_assignment

    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    items = sorted([(int(f), 0) for f in truth] + [(int(f), 1) for f in detections])
    pairs: list[tuple[int, int]] = []
    missed: list[int] = []
    extra: list[int] = []
    group: list[tuple[int, int]] = []

    def solve(group: list[tuple[int, int]]) -> None:
        t = [f for f, kind in group if kind == 0]
        d = [f for f, kind in group if kind == 1]
        if not t or not d:
            missed.extend(t)
            extra.extend(d)
            return
        dist = np.abs(np.subtract.outer(np.array(t), np.array(d)))
        big = (tolerance + 1) * (len(t) + len(d) + 1)  # any extra hit outweighs every offset
        cost = np.where(dist <= tolerance, dist, big)
        rows, cols = linear_sum_assignment(cost)
        used_t, used_d = set(), set()
        for r, c in zip(rows, cols):
            if dist[r, c] <= tolerance:
                pairs.append((t[r], d[c]))
                used_t.add(r)
                used_d.add(c)
        missed.extend(f for i, f in enumerate(t) if i not in used_t)
        extra.extend(f for i, f in enumerate(d) if i not in used_d)

    for item in items:
        if group and item[0] - group[-1][0] > tolerance:
            solve(group)
            group = []
        group.append(item)
    if group:
        solve(group)
    return sorted(pairs), sorted(missed), sorted(extra)


def _inside(frame: int, spans: Iterable[tuple[int, ...]]) -> tuple[int, ...] | None:
    return next((s for s in spans if s[0] <= frame <= s[1]), None)


def overlaps(a: tuple[int, ...], b: tuple[int, ...], slack: int) -> bool:
    """Spans [first, last] that share a frame once either is widened by ``slack`` frames on each side."""
    return a[0] - slack <= b[1] and b[0] - slack <= a[1]


class Rates:
    """Precision, recall and F1 from ``tp``, ``fp`` and ``fn`` (None where undefined)."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[2]


@dataclass
class GradualScore(Rates):
    """Labelled gradual spans found or missed by detected transitions, and the transitions that are false alarms."""

    found: list[tuple[int, int]] = field(default_factory=list)  # labelled spans a detected transition overlaps
    missed: list[tuple[int, int]] = field(default_factory=list)
    false_alarms: list[tuple[int, int]] = field(default_factory=list)  # detected spans that overlap nothing labelled
    detected: int = 0  # transitions detected

    @property
    def tp(self) -> int:
        return len(self.found)

    @property
    def fp(self) -> int:
        return len(self.false_alarms)

    @property
    def fn(self) -> int:
        return len(self.missed)

    def __add__(self, other: GradualScore) -> GradualScore:
        return GradualScore(self.found + other.found, self.missed + other.missed, self.false_alarms + other.false_alarms,
                            self.detected + other.detected)


def score_gradual(labels: Labels, transitions: Iterable[tuple[int, int]], slack: int = EvalConfig.gradual_tolerance) -> GradualScore:
    """Score one clip's detected transitions, as (first, last) frames, against its labelled gradual spans."""
    if slack < 0:
        raise ValueError("gradual tolerance must be >= 0")
    spans = sorted((int(a), int(b)) for a, b in transitions)
    score = GradualScore(detected=len(spans))
    for label in labels.gradual:
        (score.found if any(overlaps(label, t, slack) for t in spans) else score.missed).append(label)
    excused = [*labels.gradual, *labels.dont_care, *((c, c) for c in labels.cuts)]
    score.false_alarms = [t for t in spans if not any(overlaps(t, e, slack) for e in excused)]
    return score


@dataclass
class ClipScore(Rates):
    name: str
    cuts: int  # labelled hard cuts
    hits: list[tuple[int, int]] = field(default_factory=list)  # (labelled frame, detected frame)
    misses: list[int] = field(default_factory=list)  # labelled frames without a detection
    false_alarms: list[int] = field(default_factory=list)  # detected frames that count against precision
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (detected frame, gradual | dont_care | optional)
    false_alarm_kinds: dict[str, int] = field(default_factory=dict)  # hard-negative kind -> false alarms inside
    gradual: GradualScore = field(default_factory=GradualScore)

    @property
    def tp(self) -> int:
        return len(self.hits)

    @property
    def fp(self) -> int:
        return len(self.false_alarms)

    @property
    def fn(self) -> int:
        return len(self.misses)


def score_clip(labels: Labels, detections: Iterable[int], tolerance: int = EvalConfig.tolerance,
               transitions: Iterable[tuple[int, int]] = (), gradual_tolerance: int = EvalConfig.gradual_tolerance) -> ClipScore:
    """Score one clip's detected cut frames (duplicates count: a second detection of one cut is a false alarm)
    and its detected transitions, as (first, last) frames."""
    dets = sorted(int(d) for d in detections)
    pairs, misses, extra = match(labels.cuts, dets, tolerance)
    score = ClipScore(labels.name, len(labels.cuts), pairs, misses)
    for d in extra:
        if _inside(d, labels.gradual):
            score.ignored.append((d, "gradual"))
        elif _inside(d, labels.dont_care):
            score.ignored.append((d, "dont_care"))
        elif any(abs(d - o) <= tolerance for o in labels.optional):
            score.ignored.append((d, "optional"))
        else:
            score.false_alarms.append(d)
            negative = _inside(d, labels.hard_negatives)
            if negative:
                kind = negative[2]
                score.false_alarm_kinds[kind] = score.false_alarm_kinds.get(kind, 0) + 1
    score.gradual = score_gradual(labels, transitions, gradual_tolerance)
    return score


@dataclass
class Totals(Rates):
    """Micro-averaged counts over clips: every cut and every detection weighs the same."""

    clips: int
    cuts: int
    tp: int
    fp: int
    fn: int
    gradual: GradualScore
    false_alarm_kinds: dict[str, int]


def micro(scores: Iterable[ClipScore]) -> Totals:
    scores = list(scores)
    kinds: dict[str, int] = {}
    for s in scores:
        for kind, n in s.false_alarm_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    return Totals(
        clips=len(scores),
        cuts=sum(s.cuts for s in scores),
        tp=sum(s.tp for s in scores),
        fp=sum(s.fp for s in scores),
        fn=sum(s.fn for s in scores),
        gradual=sum((s.gradual for s in scores), GradualScore()),
        false_alarm_kinds=dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
