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


def test_the_summary_agrees_in_number_and_gives_video_time_in_its_unit():
    from reprocut.stream.batch import Summary

    assert Summary(inputs=1, ok=1, frames=1, video_seconds=20.0, wall=4.0).lines() == [
        "1 input: 1 ok, 0 failed, 0 done before; 20.0 s of video (1 frame) in 4.0 s: 5.0 video-hours per hour, 0 frames/s"]
    assert "; 4.5 min of video (2 frames)" in Summary(inputs=2, frames=2, video_seconds=270.0, wall=1.0).lines()[0]
    assert "; 2.50 h of video" in Summary(inputs=2, video_seconds=9000.0, redone=1, ok=1, wall=1.0).lines()[0]
    assert "1 ok (1 done again)" in Summary(inputs=2, redone=1, ok=1).lines()[0]
