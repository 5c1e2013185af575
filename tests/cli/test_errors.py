"""A user's mistake is one line on stderr and exit code 2, found before the model loads.

The source is checked before anything heavy is imported (ONNX Runtime, scikit-learn, SciPy),
so the answer comes at once (about 0.3-0.45 s on a loaded 2-core machine, most of it Python,
NumPy and PyAV starting).
"""

from __future__ import annotations

import pytest
from helpers import assert_one_line_error, imported, run_cli

HEAVY = ("onnxruntime", "sklearn", "scipy", "torch")


@pytest.fixture
def mistakes(tmp_path) -> dict[str, tuple[list[str], str]]:
    """name -> (detect's arguments, what its one line must say)."""
    (tmp_path / "notes.mp4").write_text("hello\n")
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    return {
        "missing": ([str(tmp_path / "missing.mp4")], "no such file"),
        "directory": ([str(tmp_path)], "is a directory"),
        "not a video": ([str(tmp_path / "notes.mp4")], "not a readable video (invalid data"),
        "unknown scheme": (["gopher://example.invalid/x"], "unsupported url scheme"),
        "bad model": (["demo://?frames=10", "--model", str(tmp_path / "model.onnx")], "not a usable onnx model"),
    }


@pytest.mark.parametrize("name", ["missing", "directory", "not a video", "unknown scheme", "bad model"])
def test_one_line_exit_2_no_internals(mistakes, name):
    args, needle = mistakes[name]
    assert_one_line_error(run_cli("detect", *args), needle)


def test_the_unknown_scheme_line_lists_what_works():
    line = run_cli("detect", "gopher://example.invalid/x").stderr
    assert all(s in line for s in ("demo://", "rtsp://", "/dev/videoN", "stdin"))


@pytest.mark.parametrize("name", ["missing", "not a video", "unknown scheme"])
def test_source_is_checked_before_the_model_loads(mistakes, name):
    assert not imported("detect", *mistakes[name][0]) & set(HEAVY)
