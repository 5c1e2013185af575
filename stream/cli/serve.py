"""``reprocut serve SOURCE [SOURCE ...]``: cut events over websocket, plus overlay and dashboard pages.

One process watches every source through one encoder session (the pipeline batches all streams
together). Detection feeds a ``ToLoop`` sink on a thread of its own, which hands each event to
the asyncio loop; the loop publishes it to the hub, which never waits on a client. The same
port serves ``/`` (dashboard), ``/overlay`` (for OBS), ``/ws`` (events) and thumbnails.

The terminal shows the addresses, then each stream's status changes (running, connected, lost,
reconnecting, ended...) and its end (frames, cuts, scenes: the scene table's count). When every
source has ended the server keeps serving the final state (pages, ``/state``, ``hello``) until
Ctrl-C or SIGTERM; ``--exit-when-done`` exits instead, once subscribers have been sent everything.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import threading

HELP = "watch sources and serve their cut events over websocket, with a browser overlay and dashboard"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..sinks.server.hub import HubConfig
    from ..sinks.server.server import ServerConfig
    from ..sinks.server.thumbs import ThumbConfig
    from .options import add_options
    from .pipeline_options import add_pipeline_options

    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="file, rtsp://, http(s)://, udp://, srt://, tcp://, /dev/videoN, - (stdin) or demo://[?seed=N&frames=N]")
    n = p.add_argument_group("network")
    add_options(n, ServerConfig, {
        "host": "address to bind (default: loopback only); any other needs --token or --insecure",
        "port": "TCP port for pages and websocket (0: any free port, printed at start)",
    })
    n.add_argument("--token", default=os.environ.get("REPROCUT_TOKEN") or ServerConfig.token, metavar="T",
                   help="secret required on every request, as ?token=T or 'Authorization: Bearer T' (default: $REPROCUT_TOKEN)")
    n.add_argument("--insecure", action="store_true", help="allow binding a non-loopback address without a token")
    n.add_argument("--allow-origin", action="append", default=ServerConfig().allow_origin, metavar="ORIGIN",
                   help="browser origin (e.g. https://studio.example) allowed to subscribe besides the server's own pages; "
                        "repeat for more, '*' for any (default: none besides them)")
    b = p.add_argument_group("behaviour")
    b.add_argument("--exit-when-done", action="store_true", help="exit once every source has ended (default: keep serving the final state)")
    b.add_argument("--wait-for-client", action="store_true",
                   help="start reading the sources only when the first websocket subscriber has connected")
    add_options(b, HubConfig, {"client_queue": {
        "metavar": "N", "help": "messages buffered per subscriber; a subscriber that misses 4x this many in a row is disconnected"}})
    add_options(b, ThumbConfig, {"thumbnails": {"metavar": "N", "help": "cut thumbnails kept in memory (oldest dropped first)"}})
    add_pipeline_options(p)


def _check(args: argparse.Namespace) -> None:
    from ..core.errors import UsageError
    from ..sinks.server.access import TOKEN, is_loopback

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 0..65535")
    if args.client_queue < 1 or args.thumbnails < 0:
        raise UsageError("--client-queue must be at least 1 and --thumbnails not negative")
    if args.token is not None and not TOKEN.match(args.token):
        raise UsageError("--token must be 8 to 200 characters of A-Z a-z 0-9 . _ ~ - (e.g. from secrets.token_urlsafe())")
    if not is_loopback(args.host) and not args.token and not args.insecure:
        raise UsageError(f"--host {args.host} would expose the events and thumbnails to the network: "
                         "pass --token T (or set REPROCUT_TOKEN), or --insecure if that is intended")


def run(args: argparse.Namespace) -> int:
    from ..runtime.pipeline import Pipeline
    from ..sinks.server.hub import Hub, HubConfig
    from ..sinks.server.thumbs import ThumbConfig, ThumbStore
    from ..sources import open_source
    from .options import config_from
    from .pipeline_options import pipeline_config, source_config

    _check(args)
    if not logging.getLogger().isEnabledFor(logging.DEBUG):  # websockets logs every HTTP request at INFO
        logging.getLogger("websockets").setLevel(logging.WARNING)
    sources = [open_source(url, source_config(args)) for url in args.sources]
    pipeline = Pipeline(sources, pipeline_config(args))
    scorer = pipeline.cfg.scorer  # live and paced streams decide their warm-up's cuts with the prior threshold
    prior_s = scorer.decider.warmup if scorer.threshold_mode == "online" and scorer.decider.threshold is None else 0.0
    infos = [{**s.info(), "prior_s": prior_s if s.source.paced else 0.0} for s in pipeline.streams]
    hub = Hub(infos, pipeline.encoder.name, config_from(args, HubConfig), ThumbStore(config_from(args, ThumbConfig)))
    return asyncio.run(_serve(args, pipeline, hub))


def status_line(msg: dict, before: str, hub) -> str | None:
    """What the terminal shows of a message the hub published: a stream's status change, or its end."""
    sid = msg.get("stream")
    view = hub.streams.get(sid)
    if view is None:
        return None
    if msg["type"] == "end":
        dropped = f", {msg['dropped']} frames dropped" if msg["dropped"] else ""
        reason = f" ({msg['reason']})" if msg["reason"] != "eof" else ""
        return (f"stream {sid}: {msg['frames']} frames, {msg['cuts']} cuts, {msg['scenes']} scenes, "
                f"{msg['duration']:.2f} s{dropped}{reason}")
    if msg["type"] == "source":
        return f"stream {sid}: {msg['status']}" + (f" ({msg['detail']})" if msg["detail"] else "")
    if view.status != before:  # "running": a file's first scored frames
        return f"stream {sid}: {view.status} ({view.info['source']})"
    return None


def _detect(pipeline, sink, errors: list[BaseException]) -> None:
    """The pipeline's thread: an error is logged and kept, and the server stays up for the pages."""
    from ..sinks.base import feed

    try:
        feed(pipeline.run(), [sink])
    except BaseException as exc:
        log.exception("detection stopped")
        errors.append(exc)


async def _first(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    tasks = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def _drain(server, timeout: float) -> None:
    """Give subscribers up to ``timeout`` seconds to receive what is queued for them."""
    for _ in range(int(timeout / 0.05)):
        if server.idle:
            return
        await asyncio.sleep(0.05)


async def _serve(args: argparse.Namespace, pipeline, hub) -> int:
    from ..core.errors import UsageError
    from ..sinks.server.loop import ToLoop
    from ..sinks.server.server import CLOSE_DONE, Server, ServerConfig
    from .options import config_from

    loop = asyncio.get_running_loop()
    stop, subscribed = asyncio.Event(), asyncio.Event()
    server = Server(hub, config_from(args, ServerConfig), on_subscriber=subscribed.set)
    try:
        await server.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ws = server.url.replace("http://", "ws://", 1)
    print(f"serving {len(pipeline.streams)} stream(s): dashboard {server.url}/  overlay {server.url}/overlay  events {ws}/ws"
          + ("  (add ?token=...)" if args.token else ""), flush=True)

    by_id = {s.id: s for s in pipeline.streams}

    def deliver(event) -> None:
        if event.type == "source" and event.status == "connected" and event.stream in by_id:
            hub.update_info(by_id[event.stream].info())  # a live source's fps and size are known now
        view = hub.streams.get(getattr(event, "stream", None))
        before = view.status if view else ""
        line = status_line(hub.publish(event), before, hub)
        if line:
            print(line, flush=True)

    to_loop = ToLoop(loop, deliver, pipeline.stop)
    errors: list[BaseException] = []
    detection = threading.Thread(target=_detect, args=(pipeline, to_loop, errors), name="pipeline", daemon=True)
    try:
        if args.wait_for_client:
            print("waiting for the first client (a page or a websocket) before reading the sources", flush=True)
            await _first(subscribed, stop)
        if not stop.is_set():
            detection.start()
            await _first(to_loop.done, stop)
        if to_loop.done.is_set() and not stop.is_set():
            if args.exit_when_done:
                await _drain(server, 10.0)
            else:
                print(f"all streams ended; still serving the final state at {server.url}/ (Ctrl-C to stop)", flush=True)
                await stop.wait()
    finally:
        pipeline.stop()
        if detection.is_alive():
            await asyncio.to_thread(detection.join, 10.0)
        await asyncio.sleep(0)  # the last events (``end``) were posted to the loop by the detection thread
        await _drain(server, 2.0)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.close(*((CLOSE_DONE, "all sources ended") if hub.done else (1001, "server shutting down")))
    failed = bool(errors) or any((v.end or {}).get("reason") == "failed" for v in hub.streams.values())
    return 1 if failed else 0
