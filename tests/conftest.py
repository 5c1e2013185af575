"""Shared fixtures: generated clips with known cuts, a tiny trained model, the shared eval data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ServeProcess, StepServer, make_clip, require_extra, run_cli, write_cut_clip
from reprocut.stream.sources.cartoon import DemoConfig, write_clip


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
def cut_clip(tmp_path_factory):
    """make(name, cuts, frames, ext=".mp4", **write_cut_clip options) -> (path, what was written): a PyAV clip with
    cuts at known frames."""
    folder = tmp_path_factory.mktemp("cut_clips")
    cache: dict[str, tuple[Path, dict]] = {}

    def make(name: str, cuts: list[int], frames: int, ext: str = ".mp4", **options) -> tuple[Path, dict]:
        if name not in cache:
            path = folder / f"{name}{ext}"
            cache[name] = (path, write_cut_clip(path, cuts, frames, **options))
        return cache[name]

    return make


@pytest.fixture(scope="session")
def demo_clip(clip_factory):
    return clip_factory("cuts", frames=480, seed=7)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, clip_factory):
    """A briefly trained model exported by the project's own commands (for encoder plumbing tests)."""
    require_extra("torch")
    clip, _ = clip_factory("train", frames=64, seed=11)
    run = tmp_path_factory.mktemp("tiny") / "run"
    out = run.parent / "tiny.onnx"
    train = ("train", clip, "--out", run, "--steps", "2", "--batch", "16", "--hidden", "8,16,32,64")  # narrow: quick to train
    for args in (train, ("export", run, "--out", out)):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def serve(tmp_path):
    """Start ``reprocut serve`` processes; all are killed at teardown."""
    started: list[ServeProcess] = []

    def start(*args: str, port: int = 0, stdin=None) -> ServeProcess:
        p = ServeProcess(*args, log_path=tmp_path / f"serve{len(started)}.log", port=port, stdin=stdin)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


@pytest.fixture(scope="session")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("serve_clips"))


@pytest.fixture
def step_server():
    """Start ``StepServer``s (``start(steps, http_length=None)``); all are closed at teardown."""
    started: list[StepServer] = []

    def start(steps: list[tuple[bytes, str]], http_length: int | None = None) -> StepServer:
        started.append(StepServer(steps, http_length))
        return started[-1]

    yield start
    for server in started:
        server.close()



@pytest.fixture
def archive(tmp_path, clip_factory):
    """An archive for ``reprocut batch``: a folder of generated clips with known cuts (one in a subfolder)
    and a broken file, plus a list file naming a clip outside the folder and a missing path.
    Returns (inputs, {absolute path: (labelled cuts, labelled fades)}, broken path, missing path)."""
    folder, extra = tmp_path / "series", tmp_path / "extra"
    (folder / "s01").mkdir(parents=True)
    extra.mkdir()
    labelled = {}
    for seed, dest in ((1, folder / "ep1.mp4"), (2, folder / "s01" / "ep2.mp4"), (4, extra / "special.mp4")):
        path, labels = clip_factory(f"archive-{seed}", frames=120, seed=seed)
        shutil.copyfile(path, dest)
        labelled[str(dest)] = labels["cuts"], labels["gradual"]
    broken = folder / "broken.mp4"
    broken.write_bytes(bytes(range(256)) * 64)  # not a video
    listing = tmp_path / "more.txt"
    listing.write_text("# extras\nextra/special.mp4\n\nextra/missing.mp4\n")
    return [str(folder), f"@{listing}"], labelled, str(broken), str(extra / "missing.mp4")
