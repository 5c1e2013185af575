"""The README's command lines work when pasted into a shell, and what it shows is what a user gets.

Every URL with ``?`` or ``&`` is quoted (unquoted, the shell backgrounds the command at ``&``).
The commands that need no network, camera, long training or a server that runs until stopped
are run as written, with ``bash``, in a folder holding the files they name (``match.mp4``,
``capture.ts``, generated here); the others are left to their own tests
(``tests/sources``, ``tests/trainer``, ``tests/export``, ``tests/cli/test_serve.py``, ``tests/batch``
for ``batch``). A new shell does not find a bare ``reprocut``: the README says how before using one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from helpers import ROOT, TIMEOUT, make_clip, run_cli, to_mpegts

NOT_HERE = re.compile(r"rtsp://|/dev/video|SERVER|scripts/|\.\./shared|^reprocut (serve|train|export|bench|batch)\b|^export |mine\.onnx")
URL_WITH_QUERY = re.compile(r"""[^\s"']*://[^\s"']*[?&][^\s"']*""")


def readme_commands() -> list[str]:
    """The lines of the README's shell blocks that are commands (not output, comments or diagrams)."""
    text = (ROOT / "README.md").read_text()
    blocks = [body for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S) if lang in ("", "bash", "sh")]
    return [line for body in blocks for line in body.splitlines()
            if re.match(r"(reprocut|bash|python3|export|\.venv/bin/)\b", line)]


def test_the_set_up_commands_come_first_and_a_bare_reprocut_only_after_saying_how_to_activate():
    text = (ROOT / "README.md").read_text()
    commands = readme_commands()
    assert commands[:2] == ["bash scripts/setup.sh && .venv/bin/reprocut detect", "bash scripts/test.sh"], commands[:2]
    first_bare = min(text.index("\n" + c) for c in commands if c.startswith("reprocut "))
    assert 0 < text.find(". .venv/bin/activate") < first_bare  # a new shell has no reprocut on its PATH


def test_the_scene_table_shown_is_what_the_quick_start_prints():
    """The README's sample of ``.venv/bin/reprocut detect`` (rows left out at "...") is its real output."""
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"```text\n(scene .*?)```", text, re.S).group(1).splitlines()
    result = run_cli("detect")  # the bundled model, as the README's reader has it
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert shown[0] == lines[0] and shown[-1] == lines[-1], (shown, result.stdout)
    rest = iter(lines)
    missing = [line for line in shown if line.strip() != "..." and line not in rest]
    assert not missing, f"not in the output, or out of order: {missing}\n{result.stdout}"


def test_commands_that_need_the_shared_data_say_it_is_in_the_development_checkout_only():
    text = (ROOT / "README.md").read_text()
    for section in re.split(r"\n## ", text):
        if any("../shared" in c for c in readme_commands() if c in section) or "reprocut eval --dataset ../shared" in section:
            assert "development checkout only" in section, section[:80]


def test_every_url_with_a_query_is_quoted():
    commands = readme_commands()
    assert any("demo://?" in c for c in commands)
    for command in commands:
        code = command.split(" #")[0]
        for url in URL_WITH_QUERY.finditer(code):
            before = code[:url.start()]
            assert before.count('"') % 2 == 1 or before.count("'") % 2 == 1, f"unquoted URL {url.group()!r} in: {command}"


def test_the_commands_that_need_no_network_or_camera_run_as_written(tmp_path):
    clip, _ = make_clip(tmp_path, frames=96, seed=4)
    clip.rename(tmp_path / "match.mp4")
    (tmp_path / "capture.ts").write_bytes(to_mpegts(tmp_path / "match.mp4"))
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    runnable = [c for c in readme_commands() if not NOT_HERE.search(c)]
    assert len(runnable) >= 5, runnable
    for command in runnable:
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=4 * TIMEOUT)
        assert result.returncode == 0 and result.stderr == "", (command, result.stderr)
        if "--jsonl" in command:
            events = [json.loads(line) for line in result.stdout.splitlines()]
            assert events[-1]["type"] == "end" and events[-1]["frames"] > 0, command
        elif command.startswith("reprocut demo"):
            out = tmp_path / re.search(r"--out (\S+)", command).group(1)
            assert out.stat().st_size > 0 and json.loads(out.with_suffix(".json").read_text())["cuts"], command
        elif command.startswith("reprocut eval"):
            assert re.search(r"^overall \(micro\)\s", result.stdout, re.M), (command, result.stdout)
        elif command.startswith("reprocut split"):
            summary = result.stdout.splitlines()[-1]
            shots = re.fullmatch(r"(\d+) files? in (\S+) \(frame-exact\).*", summary)
            assert shots and len(list((tmp_path / shots.group(2)).glob("*.mp4"))) == int(shots.group(1)) > 1, (command, summary)
        else:
            summary = result.stdout.splitlines()[-1]
            frames = re.search(r"frames=(\d+)", command)
            assert re.fullmatch(r"\d+ cuts, (\d+) frames, [\d.]+ s", summary), (command, summary)
            assert summary.split()[2] == (frames.group(1) if frames else "96"), (command, summary)  # all of it, nothing else
    assert all((tmp_path / name).stat().st_size > 0 for name in ("scenes.csv", "cuts.edl", "scenes.json", "match.fcpxml", "match.otio"))
