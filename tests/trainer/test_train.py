"""`reprocut train`: learning, checkpoints, kill-and-resume, the NaN guard, and user mistakes."""

import json
import os
import signal
import subprocess
import time

import pytest
from helpers import REPROCUT, assert_one_line_error, require_extra, run_cli

torch = DataConfig = build_cache = expand_inputs = None  # the train extra's, imported by ``extras`` (a missing extra fails the tests, naming it)


@pytest.fixture(autouse=True, scope="module")
def extras():
    global torch, DataConfig, build_cache, expand_inputs
    torch = require_extra("torch")
    from reprocut.trainer.data import DataConfig, build_cache, expand_inputs

# The training loop's facts (learning, checkpoints, resume, the NaN guard) do not depend on the model's width:
# a narrow encoder (a sixteenth of the default's work per step) proves them in a fraction of the time.
# test_model.py covers the default architecture itself.
NARROW = ("--hidden", "8,16,32,64")


def _training_loss(run) -> float:
    """The checkpoint's loss on its own training frames, with fixed sampling noise."""
    from reprocut.trainer.data import FrameCache
    from reprocut.trainer.model import ModelConfig, ReproVAE

    ckpt = torch.load(run / "ckpt.pt", weights_only=False)
    model = ReproVAE(ModelConfig(**ckpt["config"]["model"]))
    model.load_state_dict(ckpt["model"])
    model.eval()
    cache = FrameCache(str(run))
    torch.manual_seed(0)
    with torch.no_grad():
        loss, _ = model(torch.from_numpy(cache.batch(cache.train_indices)))
    return float(loss)


def test_short_training_lowers_the_loss(tmp_path, clip_factory):
    clip, _ = clip_factory("learn", frames=96, seed=21)
    run = tmp_path / "run"
    first = run_cli("train", clip, "--out", run, "--steps", "1", "--batch", "32", "--lr", "3e-4", *NARROW)
    assert first.returncode == 0, first.stderr
    before = _training_loss(run)
    result = run_cli("train", clip, "--out", run, "--steps", "40", "--resume")
    assert result.returncode == 0, result.stderr
    after = json.loads((run / "metrics.json").read_text())
    assert after["step"] == 40
    assert _training_loss(run) < 0.995 * before  # fixed noise: no training, no change; BCE has a large floor
    for key in ("val_recon", "val_kl", "val_repro", "kl_median", "kl_p99"):
        assert key in after
    assert after["kl_p99"] >= after["kl_median"] >= 0


def test_a_short_run_says_so_and_ends_with_a_readable_summary(tmp_path, clip_factory):
    clip, _ = clip_factory("learn", frames=96, seed=21)
    run = tmp_path / "run"
    result = run_cli("train", clip, "--out", run, "--epochs", "1", "--batch", "32", *NARROW)
    assert result.returncode == 0, result.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    warning, = result.stderr.splitlines()  # one line, and nothing else on stderr
    assert "too short to be useful" in warning and f"{metrics['step']} optimiser step(s) on {metrics['train_frames']}" in warning
    assert "300 steps on 5,000 frames" in warning
    lines = result.stdout.splitlines()
    assert lines[0] == f"trained {metrics['step']} steps (1 epoch) on {metrics['train_frames']} frames ({metrics['device']}); run in {run}"
    assert lines[1] == f"validation on {metrics['val_frames']} held-out frames:"
    assert lines[2].split() == ["reconstruction", "loss", f"{metrics['val_recon']:.4g}"]
    assert lines[-1] == f"next: reprocut export {run} --out model.onnx"


def test_cache_holds_every_source_and_a_time_split(tmp_path, clip_factory):
    a, _ = clip_factory("a", frames=50, seed=1)
    b, _ = clip_factory("b", frames=30, seed=2)
    cache = build_cache(DataConfig(inputs=[str(a), str(b)], val_fraction=0.2), str(tmp_path))
    assert [(s.n_train, s.n_val) for s in cache.segments] == [(40, 10), (24, 6)]
    # validation is the contiguous tail of each source, in decode order
    runs = cache.val_runs
    assert [list(r) for r in runs] == [list(range(40, 50)), list(range(74, 80))]
    assert cache.batch(cache.train_indices[:4]).shape == (4, 3, 64, 64)
    # stride keeps every n-th frame
    strided = build_cache(DataConfig(inputs=[str(a)], stride=5, val_fraction=0.2), str(tmp_path / "s"))
    assert strided.segments[0].n_train + strided.segments[0].n_val == 10


def test_image_folders_are_training_sources(tmp_path, clip_factory):
    import av

    clip, _ = clip_factory("stills", frames=12, seed=4)
    folder = tmp_path / "images"
    folder.mkdir()
    with av.open(str(clip)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            _write_png(frame, folder / f"{i:03d}.png")
    assert expand_inputs([str(folder)]) == [("images", sorted(str(p) for p in folder.iterdir()))]
    cache = build_cache(DataConfig(inputs=[str(folder)], val_fraction=0.25), str(tmp_path / "cache"))
    assert cache.frames.shape == (12, 64, 64, 3)


def _write_png(frame, path):
    import av

    with av.open(str(path), "w", format="image2") as out:
        stream = out.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "rgb24"
        for packet in stream.encode(frame.reformat(format="rgb24")):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def test_kill_and_resume_continues_from_the_saved_step(tmp_path, clip_factory):
    clip, _ = clip_factory("resume", frames=120, seed=5)
    run = tmp_path / "run"
    args = [*REPROCUT, "train", str(clip), "--out", str(run), "--steps", "60", "--batch", "16", "--checkpoint-every", "5", *NARROW]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = run / "ckpt.pt"
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if ckpt.exists() and torch.load(ckpt, weights_only=False)["step"] >= 10:
                break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = torch.load(ckpt, weights_only=False)  # never half-written: it loads
    assert 10 <= saved["step"] < 60
    result = run_cli("train", "--out", run, "--steps", "60", "--resume", "-v")  # -v: the INFO line that says where it resumed
    assert result.returncode == 0, result.stderr
    assert f"resuming {run} at step {saved['step']}" in result.stderr
    assert json.loads((run / "metrics.json").read_text())["step"] == 60
    assert not (run / "ckpt.pt.tmp").exists()


def test_resume_replays_the_same_batches(tmp_path, clip_factory):
    """A run interrupted and resumed ends with the same weights as one that never stopped."""
    clip, _ = clip_factory("replay", frames=80, seed=6)
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert run_cli("train", clip, "--out", straight, "--steps", "8", "--batch", "16", *NARROW).returncode == 0
    assert run_cli("train", clip, "--out", split, "--steps", "3", "--batch", "16", *NARROW).returncode == 0
    assert run_cli("train", "--out", split, "--steps", "8", "--resume").returncode == 0
    a = torch.load(straight / "ckpt.pt", weights_only=False)["model"]
    b = torch.load(split / "ckpt.pt", weights_only=False)["model"]
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)


def test_cosine_schedule_decays_the_learning_rate_step_by_step(tmp_path, clip_factory):
    """--schedule cosine: step k of n runs at lr * (1 + cos(pi * k / n)) / 2, and the run records the schedule
    (a resumed run continues the same curve: the rate is a function of the step)."""
    import math

    clip, _ = clip_factory("cosine", frames=80, seed=7)
    run = tmp_path / "run"
    result = run_cli("train", clip, "--out", run, "--steps", "4", "--batch", "16", "--lr", "1e-3", "--schedule", "cosine", *NARROW)
    assert result.returncode == 0, result.stderr
    ckpt = torch.load(run / "ckpt.pt", weights_only=False)
    assert ckpt["config"]["schedule"] == "cosine"
    assert ckpt["optim"]["param_groups"][0]["lr"] == pytest.approx(1e-3 * (1 + math.cos(math.pi * 3 / 4)) / 2)  # the last step, 3


def test_nan_guard_stops_and_keeps_the_last_good_checkpoint(tmp_path, clip_factory):
    clip, _ = clip_factory("nan", frames=40, seed=8)
    run = tmp_path / "run"
    assert run_cli("train", clip, "--out", run, "--steps", "2", "--batch", "16", *NARROW).returncode == 0
    ckpt = torch.load(run / "ckpt.pt", weights_only=False)
    ckpt["model"]["encoder.mu.weight"].fill_(float("nan"))  # a diverged state, as a too-high lr would leave
    torch.save(ckpt, run / "ckpt.pt")
    before = (run / "ckpt.pt").read_bytes()
    result = run_cli("train", "--out", run, "--steps", "6", "--resume")
    assert result.returncode == 3
    assert "loss became nan at step 2" in result.stderr and "Traceback" not in result.stderr
    assert (run / "ckpt.pt").read_bytes() == before


def test_bad_inputs_give_one_clear_line(tmp_path, clip_factory):
    clip, _ = clip_factory("ok", frames=20, seed=9)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_cli("train", empty, "--out", tmp_path / "r1"), "no video or image files")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    assert_one_line_error(run_cli("train", text, "--out", tmp_path / "r2", "--steps", "1"), "not a readable video")
    assert_one_line_error(run_cli("train", tmp_path / "missing.mp4", "--out", tmp_path / "r3"), "no such file")
    # an output directory that exists is refused unless --resume or --force
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")
    assert_one_line_error(run_cli("train", clip, "--out", existing, "--steps", "1"), "--resume")
    assert (existing / "keep.txt").exists()
    forced = run_cli("train", clip, "--out", existing, "--steps", "1", "--batch", "8", "--force", *NARROW)
    assert forced.returncode == 0, forced.stderr
    assert not (existing / "keep.txt").exists()
    # missing and corrupt checkpoints
    assert_one_line_error(run_cli("train", "--out", empty, "--resume"), "no checkpoint")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "ckpt.pt").write_bytes(os.urandom(1000))
    assert_one_line_error(run_cli("train", "--out", corrupt, "--resume"), "corrupt")
    assert_one_line_error(run_cli("export", corrupt, "--out", tmp_path / "m.onnx"), "corrupt")


def test_a_frozen_encoder_keeps_its_weights_while_the_decoder_learns(tmp_path, clip_factory):
    """``freeze_encoder``: how the bundled model's decoder was rebuilt for its shipped encoder (MODEL_CARD.md)."""
    from reprocut.trainer.config import ModelConfig, TrainConfig
    from reprocut.trainer.model import ReproVAE
    from reprocut.trainer.train import train

    clip, _ = clip_factory("frozen", frames=80, seed=8)
    model = ModelConfig(hidden=(8, 16, 32, 64))
    start = ReproVAE(model).state_dict()
    cfg = TrainConfig(out=str(tmp_path / "run"), steps=3, batch=16, lr=1e-3, freeze_encoder=True,
                      data=DataConfig(inputs=[str(clip)]), model=model)
    train(cfg, start=start, snapshots=False)
    after = torch.load(tmp_path / "run" / "ckpt.pt", weights_only=False)["model"]
    assert all(torch.equal(after[k], start[k]) for k in start if k.startswith("encoder."))
    assert any(not torch.equal(after[k], start[k]) for k in start if k.startswith("decoder."))
