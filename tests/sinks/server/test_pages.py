"""The overlay and the dashboard in a real headless Chromium (Debian's), served by ``reprocut serve``.

Screenshots go to ``artifacts/`` (overlay.png with a transparent background, dashboard.png, dashboard_file_run.png,
dashboard_transition.png).
"""

from __future__ import annotations

import json
import os
import time

import pytest
from helpers import ARTIFACTS, TIMEOUT, http_get, make_clip

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
WAIT_MS = TIMEOUT * 1000

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (scripts/setup.sh --test)")


def refused(text: str) -> bool:
    """Chromium's own log line for a websocket that cannot connect: expected while the server restarts."""
    return text.startswith("WebSocket connection to") and "ERR_CONNECTION_REFUSED" in text


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.errors = []  # uncaught exceptions and console errors (a CSP violation would show here)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" and not refused(msg.text) else None)
    yield pg
    context.close()


def final_state(srv) -> dict:
    status, _, body = http_get(srv.url + "/state")
    assert status == 200
    return json.loads(body)["streams"][0]


def table_scenes(state: dict) -> int:
    """How many scenes the CLI's table (``core/scenes.py``) makes of a stream's final state."""
    from reprocut.stream.core.events import TransitionEvent
    from reprocut.stream.core.scenes import scenes_from_cuts

    fields = ("stream", "start", "end", "kind", "time", "end_time", "score", "wall", "cuts")
    transitions = [TransitionEvent(*(t[f] for f in fields)) for t in state["transitions"]]
    end = state["end"]
    return len(scenes_from_cuts([(c["frame"], c["time"]) for c in state["cuts"]], end["frames"], end["duration"], transitions))


def test_overlay_and_dashboard_show_the_cuts_and_reconnect(clip, serve, browser, page, tmp_path):
    path, labels = clip
    srv = serve(str(path), "--wait-for-client")
    port = int(srv.url.rsplit(":", 1)[1])

    # the overlay is the first subscriber: it starts detection and sees every cut live
    page.goto(srv.url + "/overlay")
    page.wait_for_selector('.stream[data-done="true"]', state="attached", timeout=WAIT_MS)
    state = final_state(srv)
    n, scenes = state["cuts_total"], table_scenes(state)
    assert n >= len(labels["cuts"]) and state["scenes"] == scenes
    body = page.locator("body")
    assert body.get_attribute("data-cuts") == str(n)
    assert body.get_attribute("data-scene") == str(scenes)  # the scene table's count, not cuts + transitions + 1
    assert body.get_attribute("data-last-cut") == f"0:{state['cuts'][-1]['frame']}"  # flashed live
    assert page.locator(".stream .scene").inner_text() == f"Scene {scenes}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overlay.png"), omit_background=True)

    # the dashboard joins later: hello carries the cuts, with thumbnails
    dash = page.context.new_page()
    dash.on("pageerror", lambda exc: page.errors.append(str(exc)))
    dash.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" and not refused(msg.text) else None)
    dash.goto(srv.url + "/")
    dash.wait_for_selector(f'section.stream[data-done="true"][data-cuts="{n}"]', state="attached", timeout=WAIT_MS)
    frames = dash.eval_on_selector_all("li.cut", "els => els.map(e => Number(e.dataset.frame))")
    assert sorted(frames) == [c["frame"] for c in state["cuts"]]
    dash.wait_for_function("() => [...document.querySelectorAll('li.cut img')].every(i => i.complete && i.naturalWidth > 0)",
                           timeout=WAIT_MS)
    assert dash.locator("body").get_attribute("data-cuts") == str(n)
    assert dash.locator(".numbers .count").inner_text() == str(n)
    assert dash.locator(".numbers .scene").inner_text() == str(scenes)

    # the server restarts on the same port with another clip, paced like a live stream:
    # both pages reconnect on their own and the dashboard charts the scores
    assert srv.stop() == 0
    page.wait_for_selector('body:not([data-connection="open"])', state="attached", timeout=WAIT_MS)
    other, _ = make_clip(tmp_path, frames=168, seed=5)
    srv2 = serve(str(other), "--wait-for-client", "--realtime", port=port)  # paced like a live stream: the chart fills
    # a file reports no 'connected': once its frames are scored, its badge says so (it said 'starting' all along)
    dash.wait_for_selector('section.stream[data-status="running"]', state="attached", timeout=WAIT_MS)
    assert dash.locator(".stream .state").inner_text() == "running"
    finished = ("src => [...document.querySelectorAll('section.stream')].some(s => s.dataset.done === 'true' && "
                "s.querySelector('.source').textContent === src)")
    dash.wait_for_function(finished, arg=str(other), timeout=WAIT_MS)
    state2 = final_state(srv2)
    n2 = state2["cuts_total"]
    assert n2 > 0 and n2 != n and state2["source"] == str(other)
    dash.wait_for_selector(f'body[data-connection="open"][data-cuts="{n2}"]', state="attached", timeout=WAIT_MS)
    page.wait_for_selector(f'body[data-connection="open"][data-cuts="{n2}"]', state="attached", timeout=WAIT_MS)
    assert dash.locator("li.cut").count() == n2
    dash.wait_for_function("() => [...document.querySelectorAll('li.cut img')].every(i => i.complete && i.naturalWidth > 0)",
                           timeout=WAIT_MS)
    assert dash.locator(".numbers .fps").inner_text() != "\u2013"  # stats arrived
    dash.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert page.errors == []


def test_overlay_stream_filter_and_token(clip, serve, page):
    path, _ = clip
    token = "overlay-token-123"
    srv = serve(str(path), "demo://?frames=96&seed=2", "--token", token)
    page.goto(srv.url + f"/overlay?stream=1&token={token}")
    page.wait_for_selector('body[data-connection="open"] .stream[data-stream="1"][data-done="true"]',
                           state="attached", timeout=WAIT_MS)
    assert page.locator(".stream").count() == 1  # only the filtered stream
    status, _, body = http_get(srv.url + f"/state?token={token}")
    (demo,) = [s for s in json.loads(body)["streams"] if s["id"] == "1"]
    assert page.locator("body").get_attribute("data-cuts") == str(demo["cuts_total"])
    assert page.errors == []
    response = page.goto(srv.url + "/overlay?token=wrong-token-1")
    assert response.status == 403


def test_a_dashboard_opened_after_a_paced_run_shows_the_whole_run(serve, page):
    """Opened after the run: the header says the stream ended (not a green 'live'), the chart holds the whole run's
    scores (not the last stats' few seconds) as one continuous log-scale line over a time axis, its maximum is no
    lower than any cut's score, the caption says what it shows, the scene count is the scene table's, and the cuts
    decided in the warm-up say they passed the prior threshold. The one stream uses the page (a tall chart, the
    thumbnails below). Screenshot: artifacts/dashboard_file_run.png."""
    srv = serve("demo://?frames=120", "--realtime")  # 5 s at 24 fps; its fade holds the cut after it
    deadline = time.monotonic() + TIMEOUT
    while final_state(srv)["end"] is None:
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.2)
    state = final_state(srv)
    page.goto(srv.url + "/")
    page.wait_for_selector('body[data-ended="true"] section.stream[data-done="true"]', state="attached", timeout=WAIT_MS)
    page.wait_for_function("() => Number(document.querySelector('.chart').dataset.points) > 0", timeout=WAIT_MS)
    page.wait_for_function("() => [...document.querySelectorAll('li.cut img')].every(i => i.complete && i.naturalWidth > 0)",
                           timeout=WAIT_MS)
    header = page.locator("#connection")
    assert header.inner_text() == "ended"
    assert header.evaluate("e => getComputedStyle(e).color") != "rgb(111, 207, 111)"  # the green of 'live'

    frames = state["end"]["frames"]
    chart = page.locator(".chart")
    points, gaps = int(chart.get_attribute("data-points")), int(chart.get_attribute("data-gaps"))
    # from the first frame on, one point per frame to the last (the page was opened late: it got them from hello's
    # trace; the stream's last stats, sent before its end, carry the last second's scores)
    assert chart.get_attribute("data-x1") == str(frames) and chart.get_attribute("data-first") == "0"
    assert gaps == 0 and points == frames, (points, gaps, frames)
    labels = chart.get_attribute("data-labels").split("|")
    assert labels[:2] == ["1", "10"]  # log scale: powers of ten
    assert any(t.startswith("threshold ") for t in labels) and any(t.startswith("max ") for t in labels), labels
    assert float(chart.get_attribute("data-max")) >= max(c["score"] for c in state["cuts"])
    assert chart.get_attribute("data-ticks").split("|") == ["0:00", "0:01", "0:02", "0:03", "0:04", "0:05"]
    assert page.locator(".caption").inner_text().startswith(f"whole run: frames 0\u2013{frames} (0:00\u20130:05), one point per frame")

    section = page.locator("section.stream")
    assert section.get_attribute("data-scenes") == str(table_scenes(state)) == str(state["end"]["scenes"])
    assert int(section.get_attribute("data-scenes")) < state["cuts_total"] + len(state["transitions"]) + 1  # counted once
    for cut in state["cuts"]:  # 24 fps, a 4 s warm-up decided with the prior threshold: frames 0-96
        card = page.locator(f'li.cut[data-frame="{cut["frame"]}"]')
        assert card.get_attribute("data-decided-by") == cut["decided_by"] == ("prior" if cut["frame"] <= 96 else "threshold")
        note = card.locator(".note")
        assert (note.inner_text() if note.count() else "") == ("warm-up: prior threshold" if cut["frame"] <= 96 else "")

    box, body = chart.bounding_box(), section.bounding_box()
    assert box["height"] >= 0.3 * 720 and body["y"] + body["height"] >= 0.9 * 720  # no empty lower half
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard_file_run.png"), full_page=True)
    assert page.errors == []


@pytest.fixture
def hub_server():
    """The real server in a thread of its own, over a hub this test feeds (``publish`` runs on the server's loop):
    transitions reach the pages whatever the detector finds in a clip."""
    import asyncio
    import threading

    from helpers import STREAM_INFO
    from reprocut.stream.sinks.server.hub import Hub
    from reprocut.stream.sinks.server.server import Server, ServerConfig

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    hub = Hub([dict(STREAM_INFO, source="clip.mp4", live=False)], "m")
    server = Server(hub, ServerConfig(port=0))
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(TIMEOUT)

    def publish(event) -> None:
        loop.call_soon_threadsafe(hub.publish, event)

    server.publish = publish
    yield server
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(TIMEOUT)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(TIMEOUT)


def test_dashboard_shades_a_transition_and_the_overlay_flashes_softly(hub_server, page):
    """A transition: shaded on the chart, a soft flash on the overlay, one scene more. A cut below its threshold (two
    unrelated pictures) says so on its card."""
    from helpers import cut_event
    from reprocut.stream.core.events import StatsEvent, TransitionEvent

    overlay = page
    overlay.goto(hub_server.url + "/overlay")
    overlay.wait_for_selector('body[data-connection="open"]', state="attached", timeout=WAIT_MS)
    hub_server.publish(cut_event(60))
    hub_server.publish(StatsEvent("0", 200, 25.0, 12.0, 30.0, 0, 4.2, [1.0 + (i % 7) / 10 for i in range(200)], 199))
    hub_server.publish(TransitionEvent("0", 132, 159, "dissolve", 5.28, 6.36, 1.7, 1700000001.25))
    overlay.wait_for_selector('body[data-last-transition="0:132-159"][data-scene="3"]', state="attached", timeout=WAIT_MS)
    assert overlay.locator("#flash").get_attribute("class") == "soft"  # not the cut's bright flash
    assert overlay.locator(".stream .scene").inner_text() == "Scene 3"
    unrelated = cut_event(180)
    unrelated.score = 3.0  # below its threshold of 4.2: only the unrelated-pictures rule makes it a cut
    hub_server.publish(unrelated)

    dash = page.context.new_page()  # joins later: hello carries the transition
    dash.goto(hub_server.url + "/")
    dash.wait_for_selector('section.stream[data-transitions="1"][data-cuts="2"]', state="attached", timeout=WAIT_MS)
    chart = dash.locator(".chart")
    dash.wait_for_function("() => document.querySelector('.chart').dataset.spans === '132-159'", timeout=WAIT_MS)
    assert dash.locator(".numbers .scene").inner_text() == "4"
    card = dash.locator('li.cut[data-frame="180"]')
    assert card.locator(".score").inner_text() == "score 3.00 < 4.20" and card.locator(".note").inner_text() == "unrelated pictures"
    assert "whatever the threshold" in card.get_attribute("title")
    # the shading: pixels painted top to bottom inside the span, hardly any in a column outside it (whole run: 200 frames)
    painted = chart.evaluate("""c => {
        const g = c.getContext('2d'), w = c.width, h = c.height, r = window.devicePixelRatio || 1;
        const left = 36 * r, top = 8 * r, bottom = 20 * r;  // the plot area, above the time axis
        const x = f => Math.round(left + f / Number(c.dataset.x1) * (w - left - 8 * r));
        const share = col => { const d = g.getImageData(col, top, 1, h - top - bottom).data; let n = 0;
                               for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n / (h - top - bottom); };
        return [share(x(145)), share(x(100))]; }""")
    assert chart.get_attribute("data-x1") == "200" and painted[0] > 0.95 and painted[1] < 0.3, painted
    ARTIFACTS.mkdir(exist_ok=True)
    dash.screenshot(path=str(ARTIFACTS / "dashboard_transition.png"), full_page=True)
    assert page.errors == []
