"""Who may talk to ``reprocut serve``: the token (query, header, cookie), browser origins, and
without a token, loopback Host names only (DNS rebinding). Real serve processes, real clients."""

from __future__ import annotations

import json

import pytest
from helpers import TIMEOUT, http_get, validate
from reprocut.stream.sinks.server.access import TOKEN, is_loopback
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def test_loopback_names_and_token_characters():
    assert [is_loopback(h) for h in ("localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]")] == [True] * 5
    assert [is_loopback(h) for h in ("0.0.0.0", "10.0.0.9", "::", "example.com", "")] == [False] * 5
    assert [bool(TOKEN.match(t)) for t in ("s3cret-Token_42", "a.b~c_d-e", "short", "has space1", "semi;colon1", "x" * 201)] == [
        True, True, False, False, False, False]


def test_token_origin_and_host_are_enforced(clip, serve):
    path, _ = clip
    token = "s3cret-Token_42"
    srv = serve(str(path), "--token", token, "--allow-origin", "https://studio.example")

    def refused(url, **kw) -> int:
        with pytest.raises(InvalidStatus) as info:
            connect(url, open_timeout=TIMEOUT, **kw)
        return info.value.response.status_code

    assert refused(srv.ws) == 401
    assert refused(srv.ws + "?token=wrong-token") == 403
    assert refused(srv.ws, additional_headers={"Authorization": "Bearer wrong-token"}) == 403
    for kw in ({"additional_headers": {"Authorization": f"Bearer {token}"}}, {}):
        url = srv.ws if kw else srv.ws + f"?token={token}"
        with connect(url, open_timeout=TIMEOUT, **kw) as ws:
            assert validate(json.loads(ws.recv(timeout=TIMEOUT)))["type"] == "hello"
    own = srv.url  # the server's own pages may subscribe, and listed origins
    for origin in (own, "https://studio.example"):
        with connect(srv.ws + f"?token={token}", origin=origin, open_timeout=TIMEOUT) as ws:
            ws.recv(timeout=TIMEOUT)
    assert refused(srv.ws + f"?token={token}", origin="https://evil.example") == 403

    assert http_get(srv.url + "/overlay")[0] == 401
    assert http_get(srv.url + "/?token=nope")[0] == 403
    status, headers, _ = http_get(srv.url + f"/overlay?token={token}")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and token in cookie
    assert http_get(srv.url + "/static/overlay.js", {"Cookie": cookie})[0] == 200  # what the browser sends next
    assert http_get(srv.url + "/static/overlay.js")[0] == 401
    assert srv.stop() == 0


def test_loopback_without_token_refuses_foreign_host_names(clip, serve):
    path, _ = clip
    srv = serve(str(path))
    assert http_get(srv.url + "/", {"Host": "attacker.example:8765"})[0] == 403  # DNS rebinding
    assert http_get(srv.url + "/", {"Host": "localhost:8765"})[0] == 200
    with pytest.raises(InvalidStatus) as info:
        connect(srv.ws, origin="https://evil.example", open_timeout=TIMEOUT)
    assert info.value.response.status_code == 403
