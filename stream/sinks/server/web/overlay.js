/* Overlay: scene number and time since the last cut per stream, a brief flash on each cut and a
   soft, slower one on each gradual transition. The scene number is the server's (cut.scene,
   transition.scene, hello's scenes): the scene lists' count, where a transition that holds a cut
   already sent replaces it instead of starting another scene.
   DOM state for scripts and tests: body[data-cuts] (all streams), body[data-scene] (first
   stream), body[data-last-cut] ("stream:frame" of the last live cut, which flashed),
   body[data-last-transition] ("stream:start-end" of the last live transition, which flashed softly), and per stream .stream[data-stream][data-cuts][data-scene][data-status][data-done]
   (data-done="true" once the stream's end message has arrived: its counts are final). */
"use strict";

(function () {
  const R = window.Reprocut;
  const body = document.body;
  const box = document.getElementById("streams");
  const status = document.getElementById("status");
  const flash = document.getElementById("flash");
  let streams = new Map(); // id -> {cuts, scene, lastWall, status, done, el}

  function row(info) {
    const e = R.el("div", "stream");
    e.dataset.stream = info.id;
    e.append(R.el("span", "name", info.id), R.el("span", "scene"), R.el("span", "since"));
    return e;
  }

  function render(s) {
    s.el.dataset.cuts = String(s.cuts);
    const scene = s.scene;
    s.el.dataset.scene = String(scene);
    s.el.dataset.status = s.status;
    s.el.dataset.done = String(s.done);
    s.el.querySelector(".scene").textContent = "Scene " + scene;
    let total = 0;
    streams.forEach(function (v) { total += v.cuts; });
    body.dataset.cuts = String(total);
    const first = streams.values().next().value;
    body.dataset.scene = String(first ? first.scene : 1);
  }

  function tick() {
    streams.forEach(function (s) {
      const since = s.el.querySelector(".since");
      if (s.status === "ended" || s.status === "failed") since.textContent = s.status;
      else since.textContent = s.lastWall === null ? "" : R.clock(R.serverNow() - s.lastWall);
    });
  }

  function doFlash(s, soft) {
    flash.classList.remove("on", "soft");
    for (const e of [flash, s.el]) {
      const cls = e === flash ? (soft ? "soft" : "on") : "cutting";
      e.classList.remove(cls);
      void e.offsetWidth; // restart the animation
      e.classList.add(cls);
    }
  }

  function onMessage(m) {
    if (m.type === "hello") {
      R.noteHello(m);
      streams = new Map();
      box.replaceChildren();
      body.classList.toggle("single", m.streams.length === 1);
      for (const info of m.streams) {
        const last = info.cuts.length ? info.cuts[info.cuts.length - 1] : null;
        const lastT = info.transitions.length ? info.transitions[info.transitions.length - 1] : null;
        const walls = [last, lastT].filter(Boolean).map(function (e) { return e.wall; });
        const s = { cuts: info.cuts_total, scene: info.scenes, status: info.status, done: info.end !== null,
                    lastWall: walls.length ? Math.max.apply(null, walls) : null, el: row(info) };
        if (m.streams.length === 1) s.el.querySelector(".name").hidden = true;
        streams.set(info.id, s);
        box.append(s.el);
        render(s);
      }
      tick();
      return;
    }
    const s = streams.get(m.stream);
    if (!s) return;
    if ((m.type === "cut" || m.type === "transition") && s.status === "starting") s.status = "running";
    if (m.type === "cut") {
      s.cuts += 1;
      s.scene = m.scene;
      s.lastWall = m.wall;
      body.dataset.lastCut = m.stream + ":" + m.frame;
      render(s);
      doFlash(s, false);
    } else if (m.type === "transition") {
      s.scene = m.scene; // a new scene, or the one its cut started (the transition holds that cut)
      s.lastWall = m.wall;
      body.dataset.lastTransition = m.stream + ":" + m.start + "-" + m.end;
      render(s);
      doFlash(s, true);
    } else if (m.type === "source") {
      s.status = m.status;
      render(s);
    } else if (m.type === "end") {
      s.status = m.reason === "failed" ? "failed" : "ended";
      s.done = true;
      s.cuts = Math.max(s.cuts, m.cuts);
      s.scene = Math.max(m.scenes, 1);
      render(s);
    }
    tick();
  }

  function onState(state) {
    body.dataset.connection = state;
    status.textContent = state === "open" ? "" : state === "connecting" ? "connecting\u2026" : "reconnecting\u2026";
  }

  R.connect(onMessage, onState);
  setInterval(tick, 100);
})();
