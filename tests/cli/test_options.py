"""Options generated from the config dataclasses: each default is the dataclass's, and the parsed
options build each config back by the same names."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

import pytest
from reprocut.stream.cli.main import _chosen, _load_commands, build_parser
from reprocut.stream.cli.options import add_options, config_from
from reprocut.stream.cli.pipeline_options import pipeline_config, source_config
from reprocut.stream.core.decider import DeciderConfig
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.evaluation.bench import BenchConfig
from reprocut.stream.evaluation.metrics import EvalConfig
from reprocut.stream.runtime.pipeline import PipelineConfig
from reprocut.stream.sinks.server.hub import HubConfig
from reprocut.stream.sinks.server.server import ServerConfig
from reprocut.stream.sinks.server.thumbs import ThumbConfig
from reprocut.stream.sources import SourceConfig
from reprocut.stream.sources.cartoon import DemoConfig
from reprocut.stream.split.shots import SplitConfig
from reprocut.trainer.adapt_config import AdaptConfig
from reprocut.trainer.augment import AugmentConfig
from reprocut.trainer.command import train_config
from reprocut.trainer.config import ModelConfig, TrainConfig
from reprocut.trainer.data import DataConfig

GENERATED = {  # command -> config -> the fields that are its options
    "detect": {PipelineConfig: ["model", "device", "batch", "max_delay_ms", "every_frame"],
               SourceConfig: ["realtime", "live", "rtsp_transport", "max_retries", "stall_timeout"],
               ScorerConfig: ["threshold_mode"], DeciderConfig: ["warmup", "min_scene_len", "threshold"]},
    "serve": {ServerConfig: ["host", "port", "token", "allow_origin"], HubConfig: ["client_queue"], ThumbConfig: ["thumbnails"]},
    "eval": {EvalConfig: ["tolerance"]},
    "bench": {BenchConfig: ["dataset", "clip", "throughput_frames", "peers", "quick", "repeats", "model", "workdir"]},
    "demo": {DemoConfig: ["frames", "seed", "fps"]},
    "split": {SplitConfig: ["copy", "min_len", "crf", "preset"]},
    "train": {TrainConfig: ["steps", "batch", "lr", "schedule", "seed", "device", "checkpoint_every", "data_description"],  # --epochs: below
              DataConfig: ["stride", "max_frames_per_source", "val_fraction"], AugmentConfig: ["flip", "jitter"],
              ModelConfig: ["latent", "hidden", "beta", "lam", "pooling", "activation", "recon", "exposure"]},
    "adapt": {AdaptConfig: ["base", "minutes", "steps", "work", "batch", "lr", "seed", "device", "name"]},  # base: --from
}
REQUIRED = {"serve": ["clip.mp4"], "demo": ["--out", "x.mp4"], "split": ["clip.mp4", "--out", "shots"], "train": ["--out", "run"], "adapt": ["--out", "m.onnx"]}


def parse(*argv: str) -> argparse.Namespace:
    return build_parser(_load_commands(), _chosen(list(argv))).parse_args(list(argv))


@pytest.fixture(autouse=True)
def no_token(monkeypatch):
    monkeypatch.delenv("REPROCUT_TOKEN", raising=False)


@pytest.mark.parametrize("command", list(GENERATED))
def test_every_generated_default_is_the_dataclass_default(command):
    args = parse(command, *REQUIRED.get(command, []))
    for cls, names in GENERATED[command].items():
        defaults = cls()
        assert {n: getattr(args, n) for n in names} == {n: getattr(defaults, n) for n in names}, cls.__name__


def test_defaults_build_the_default_configs():
    args = parse("detect")
    assert args.signals == "kl,pix,hist"
    assert pipeline_config(args) == PipelineConfig()
    assert source_config(args) == SourceConfig()
    args = parse("serve", "clip.mp4")
    assert (config_from(args, ServerConfig), config_from(args, HubConfig), config_from(args, ThumbConfig)) == (
        ServerConfig(), HubConfig(), ThumbConfig())
    assert config_from(parse("eval"), EvalConfig) == EvalConfig()
    assert config_from(parse("bench"), BenchConfig) == BenchConfig()
    args = parse("demo", "--out", "x.mp4")
    assert args.size == "320x180" and config_from(args, DemoConfig, width=320, height=180) == DemoConfig()


def test_parsed_options_build_the_configs_by_name():
    args = parse("detect", "--model", "m.onnx", "--device", "cpu", "--batch", "32", "--max-delay-ms", "12.5", "--every-frame", "--realtime",
                 "--no-live", "--rtsp-transport", "udp", "--max-retries", "3", "--stall-timeout", "1.5", "--warmup", "2",
                 "--min-scene-len", "0.5", "--threshold-mode", "paper", "--threshold", "3", "--signals", "kl, pix")
    assert pipeline_config(args) == PipelineConfig(
        model="m.onnx", device="cpu", batch=32, max_delay_ms=12.5, every_frame=True,
        scorer=ScorerConfig(threshold_mode="paper", decider=DeciderConfig(warmup=2.0, min_scene_len=0.5, threshold=3.0),
                            signals=("kl", "pix")))
    assert source_config(args) == SourceConfig(realtime=True, live=False, rtsp_transport="udp", max_retries=3, stall_timeout=1.5)
    assert source_config(parse("detect", "--live")).live is True

    args = parse("serve", "a.mp4", "b.mp4", "--host", "0.0.0.0", "--port", "0", "--token", "s3cret-Token_42",
                 "--allow-origin", "https://a.example", "--allow-origin", "*", "--client-queue", "8", "--thumbnails", "3")
    assert config_from(args, ServerConfig) == ServerConfig(host="0.0.0.0", port=0, token="s3cret-Token_42",
                                                           allow_origin=["https://a.example", "*"])
    assert (config_from(args, HubConfig), config_from(args, ThumbConfig)) == (HubConfig(client_queue=8), ThumbConfig(thumbnails=3))
    assert config_from(parse("eval", "--tolerance", "5"), EvalConfig) == EvalConfig(tolerance=5)
    args = parse("bench", "--dataset", "d", "--clip", "c.mp4", "e.webm", "--throughput-frames", "100", "--peers", "--repeats", "5",
                 "--model", "m.onnx", "--workdir", "w")
    assert config_from(args, BenchConfig) == BenchConfig(model="m.onnx", dataset="d", clip=("c.mp4", "e.webm"), throughput_frames=100,
                                                         peers=True, repeats=5, workdir="w")
    args = parse("demo", "--out", "x.mp4", "--frames", "48", "--seed", "4", "--fps", "30")
    assert config_from(args, DemoConfig, width=64, height=32) == DemoConfig(width=64, height=32, fps=30.0, frames=48, seed=4)


def test_train_options_build_the_trainer_configs():
    assert train_config(parse("train", "a.mp4", "--out", "run")) == TrainConfig(out="run", data=DataConfig(inputs=["a.mp4"]))
    args = parse("train", "a.mp4", "b/", "--out", "run", "--steps", "40", "--batch", "32", "--lr", "3e-4", "--seed", "2",
                 "--device", "cpu", "--stride", "2", "--max-frames-per-source", "100", "--val-fraction", "0.2",
                 "--checkpoint-every", "5", "--no-flip", "--no-jitter", "--data-description", "anime", "--latent", "6",
                 "--hidden", "8,16,32,64", "--beta", "3", "--lam", "7", "--pooling", "max", "--activation", "elu",
                 "--recon", "mse", "--exposure", "1")
    assert train_config(args) == TrainConfig(
        out="run", steps=40, batch=32, lr=3e-4, seed=2, device="cpu", checkpoint_every=5, data_description="anime",
        augment=AugmentConfig(flip=False, jitter=False), data=DataConfig(inputs=["a.mp4", "b/"], stride=2, max_frames_per_source=100,
                                                                         val_fraction=0.2),
        model=ModelConfig(latent=6, hidden=(8, 16, 32, 64), beta=3.0, lam=7.0, pooling="max", activation="elu", recon="mse", exposure=1.0))
    assert train_config(parse("train", "a.mp4", "--out", "run", "--epochs", "3")).epochs == 3
    for budget in (["--epochs", "3"], [f"--epochs={TrainConfig.epochs}"]):  # also when --epochs names the default
        with pytest.raises(SystemExit):
            parse("train", "a.mp4", "--out", "run", *budget, "--steps", "5")


def test_an_option_that_is_on_by_default_is_switched_off_with_no():
    p = argparse.ArgumentParser(prog="example")
    add_options(p, AugmentConfig, {"flip": "no flips"})
    assert (p.parse_args([]).flip, p.parse_args(["--no-flip"]).flip) == (True, False)
    assert "--no-flip" in p.format_help() and "--flip" not in p.format_help().replace("--no-flip", "")
    with pytest.raises(ValueError, match="dataclass"):  # a spec never declares a default of its own
        add_options(argparse.ArgumentParser(), AugmentConfig, {"brightness": {"default": 0.5}})


def test_the_token_defaults_to_the_environment(monkeypatch):
    monkeypatch.setenv("REPROCUT_TOKEN", "from-the-env-1")
    assert config_from(parse("serve", "a.mp4"), ServerConfig).token == "from-the-env-1"


@dataclass
class Example:
    count: int = 3
    rate: float = 0.5
    name: str = "x"
    limit: float | None = None
    verbose: bool = False
    hidden: int = 7  # not an option


def test_types_defaults_and_help_come_from_the_dataclass():
    p = argparse.ArgumentParser(prog="example")
    add_options(p, Example, {"count": "how many (default %(default)s)", "rate": None, "name": {"choices": ["x", "y"]},
                             "limit": {"metavar": "L"}, "verbose": "say more"})
    assert [(a.option_strings, a.type, a.default) for a in p._actions[1:]] == [
        (["--count"], int, 3), (["--rate"], float, 0.5), (["--name"], str, "x"), (["--limit"], float, None), (["--verbose"], None, False)]
    assert "  --count COUNT  how many (default 3)" in p.format_help().splitlines()
    args = p.parse_args(["--count", "4", "--limit", "2.5", "--verbose", "--name", "y"])
    assert config_from(args, Example) == Example(count=4, rate=0.5, name="y", limit=2.5, verbose=True)
    assert config_from(args, Example, hidden=1).hidden == 1
    assert [f.name for f in fields(Example) if hasattr(args, f.name)] == ["count", "rate", "name", "limit", "verbose"]


def test_only_the_chosen_command_gets_its_options():
    assert [_chosen(a) for a in (["-v", "detect", "x"], ["--quiet", "serve"], ["--help"], [])] == ["detect", "serve", None, None]
    parser = build_parser(_load_commands(), "demo")
    with pytest.raises(SystemExit):
        parser.parse_args(["detect", "--jsonl"])  # detect's options were not added
    assert parser.parse_args(["demo", "--out", "x.mp4"]).frames == DemoConfig().frames
