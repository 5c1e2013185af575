"""What a user sees on the terminal: no log lines by default, -v for them, -q without the bar,
and a progress bar that log lines never break, ending at the true count (checked on a real
pseudo-terminal, where the bar is drawn)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import termios
import time

from helpers import REPROCUT, TIMEOUT, jsonl_events, model_args, run_cli

FRAMES = 200
DEMO = f"demo://?frames={FRAMES}"
BAR = re.compile(r"frames: +\d+%\|")  # tqdm: "frames:  45%|####      | 135/300 [...]"


def run_in_pty(*args: str) -> tuple[int, str]:
    """Run ``reprocut ARGS`` with stdout and stderr on a pseudo-terminal; its exit code and all it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.execv(REPROCUT[0], [*REPROCUT, *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a new pty is 0x0; a terminal window is not
    out, deadline = b"", time.monotonic() + 3 * TIMEOUT
    try:
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 1.0)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def pieces(text: str) -> list[str]:
    """What the terminal shows in turn: lines, and the redraws of a line (``\\r``)."""
    return [p for line in text.split("\n") for p in line.split("\r") if p.strip()]


def test_bar_ends_at_the_true_count_and_log_lines_pass_through_it():
    code, text = run_in_pty("detect", DEMO, "-v")
    assert code == 0, text
    shown = pieces(text)
    bars = [p for p in shown if BAR.search(p)]
    assert bars, text
    assert f"{FRAMES}/{FRAMES}" in bars[-1]
    logs = [p for p in shown if " INFO " in p]
    assert any("ended" in p for p in logs)  # logged while the bar was drawn
    for p in logs:  # each log record whole on its own line, never glued to the bar
        assert re.match(r"\d{4}-\d\d-\d\d [\d:,]+ INFO ", p.strip("\x1b[A ")) and not BAR.search(p), p
    assert f"{FRAMES} frames" in text  # the table follows


def test_quiet_hides_the_bar_but_not_the_result():
    code, text = run_in_pty("detect", DEMO, "-q")
    assert code == 0, text
    assert not any(BAR.search(p) for p in pieces(text))
    assert f"{FRAMES} frames" in text


def test_no_log_lines_by_default_info_with_verbose_and_status_in_jsonl():
    quiet = run_cli("detect", "demo://?frames=60", "--jsonl")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    statuses = [e["status"] for e in jsonl_events(quiet.stdout) if e["type"] == "source"]
    assert statuses == ["ended"]  # what -v would log reaches --jsonl consumers as events
    verbose = run_cli("detect", "demo://?frames=60", "--jsonl", "--verbose")  # also after the command's name
    assert re.search(r" INFO .*: encoder ", verbose.stderr) and re.search(r" INFO .*: stream 0: ended", verbose.stderr), verbose.stderr


def test_split_counts_its_bar_in_frames(tmp_path, clip_factory):
    clip, labels = clip_factory("split-bar", frames=96, seed=3)
    scenes = [{"start_frame": a, "end_frame": b, "start_time": a / 24, "end_time": b / 24}
              for a, b in zip([0, *labels["cuts"]], [*labels["cuts"], labels["frames"]])]
    (tmp_path / "scenes.json").write_text(json.dumps({"scenes": scenes}))
    code, text = run_in_pty("split", str(clip), "--scenes", str(tmp_path / "scenes.json"), "--out", str(tmp_path / "shots"))
    assert code == 0, text
    bars = [p for p in pieces(text) if re.search(r"split: +\d+%\|", p)]
    assert bars and f"{labels['frames']}/{labels['frames']}" in bars[-1], text
    assert all("frame/s" in p or "s/frame" in p for p in bars) and not any("it/s" in p or "s/it" in p for p in bars), bars


def test_a_closed_stdout_ends_the_run_quietly(tmp_path, clip_factory):
    """``| head -1`` through a real shell pipe, then a pipe closed before the first write (the table of
    ``detect``, the summary of ``batch``): exit code 141 (128 + SIGPIPE), no traceback, nothing on stderr."""
    line = f"{shlex.join([*REPROCUT, 'detect', DEMO, '--jsonl', *model_args()])} | head -1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=3 * TIMEOUT)
    assert (result.returncode, result.stderr) == (141, "") and json.loads(result.stdout)["type"] == "cut", result.stderr
    clip, _ = clip_factory("closed-stdout", frames=48, seed=2)
    for args in (["detect", "demo://?frames=48"], ["batch", str(clip), "--out", str(tmp_path / "scenes")]):
        reader, writer = os.pipe()
        os.close(reader)  # nobody will read: the first write fails
        proc = subprocess.run([*REPROCUT, *args, *model_args()], stdout=writer, stderr=subprocess.PIPE, text=True,
                              timeout=3 * TIMEOUT)
        os.close(writer)
        assert (proc.returncode, proc.stderr) == (141, ""), (args, proc.stderr)
    assert json.loads((tmp_path / "scenes" / "manifest.jsonl").read_text())["status"] == "ok"  # the work was done


def test_demo_says_what_it_wrote_in_agreeing_numbers(tmp_path):
    """``reprocut demo``'s one line counts in words that agree with the numbers: a one-frame clip is "1 frame"."""
    out = tmp_path / "one.mp4"
    result = run_cli("demo", "--out", out, "--frames", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}: 1 frame, 0 cuts, 0 fades"
