"""Installing reprocut as a new user does: a fresh venv, an upgraded pip, a build by the newest setuptools.

Needs PyPI (pip and setuptools are fetched); skipped, saying so, where it cannot be reached.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile

import pytest
from helpers import ROOT

SHIPPED = ["pyproject.toml", "README.md", "stream", "export", "trainer"]


def pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=10).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not pypi_reachable(), reason="needs PyPI to upgrade pip and fetch setuptools")
def test_build_is_quiet_and_ships_the_data(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in SHIPPED:  # a copy: building in the worktree would leave build/ and egg-info behind
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True, timeout=300)
    # -v: pip shows the build backend's own output, where setuptools prints its warnings
    result = subprocess.run([*pip, "wheel", "-v", "--no-deps", "-w", tmp_path / "dist", src],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "BuildBackendWarning" not in log and "absent from the packages configuration" not in log, \
        [line for line in log.splitlines() if "absent" in line or "Warning" in line][:5]
    wheel, = (tmp_path / "dist").glob("reprocut-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("reprocut/stream/models/default.onnx", "reprocut/stream/models/default.pt", "reprocut/stream/sinks/server/web/dashboard.js",
                    "reprocut/stream/sinks/server/schema/cut.json", "reprocut/stream/cli/main.py"):
        assert shipped in names


def test_without_an_extra_its_tests_fail_saying_how_to_install_it():
    """The tests of OpenTimelineIO and Ray, run where neither is installed: every file is collected (no import
    error stops the run), and each test that needs an extra fails at its set-up, naming the extra and the command
    that installs it, while the others run."""
    code = ("import sys; sys.modules['opentimelineio'] = sys.modules['ray'] = None; import pytest; "
            "sys.exit(pytest.main(sys.argv[1:]))")
    files = ["tests/sinks/files/test_otio.py", "tests/cli/test_timelines.py", "tests/batch/test_archive_runs.py"]
    result = subprocess.run([sys.executable, "-c", code, "-p", "no:cacheprovider", "-q", "-rN", *files, "-k", "round_trip"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1 and "ERROR collecting" not in result.stdout, result.stdout
    assert re.fullmatch(r"\d+ deselected, 3 errors in [\d.]+s", result.stdout.splitlines()[-1]), result.stdout  # the 3 round trips
    assert result.stdout.count("the timeline extra is missing (opentimelineio is not installed): pip install -e '.[timeline]'") == 3
    assert "halted" not in result.stdout and "Traceback" not in result.stdout  # the message alone
