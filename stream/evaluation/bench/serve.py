"""``reprocut`` as a child process, and a websocket client of ``reprocut serve``.

The latency and memory sections measure the commands users run, so they start the real CLI in
a process of its own and listen as a dashboard would: over a websocket on the loopback.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

CLI = [sys.executable, "-m", "reprocut.stream.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(sources: list[str], port: int, model: str, extra: list[str]) -> subprocess.Popen:
    """``reprocut serve`` that waits for its first client and exits when every source has ended."""
    cmd = [*CLI, "-q", "serve", *sources, "--port", str(port), "--wait-for-client", "--exit-when-done", *extra]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> int:
    """SIGINT unless it has already exited, then wait (SIGKILL after ``timeout``); the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def ws_collect(port: int, deadline: float, expect_ends: int) -> list[tuple[str, float]]:
    """(message JSON, arrival time) for every websocket message until ``expect_ends`` end messages."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    while time.monotonic() < deadline:  # the server needs a moment to listen
        try:
            ws = connect(f"ws://127.0.0.1:{port}/ws", open_timeout=2)
            break
        except (OSError, TimeoutError):
            time.sleep(0.05)
    else:
        raise TimeoutError("server did not accept a websocket connection")
    out, ends = [], 0
    with ws:
        try:
            while time.monotonic() < deadline and ends < expect_ends:
                text = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                arrived = time.time()
                out.append((text, arrived))
                if json.loads(text).get("type") == "end":
                    ends += 1
        except (ConnectionClosed, TimeoutError):
            pass
    return out
