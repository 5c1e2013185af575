"""``reprocut batch``: the mistakes that stop it before any work are one line and exit code 2."""

from __future__ import annotations

from helpers import assert_one_line_error, run_cli


def test_an_input_swallowed_by_ray_is_one_line(tmp_path):
    (tmp_path / "clips").mkdir()
    result = run_cli("batch", tmp_path / "a.mp4", "--out", tmp_path / "o", "--ray", tmp_path / "clips")
    assert_one_line_error(result, "not a Ray address")
    assert not (tmp_path / "o").exists()


def test_bad_worker_counts_and_lists_are_one_line(tmp_path):
    assert_one_line_error(run_cli("batch", tmp_path, "--out", tmp_path / "o", "--workers", "-1"), "--workers")
    assert_one_line_error(run_cli("batch", f"@{tmp_path / 'none.txt'}", "--out", tmp_path / "o"), "cannot read the list")
    assert_one_line_error(run_cli("batch", tmp_path, "--out", tmp_path / "o"), "no video found")
