"""The bench's archive section: ``reprocut batch`` end to end with each worker split, locally and on Ray."""

from __future__ import annotations

from reprocut.stream.evaluation.bench.archive import archive_markdown, bench_archive
from reprocut.stream.evaluation.bench.config import BenchConfig


def test_quick_archive_bench_measures_every_split_and_ray(tmp_path):
    report = bench_archive(BenchConfig(quick=True), str(tmp_path))
    rows = report["rows"]
    assert [(r["mode"], r.get("workers"), r.get("threads")) for r in rows] == [
        ("local processes", 1, 1), ("local processes", 1, 2), ("local processes", 2, 1), ("Ray (local instance)", 2, 1)]
    for r in rows:
        assert "error" not in r, r
        assert (r["videos"], r["frames"]) == (4, 4 * 48)
        assert r["wall_s"] > 0 and r["fps"] > 0 and r["busy_fps"] > 0 and r["video_hours_per_hour"] > 0
    table = archive_markdown(report)
    assert sum(line.startswith("| local processes") or line.startswith("| Ray") for line in table) == 4
