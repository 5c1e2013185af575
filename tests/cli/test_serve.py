"""``reprocut serve`` end to end: a real process, real websocket clients, the pages' HTTP routes.

Every message a test receives is validated against the JSON Schemas shipped in the package.
Set ``REPROCUT_TEST_MODEL=/path/model.onnx`` to run against another model than the bundled one.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import time

import av
import pytest
from helpers import (
    TIMEOUT,
    VALIDATORS,
    http_get,
    model_args,
    recv_until,
    reprocut,
    run_cli,
    unmatched,
    validate,
)
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def test_serve_sends_hello_every_cut_and_end(clip, serve):
    path, labels = clip
    srv = serve(str(path), "--wait-for-client")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        messages = recv_until(ws, lambda m: m["type"] == "end")
    hello, end = messages[0], messages[-1]
    assert hello["type"] == "hello" and hello["protocol"] == 1 and hello["model"]
    (info,) = hello["streams"]
    assert (info["id"], info["source"], info["fps"], info["width"], info["height"], info["live"]) == ("0", str(path), 24.0, 320, 180, False)
    assert info["cuts"] == []  # nothing was read before the first subscriber
    cuts = [m for m in messages if m["type"] == "cut"]
    frames = [c["frame"] for c in cuts]
    assert not unmatched(labels["cuts"], frames), f"missed labelled cuts; detected {frames}, labels {labels['cuts']}"
    assert frames == sorted(set(frames))
    assert end["reason"] == "eof" and end["frames"] == labels["frames"] and end["cuts"] == len(cuts)

    for c in cuts:  # every thumbnail is a JPEG in the source's shape
        status, headers, data = http_get(srv.url + c["thumbnail"])
        assert status == 200 and headers["Content-Type"] == "image/jpeg" and data[:2] == b"\xff\xd8"
    with av.open(io.BytesIO(data)) as c:
        decoded = next(c.decode(video=0))
    assert (decoded.width, decoded.height) == (128, 72)

    # all sources ended: the server keeps serving the final state
    with connect(srv.ws + "?stream=0", open_timeout=TIMEOUT) as ws:
        late = validate(json.loads(ws.recv(timeout=TIMEOUT)))
    assert late["stream"] == "0" and late["streams"][0]["cuts"] == cuts and late["streams"][0]["end"] == end
    status, _, body = http_get(srv.url + "/state")
    assert status == 200 and validate(json.loads(body))["streams"][0]["cuts_total"] == len(cuts)
    with pytest.raises(InvalidStatus) as refused:
        connect(srv.ws + "?stream=9", open_timeout=TIMEOUT)
    assert refused.value.response.status_code == 404
    status, _, body = http_get(srv.url + "/schema/cut.json")  # the schemas the docs link to
    assert status == 200 and json.loads(body) == VALIDATORS["cut"].schema
    status, headers, body = http_get(srv.url + "/")
    assert status == 200 and b"dashboard.js" in body and "script-src 'self'" in headers["Content-Security-Policy"]
    assert http_get(srv.url + "/nothing")[0] == 404
    assert http_get(srv.url + "/static/../server.py")[0] == 404
    assert srv.stop() == 0, srv.stderr()


def test_exit_when_done(clip, serve):
    path, _ = clip
    srv = serve(str(path), "--wait-for-client", "--exit-when-done")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        recv_until(ws, lambda m: m["type"] == "end")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd.code == 1000 and "ended" in closed.value.rcvd.reason
    assert srv.proc.wait(timeout=TIMEOUT) == 0, srv.stderr()


@pytest.mark.parametrize("args, message", [
    (["--host", "0.0.0.0"], "--token"),
    (["--host", "0.0.0.0", "--token", "short"], "8 to 200"),
    (["--client-queue", "0"], "--client-queue"),
])
def test_usage_errors_are_one_line(clip, args, message):
    path, _ = clip
    r = subprocess.run(reprocut("serve", str(path), *args), capture_output=True, text=True, timeout=TIMEOUT,
                       env={**os.environ, "REPROCUT_TOKEN": ""})
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_the_terminal_shows_status_changes_and_the_end_with_the_scene_tables_count(serve):
    """``serve`` says more than its first line: each stream's status changes and its end, whose scene count is the
    one ``detect``'s table has for the same source (the demo's fades each hold a cut: one scene, not two)."""
    source = "demo://?frames=240"
    table = run_cli("detect", source, *model_args())
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if re.match(r"\s+\d+\s+\d+\s+\d\d:", line)]
    cuts = int(table.stdout.splitlines()[-1].split()[0])

    srv = serve(source, "--exit-when-done")
    assert srv.proc.wait(timeout=TIMEOUT) == 0, srv.stderr()
    lines = srv.proc.stdout.read().splitlines()
    assert "stream 0: ended (end of demo stream)" in lines, lines
    assert lines[-1] == f"stream 0: 240 frames, {cuts} cuts, {len(rows)} scenes, 10.00 s", (lines, table.stdout)


def test_a_paced_file_sends_its_warm_up_cuts_as_a_live_run_would(serve):
    """``--realtime`` rehearses a live run: a cut of the warm-up is decided with the prior threshold and arrives
    within the look-ahead of its frame, not when the warm-up ends (with an 8 s warm-up, the demo's first cut, at
    0.6 s, would come 7 s late)."""
    srv = serve("demo://?frames=240", "--realtime", "--wait-for-client", "--warmup", "8")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        cut = recv_until(ws, lambda m: m["type"] == "cut")[-1]
        arrived = time.time()
    assert cut["frame"] < 24 and cut["decided_by"] == "prior", cut
    assert arrived - cut["wall"] < 3.0, (arrived - cut["wall"], cut)
