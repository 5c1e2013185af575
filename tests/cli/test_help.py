"""``--help`` tells a new user what each option does and what it defaults to."""

from __future__ import annotations

import argparse

import pytest
from helpers import ROOT, run_cli
from reprocut.stream.cli.main import COMMANDS, _load_commands, build_parser
from reprocut.stream.sources import open_source

LIVE_ONLY = {"--realtime", "--live", "--no-live", "--rtsp-transport", "--max-retries", "--stall-timeout"}


def command_parser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(_load_commands(), command)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]


def options(command: str) -> dict[str, argparse.Action]:
    return {a.option_strings[-1]: a for a in command_parser(command)._actions if a.option_strings}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_option_says_what_it_does_and_its_default(command):
    parser = command_parser(command)
    formatter = parser._get_formatter()
    for name, action in options(command).items():
        text = formatter._expand_help(action) if action.help else ""
        assert len(text) > 10, f"{command} {name}: no help"
        if action.nargs != 0 and action.default is not None and action.default != argparse.SUPPRESS:
            assert "default" in text, f"{command} {name}: {text!r} does not say its default ({action.default!r})"
    assert "(default: " in parser.format_help()


def test_eval_lists_no_live_source_options():
    assert LIVE_ONLY <= options("detect").keys() and LIVE_ONLY <= options("serve").keys()
    assert not LIVE_ONLY & options("eval").keys()


def test_labels_points_to_the_projects_label_format_page():
    assert "docs/labels.md" in options("eval")["--labels"].help
    assert (ROOT / "docs" / "labels.md").is_file()


def test_min_scene_len_says_that_a_much_stronger_cut_still_counts():
    # the scorer's rule (core/scorer.py): inside the minimum, a cut scoring at least twice the previous one is kept
    text = options("detect")["--min-scene-len"].help
    assert "ignored" in text and "twice as high" in text


def test_demo_and_detect_without_a_source_have_the_same_length():
    assert options("demo")["--frames"].default == open_source(None).total_frames
    assert f"{open_source(None).total_frames} frames" in " ".join(command_parser("detect").format_help().split())


def test_help_is_quick_and_plain():
    result = run_cli("detect", "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert "--min-scene-len S" in result.stdout
