"""Start-up of ``reprocut detect FILE``: only what the command and its source need is imported, and ``-v``
says when the first frames reached the encoder (issue 27: process start to the first frames <= 0.3 s).

No timings here (a loaded machine makes any threshold flaky): ``reprocut bench`` measures start-up.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from helpers import model_args, run_cli
from reprocut.stream.cli.main import COMMANDS

# What a file's detect never needs: the other commands (serve's asyncio), the other kinds of source (the network's
# socket code, the demo's renderer), the bar's tqdm when no bar is drawn, the peers, training, plotting.
NOT_FOR_A_FILE = {"reprocut.stream.cli." + name for name in ("serve", "batch", "split", "evaluate", "bench", "demo")} | {
    "reprocut.stream.sources.network", "reprocut.stream.sources.device", "reprocut.stream.sources.pipe",
    "reprocut.stream.sources.demo", "reprocut.stream.sinks.server", "reprocut.stream.evaluation", "reprocut.trainer",
    "reprocut.export", "asyncio", "websockets", "tqdm", "multiprocessing", "scipy", "sklearn", "torch", "matplotlib",
    "scenedetect"}


def imported_modules(tmp_path, *args: str, env: dict | None = None) -> tuple[set[str], subprocess.CompletedProcess]:
    """Every module (full dotted name) in ``sys.modules`` when ``reprocut ARGS`` exits (``python -X importtime`` would
    miss the command modules, which ``importlib.import_module`` loads), and ``blas=N``: OpenBLAS's thread count;
    ``env``: the process's environment (default: this one's)."""
    listing = tmp_path / "modules.txt"
    script = ("import atexit, sys\n"
              "def listing():\n"
              "    from threadpoolctl import threadpool_info\n"
              "    threads = [i['num_threads'] for i in threadpool_info() if i['internal_api'] == 'openblas']\n"
              f"    open({str(listing)!r}, 'w').write('\\n'.join([*sys.modules, *(f'blas={{n}}' for n in threads)]))\n"
              "atexit.register(listing)\n"
              "from reprocut.stream.cli.main import main\n"
              f"sys.exit(main({list(args)!r}))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            env=os.environ if env is None else env)
    return set(listing.read_text().split("\n")), result


@pytest.fixture(scope="module")
def short_clip(cut_clip):
    return cut_clip("startup", cuts=[20], frames=60)[0]


def test_detect_on_a_file_imports_only_what_it_needs(tmp_path, short_clip):
    modules, result = imported_modules(tmp_path, "-q", "detect", str(short_clip), "--jsonl", *model_args())
    assert result.returncode == 0, result.stderr
    assert '"type": "cut"' in result.stdout  # it did the work: the imports below are those of a whole run
    assert {"reprocut.stream.cli.detect", "reprocut.stream.sources.file", "onnxruntime", "av"} <= modules
    assert not {m for m in modules if m in NOT_FOR_A_FILE or m.startswith(tuple(n + "." for n in NOT_FOR_A_FILE))}


def test_detect_loads_numpy_s_blas_with_one_thread_unless_told_otherwise(tmp_path, short_clip):
    """Starting OpenBLAS's thread pool was half of numpy's import; detect's numpy work is per-frame arrays, never a
    large product, and each output of OpenBLAS's products is computed by one thread either way (same results)."""
    unset = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    args = ("-q", "detect", str(short_clip), "--jsonl", *model_args())
    modules, result = imported_modules(tmp_path, *args, env=unset)
    assert result.returncode == 0 and "blas=1" in modules, result.stderr
    modules, result = imported_modules(tmp_path, *args, env={**unset, "OPENBLAS_NUM_THREADS": "2"})
    assert result.returncode == 0 and "blas=2" in modules  # the user's own setting is kept


def test_the_demo_source_imports_its_own_kind_only(tmp_path):
    modules, result = imported_modules(tmp_path, "-q", "detect", "demo://?frames=24", "--jsonl", *model_args())
    assert result.returncode == 0, result.stderr
    assert "reprocut.stream.sources.demo" in modules and "reprocut.stream.sources.network" not in modules


def test_verbose_says_when_the_first_frames_reached_the_encoder(short_clip):
    result = run_cli("-v", "detect", str(short_clip), "--jsonl", *model_args())
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "at the encoder" in line]
    assert re.search(r"INFO reprocut\.stream\.runtime\.encoder: first \d+ frames at the encoder, \d+\.\d\d s after the process started$", line), line
    assert re.search(r"encoder \S+ \(latent \d+\) on CPU", result.stderr)  # -v still says which provider loaded


def test_every_command_is_still_listed_with_its_help_and_the_version_is_printed():
    result = run_cli("--help")
    assert result.returncode == 0 and all(f"    {name}" in result.stdout for name in COMMANDS)
    assert result.stdout.count("\n    ") >= len(COMMANDS)  # a help line for each, not just the names
    version = run_cli("--version")
    assert version.returncode == 0 and re.fullmatch(r"reprocut \d+\.\d+\.\d+\S*\n", version.stdout), version
    wrong = run_cli("detct", "x.mp4")  # not a command: every command is offered
    assert wrong.returncode == 2 and "invalid choice: 'detct'" in wrong.stderr and "'detect'" in wrong.stderr
