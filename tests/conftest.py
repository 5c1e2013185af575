"""Shared fixtures: generated clips with known cuts, a tiny trained model, the shared eval data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reprocut.stream.demo import DemoConfig, write_clip

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REPROCUT = [sys.executable, "-m", "reprocut.stream.cli"]


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run ``reprocut ARGS`` as a user would, capturing stdout and stderr as text."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([*REPROCUT, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str = "") -> None:
    """A user mistake: exit code 2, one line on stderr that names the problem, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip() and " INFO " not in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert needle.lower() in lines[0].lower(), lines[0]


@pytest.fixture(scope="session")
def clip_factory(tmp_path_factory):
    """make(name, **DemoConfig fields) -> (path, labels): a generated H.264 clip with cuts at known frames."""
    folder = tmp_path_factory.mktemp("clips")
    cache: dict[tuple, tuple[Path, dict]] = {}

    def make(name: str = "demo", **fields) -> tuple[Path, dict]:
        key = (name, tuple(sorted(fields.items())))
        if key not in cache:
            path = folder / f"{name}.mp4"
            labels = write_clip(DemoConfig(**fields), str(path))
            cache[key] = (path, labels)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def demo_clip(clip_factory):
    return clip_factory("cuts", frames=480, seed=7)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, clip_factory):
    """A briefly trained model exported by the project's own commands (for encoder plumbing tests)."""
    pytest.importorskip("torch")
    clip, _ = clip_factory("train", frames=64, seed=11)
    run = tmp_path_factory.mktemp("tiny") / "run"
    out = run.parent / "tiny.onnx"
    for args in (("train", clip, "--out", run, "--steps", "2", "--batch", "16"), ("export", run, "--out", out)):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
    return out


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test where a checkout has no shared data (users' clones)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared evaluation data ships only with the project's own checkouts")
    return path


def read_labels(name: str) -> tuple[Path, dict]:
    labels = json.loads(shared_path("eval", "labels", f"{name}.json").read_text())
    return SHARED / "eval" / labels["clip"], labels
