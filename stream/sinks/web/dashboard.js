/* Dashboard: per stream a live score chart with the threshold line, the numbers from the
   latest stats, and the cuts with thumbnails, newest first.
   DOM state for scripts and tests: body[data-cuts] (all streams), and per stream
   section.stream[data-stream][data-cuts][data-status][data-done][data-frames] with one
   li.cut[data-frame] per cut shown (the latest MAX_LISTED). data-done="true" once the stream's
   end message has arrived: its counts are final. */
"use strict";

(function () {
  const R = window.Reprocut;
  const MAX_LISTED = 200;
  const LOOKAHEAD = 2; // scorer.py: max(after, flash_frames)
  const body = document.body;
  const main = document.getElementById("streams");
  const template = document.getElementById("stream-template");
  let streams = new Map();
  let dirty = false;

  function fmt(v, digits) { return v === null || v === undefined || !isFinite(v) ? "\u2013" : v.toFixed(digits); }

  function addStream(info) {
    const el = template.content.firstElementChild.cloneNode(true);
    el.dataset.stream = info.id;
    el.querySelector(".id").textContent = info.id;
    el.querySelector(".source").textContent = info.source;
    const s = { info: info, el: el, cuts: [], cutsTotal: info.cuts_total, status: info.status, stats: null, done: info.end !== null,
                xs: [], ys: [], threshold: null, frames: 0 };
    streams.set(info.id, s);
    main.append(el);
    for (const cut of info.cuts) addCut(s, cut, false);
    s.cutsTotal = info.cuts_total;
    if (info.stats) addStats(s, info.stats);
    if (info.end) s.frames = Math.max(s.frames, info.end.frames);
    render(s);
    return s;
  }

  function addCut(s, cut, fresh) {
    s.cuts.push(cut);
    if (s.cuts.length > 2000) s.cuts.shift();
    s.cutsTotal += 1;
    if (cut.threshold !== null) s.threshold = cut.threshold;
    const li = R.el("li", "cut" + (fresh ? " new" : ""));
    li.dataset.frame = String(cut.frame);
    if (cut.thumbnail) {
      const img = R.el("img");
      img.alt = "frame " + cut.frame;
      img.loading = "lazy";
      img.src = R.url(cut.thumbnail);
      img.onerror = function () { img.style.visibility = "hidden"; }; // evicted on the server
      li.append(img);
    }
    li.append(R.el("div", "frame", "#" + cut.frame), R.el("div", "when", R.clock(cut.time)),
              R.el("div", "score", "score " + fmt(cut.score, 1) + " / " + fmt(cut.threshold, 1)));
    const list = s.el.querySelector(".cuts");
    list.prepend(li);
    while (list.children.length > MAX_LISTED) list.lastElementChild.remove();
  }

  function addStats(s, st) {
    s.stats = st;
    s.frames = Math.max(s.frames, st.frames);
    if (st.threshold !== null) s.threshold = st.threshold;
    // The last score belongs to frame frames - 1 - LOOKAHEAD (the scorer decides a frame once two
    // more have arrived); counting frames equals indexing them as long as none were dropped.
    const base = st.frames - LOOKAHEAD - st.scores.length;
    const last = s.xs.length ? s.xs[s.xs.length - 1] : -1;
    st.scores.forEach(function (v, i) {
      if (base + i > last && v !== null) { s.xs.push(base + i); s.ys.push(v); }
    });
    const keep = windowFrames(s);
    let drop = 0;
    while (drop < s.xs.length && s.xs[drop] < s.frames - keep) drop++;
    if (drop) { s.xs.splice(0, drop); s.ys.splice(0, drop); }
  }

  function windowFrames(s) { return Math.max(300, Math.round(20 * (s.info.fps || 25))); }

  function render(s) {
    const q = function (sel) { return s.el.querySelector(sel); };
    s.el.dataset.cuts = String(s.cutsTotal);
    s.el.dataset.status = s.status;
    s.el.dataset.done = String(s.done);
    s.el.dataset.frames = String(s.frames);
    q(".state").textContent = s.status;
    q(".count").textContent = String(s.cutsTotal);
    q(".scene").textContent = String(s.cutsTotal + 1);
    q(".frames").textContent = String(s.frames);
    q(".format").textContent = (s.info.width ? s.info.width + "\u00d7" + s.info.height + " " : "") +
      Number(s.info.fps.toFixed(2)) + " fps" + (s.info.live ? " live" : "");
    q(".threshold").textContent = fmt(s.threshold, 2);
    if (s.stats) {
      q(".fps").textContent = fmt(s.stats.fps, 0);
      q(".latency").textContent = fmt(s.stats.latency_ms_p50, 0) + " / " + fmt(s.stats.latency_ms_p99, 0) + " ms";
      q(".dropped").textContent = String(s.stats.dropped);
    }
    let total = 0;
    streams.forEach(function (v) { total += v.cutsTotal; });
    body.dataset.cuts = String(total);
    dirty = true;
  }

  function draw(s) {
    const canvas = s.el.querySelector(".chart");
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.round(canvas.clientWidth * ratio)), h = Math.round(180 * ratio);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, w, h);
    const span = windowFrames(s);
    const x1 = Math.max(s.frames, span), x0 = x1 - span;
    let top = 10;
    for (const v of s.ys) top = Math.max(top, v * 1.2);
    if (s.threshold) top = Math.max(top, s.threshold * 3);
    const lo = Math.log(0.5), hi = Math.log(top);
    const X = function (f) { return (f - x0) / span * w; };
    const Y = function (v) { return h - (Math.log(Math.max(v, 0.5)) - lo) / (hi - lo) * (h - 8 * ratio) - 4 * ratio; };
    const css = getComputedStyle(document.documentElement);
    // cut markers
    g.strokeStyle = css.getPropertyValue("--cut").trim() || "#ffb020";
    g.lineWidth = 1.5 * ratio;
    for (const c of s.cuts) {
      if (c.frame < x0) continue;
      g.beginPath(); g.moveTo(X(c.frame), 0); g.lineTo(X(c.frame), h); g.stroke();
    }
    // scores, broken where frames are missing
    g.strokeStyle = css.getPropertyValue("--score").trim() || "#5fb3ff";
    g.lineWidth = 1.25 * ratio;
    g.beginPath();
    for (let i = 0; i < s.xs.length; i++) {
      if (s.xs[i] < x0) continue;
      if (i === 0 || s.xs[i] - s.xs[i - 1] > 1) g.moveTo(X(s.xs[i]), Y(s.ys[i]));
      else g.lineTo(X(s.xs[i]), Y(s.ys[i]));
    }
    g.stroke();
    // threshold
    if (s.threshold) {
      g.strokeStyle = css.getPropertyValue("--threshold").trim() || "#ff5f56";
      g.setLineDash([6 * ratio, 4 * ratio]);
      g.beginPath(); g.moveTo(0, Y(s.threshold)); g.lineTo(w, Y(s.threshold)); g.stroke();
      g.setLineDash([]);
      g.fillStyle = g.strokeStyle;
      g.font = (11 * ratio) + "px system-ui, sans-serif";
      g.fillText("threshold " + s.threshold.toFixed(2), 6 * ratio, Y(s.threshold) - 4 * ratio);
    }
  }

  function frame() {
    if (dirty) { dirty = false; streams.forEach(draw); }
    requestAnimationFrame(frame);
  }

  function onMessage(m) {
    if (m.type === "hello") {
      R.noteHello(m);
      streams = new Map();
      main.replaceChildren();
      document.getElementById("model").textContent = "model " + m.model + " \u00b7 v" + m.version;
      for (const info of m.streams) addStream(info);
      return;
    }
    const s = streams.get(m.stream);
    if (!s) return;
    if (m.type === "cut") addCut(s, m, true);
    else if (m.type === "stats") addStats(s, m);
    else if (m.type === "source") {
      s.status = m.status;
      s.el.querySelector(".state").title = m.detail;
      if (m.status === "connected") Object.assign(s.info, { fps: m.fps, width: m.width, height: m.height });
    }
    else if (m.type === "end") {
      s.status = m.reason === "failed" ? "failed" : "ended";
      s.done = true;
      s.frames = Math.max(s.frames, m.frames);
      s.cutsTotal = Math.max(s.cutsTotal, m.cuts);
    }
    render(s);
  }

  function onState(state) {
    body.dataset.connection = state;
    document.getElementById("connection").textContent = state === "open" ? "live" : state === "connecting" ? "connecting\u2026" : "reconnecting\u2026";
  }

  document.getElementById("overlay-link").href = R.url("overlay");
  window.addEventListener("resize", function () { dirty = true; });
  R.connect(onMessage, onState);
  requestAnimationFrame(frame);
})();
