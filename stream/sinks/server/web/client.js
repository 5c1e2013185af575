/* reprocut page client: one websocket to /ws that reconnects on its own, shared by the
   overlay and the dashboard. No build step, no dependencies: plain browser JavaScript.
   Pages pass their own ?stream= and ?token= on to the websocket and to thumbnail URLs. */
"use strict";

window.Reprocut = (function () {
  const params = new URLSearchParams(location.search);
  const token = params.get("token");

  /* URLs relative to the page, so the pages also work behind a proxy under a sub-path. */
  function url(path, scheme) {
    const u = new URL(path.replace(/^\//, ""), location.href);
    if (scheme) u.protocol = location.protocol === "https:" ? scheme + "s:" : scheme + ":";
    if (token) u.searchParams.set("token", token);
    return u.href;
  }

  function wsUrl() {
    const u = new URL(url("ws", "ws"));
    if (params.get("stream")) u.searchParams.set("stream", params.get("stream"));
    return u.href;
  }

  /* Calls onMessage(msg) for every parsed message and onState("connecting"|"open"|"closed").
     Backoff 0.5 s doubling to 5 s; a fresh hello after a reconnect replaces all state. */
  function connect(onMessage, onState) {
    let delay = 500;
    function open() {
      onState("connecting");
      let ws;
      try {
        ws = new WebSocket(wsUrl());
      } catch (e) {
        setTimeout(open, delay);
        return;
      }
      ws.onopen = function () { delay = 500; onState("open"); };
      ws.onmessage = function (e) {
        let msg;
        try { msg = JSON.parse(e.data); } catch (err) { return; }
        if (msg && typeof msg.type === "string") onMessage(msg);
      };
      ws.onclose = function (e) {
        onState("closed", e.code, e.reason);
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 5000);
      };
    }
    open();
  }

  /* Server clock minus ours, from hello: cut.wall is the server's clock. */
  let clockOffset = 0;
  function noteHello(hello) { clockOffset = hello.server_time - Date.now() / 1000; }
  function serverNow() { return Date.now() / 1000 + clockOffset; }

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) seconds = 0;
    const m = Math.floor(seconds / 60), s = seconds - 60 * m;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  return { params: params, url: url, connect: connect, noteHello: noteHello, serverNow: serverNow, clock: clock, el: el };
})();
