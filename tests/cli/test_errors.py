"""A user's mistake is one line on stderr and exit code 2, found before the model loads.

The source is checked before anything heavy is imported (ONNX Runtime, scikit-learn, SciPy),
so the answer comes at once (about 0.3-0.45 s on a loaded 2-core machine, most of it Python,
NumPy and PyAV starting).
"""

from __future__ import annotations

import importlib

import pytest
from helpers import assert_one_line_error, imported, run_cli
from reprocut.stream.cli import main as cli

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


def _raising(monkeypatch, command: str, exc: ImportError) -> None:
    """``reprocut COMMAND`` raises ``exc`` from its ``run``, as a command does when an import inside it fails."""
    def run(args):
        raise exc

    monkeypatch.setattr(importlib.import_module(cli.COMMANDS[command]), "run", run)
    monkeypatch.setattr(cli, "_setup_output", lambda verbose, quiet: None)  # no global logging set-up in this process


@pytest.mark.parametrize(("argv", "missing", "extra"), [
    (["eval", "clip.mp4", "--plot", "x.png"], "matplotlib", "plot"),
    (["bench", "--peers"], "matplotlib.pyplot", "bench"),
    (["bench", "--peers"], "scenedetect", "bench"),
    (["detect", "clip.mp4", "--otio", "x.otio"], "opentimelineio", "timeline"),
    (["batch", "videos/", "--out", "scenes", "--ray"], "ray", "ray"),
    (["train", "clip.mp4", "--out", "run"], "torch", "train"),
    (["export", "run", "--out", "m.onnx"], "onnx", "train"),
])
def test_a_missing_optional_package_names_the_extra_that_installs_it(monkeypatch, capsys, argv, missing, extra):
    _raising(monkeypatch, argv[0], ModuleNotFoundError(f"No module named {missing!r}", name=missing))
    assert cli.main(argv) == 2
    top = missing.split(".")[0]
    assert capsys.readouterr().err == f"reprocut {argv[0]}: error: {top} is not installed (pip install 'reprocut[{extra}]')\n"


@pytest.mark.parametrize("exc", [
    ModuleNotFoundError("No module named 'reprocut.stream.sinks.progress'", name="reprocut.stream.sinks.progress"),
    ImportError("cannot import name 'Scorer' from 'reprocut.stream.core.scorer'", name="reprocut.stream.core.scorer"),
    ModuleNotFoundError("No module named 'numpy'", name="numpy"),  # a required package: a broken install, not an extra
    ImportError("libcudart.so.12: cannot open shared object file"),
])
def test_any_other_import_error_is_a_bug_and_surfaces_as_one(monkeypatch, capsys, exc):
    _raising(monkeypatch, "demo", exc)
    with pytest.raises(ImportError) as raised:
        cli.main(["demo", "--out", "x.mp4"])
    assert raised.value is exc and "pip install" not in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "unknown", "meant"), [
    (["detect", "clip.mp4", "--cvs", "scenes.csv"], "--cvs scenes.csv", "--csv"),
    (["batch", "series", "--out", "scenes", "--min-scene-length", "1"], "--min-scene-length 1", "--min-scene-len"),
    (["split", "clip.mp4", "--out", "shots", "--trim-transistions"], "--trim-transistions", "--trim-transitions"),
])
def test_a_mistyped_option_is_answered_with_the_closest_real_one(argv, unknown, meant):
    result = run_cli(*argv)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == f"reprocut {argv[0]}: error: unrecognized arguments: {unknown} (did you mean {meant}?)"
    assert result.stderr.startswith(f"usage: reprocut {argv[0]} ")  # the command's usage, where the option is


def test_an_option_like_none_gets_no_suggestion():
    result = run_cli("detect", "clip.mp4", "--zzzzzz")
    assert result.returncode == 2 and result.stderr.splitlines()[-1] == "reprocut detect: error: unrecognized arguments: --zzzzzz"
