/* Dashboard: per stream the score chart of the whole run (log scale, a time axis, the threshold and the
   maximum labelled, each cut a line with its score as a dot, fades, dissolves and wipes as shaded
   spans), the numbers from the latest stats, and the cuts with thumbnails, newest first.
   The trace is the server's (hello's trace: the whole run in at most TRACE_POINTS points, each the
   highest score of its frames), continued with the scores of every stats message the same way; the
   caption under the chart says what it shows. The scene count is the server's too (hello's scenes,
   cut.scene, transition.scene, end.scenes): the scene lists' count, in which a transition that holds a
   cut already sent replaces it. Each cut card says which threshold it passed, and why when its score
   lies below the threshold (unrelated pictures) or it was decided in the warm-up (the prior threshold).
   DOM state for scripts and tests: body[data-cuts] (all streams), and per stream
   section.stream[data-stream][data-cuts][data-scenes][data-transitions][data-status][data-done][data-frames]
   with one li.cut[data-frame][data-decided-by] per cut shown (the latest MAX_LISTED). data-done="true"
   once the stream's end message has arrived: its counts are final. body[data-ended="true"] once every
   stream has. The chart (log scale) says what it drew: canvas[data-points][data-first][data-gaps]
   [data-labels][data-max][data-x1][data-ticks], and canvas[data-spans] ("start-end" of each shaded
   transition). */
"use strict";

(function () {
  const R = window.Reprocut;
  const MAX_LISTED = 200;
  const TRACE_POINTS = 1024; // as the server's default (HubConfig.trace_points)
  const body = document.body;
  const main = document.getElementById("streams");
  const template = document.getElementById("stream-template");
  const NOTES = {
    prior: ["warm-up: prior threshold", "decided during the warm-up with the prior threshold, before k-means had calibrated one"],
    unrelated: ["unrelated pictures", "below the threshold: two unrelated pictures, each continuing its own shot, are a cut whatever the threshold"],
    threshold: ["", "its score passed the threshold in force when it was decided (re-fitted every 2 s)"],
  };
  let streams = new Map();
  let dirty = false;
  let connection = "connecting";

  function fmt(v, digits) { return v === null || v === undefined || !isFinite(v) ? "\u2013" : v.toFixed(digits); }
  function num(v) { return fmt(v, v !== null && v !== undefined && Math.abs(v) < 10 ? 2 : 1); }
  function higher(a, b) { return a === null ? b : b === null ? a : Math.max(a, b); }

  /* h:mm:ss or m:ss, for the time axis */
  function hms(seconds) {
    const t = Math.round(seconds), h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    const pad = function (v) { return (v < 10 ? "0" : "") + v; };
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  /* The whole run's scores, as the server keeps them (history.py, ScoreTrace). */
  function newTrace(t, last) {
    return { step: t ? t.step : 1, scores: t ? t.scores.slice() : [], scored: t ? t.scored : 0, last: last };
  }

  function traceAdd(tr, lastFrame, scores) {
    const first = lastFrame + 1 - scores.length;
    scores.forEach(function (v, k) {
      const f = first + k;
      if (f <= tr.last || v === null) return;
      tr.last = f;
      tr.scored += 1;
      while (Math.floor(f / tr.step) >= TRACE_POINTS) {
        const pairs = tr.scores.length % 2 ? tr.scores.concat([null]) : tr.scores;
        tr.scores = [];
        for (let i = 0; i < pairs.length; i += 2) tr.scores.push(higher(pairs[i], pairs[i + 1]));
        tr.step *= 2;
      }
      const i = Math.floor(f / tr.step);
      while (tr.scores.length <= i) tr.scores.push(null);
      tr.scores[i] = higher(tr.scores[i], v);
    });
  }

  function addStream(info) {
    const el = template.content.firstElementChild.cloneNode(true);
    el.dataset.stream = info.id;
    el.querySelector(".id").textContent = info.id;
    el.querySelector(".source").textContent = info.source;
    const s = { info: info, el: el, cuts: [], cutsTotal: info.cuts_total, scenes: info.scenes, status: info.status, stats: null,
                done: info.end !== null, threshold: null, frames: 0, transitions: [],
                trace: newTrace(info.trace, info.stats ? info.stats.scores_last_frame : -1) };
    streams.set(info.id, s);
    main.append(el);
    for (const cut of info.cuts) addCut(s, cut, false);
    for (const t of info.transitions || []) addTransition(s, t);
    s.cutsTotal = info.cuts_total;
    s.scenes = info.scenes;
    if (info.stats) showStats(s, info.stats);
    if (info.end) s.frames = Math.max(s.frames, info.end.frames);
    render(s);
    return s;
  }

  function addCut(s, cut, fresh) {
    s.cuts.push(cut);
    if (s.cuts.length > 5000) s.cuts.shift();
    s.cutsTotal += 1;
    if (cut.scene !== undefined) s.scenes = cut.scene;
    if (!s.stats && cut.threshold !== null) s.threshold = cut.threshold; // until stats say what it is now
    s.frames = Math.max(s.frames, cut.frame + 1);
    const why = NOTES[cut.decided_by] || NOTES.threshold;
    const li = R.el("li", "cut" + (fresh ? " new" : ""));
    li.dataset.frame = String(cut.frame);
    li.dataset.decidedBy = cut.decided_by || "";
    li.title = why[1];
    if (cut.thumbnail) {
      const img = R.el("img");
      img.alt = "frame " + cut.frame;
      img.loading = "lazy";
      img.src = R.url(cut.thumbnail);
      img.onerror = function () { img.style.visibility = "hidden"; }; // evicted on the server
      li.append(img);
    }
    const passed = cut.threshold === null || cut.score >= cut.threshold;
    li.append(R.el("div", "frame", "#" + cut.frame), R.el("div", "when", R.clock(cut.time)),
              R.el("div", "score", "score " + num(cut.score) + (passed ? " \u2265 " : " < ") + num(cut.threshold)));
    if (why[0]) li.append(R.el("div", "note", why[0]));
    const list = s.el.querySelector(".cuts");
    list.prepend(li);
    while (list.children.length > MAX_LISTED) list.lastElementChild.remove();
  }

  function addTransition(s, t) {
    s.transitions.push(t);
    if (s.transitions.length > 5000) s.transitions.shift();
    if (t.scene !== undefined) s.scenes = t.scene;
    s.frames = Math.max(s.frames, t.end + 1);
  }

  function showStats(s, st) {
    s.stats = st;
    s.frames = Math.max(s.frames, st.frames);
    if (st.threshold !== null) s.threshold = st.threshold;
  }

  function render(s) {
    const q = function (sel) { return s.el.querySelector(sel); };
    s.el.dataset.cuts = String(s.cutsTotal);
    s.el.dataset.scenes = String(s.scenes);
    s.el.dataset.transitions = String(s.transitions.length);
    s.el.dataset.status = s.status;
    s.el.dataset.done = String(s.done);
    s.el.dataset.frames = String(s.frames);
    q(".state").textContent = s.status;
    q(".count").textContent = String(s.cutsTotal);
    q(".transitions").textContent = String(s.transitions.length);
    q(".scene").textContent = String(s.scenes);
    q(".frames").textContent = String(s.frames);
    q(".format").textContent = (s.info.width ? s.info.width + "\u00d7" + s.info.height + " " : "") +
      Number(s.info.fps.toFixed(2)) + " fps" + (s.info.live ? " live" : "");
    q(".threshold").textContent = fmt(s.threshold, 2);
    if (s.stats) {
      q(".fps").textContent = fmt(s.stats.fps, 0);
      q(".latency").textContent = fmt(s.stats.latency_ms_p50, 0) + " / " + fmt(s.stats.latency_ms_p99, 0) + " ms";
      q(".dropped").textContent = String(s.stats.dropped);
    }
    q(".caption").textContent = caption(s);
    let total = 0;
    streams.forEach(function (v) { total += v.cutsTotal; });
    body.dataset.cuts = String(total);
    showConnection();
    dirty = true;
  }

  /* What the chart shows, in words: which frames, how many per point, and how many scores arrived. */
  function caption(s) {
    const fps = s.info.fps || 25, tr = s.trace;
    let text = (s.done ? "whole run" : "run so far") + ": frames 0\u2013" + s.frames + " (0:00\u2013" + hms(s.frames / fps) + ")";
    text += tr.step > 1 ? ", each point the highest score of " + tr.step + " frames" : ", one point per frame";
    if (s.frames && tr.scored < 0.95 * s.frames) {
      text += "; scores of " + tr.scored + " of " + s.frames + " frames arrived (the stats messages carry them: at most " +
        "60 a second, none after the last; every cut's score is drawn)";
    }
    return text;
  }

  /* "live" only while a stream is running; once every stream has ended the page says so. */
  function showConnection() {
    let ended = streams.size > 0;
    streams.forEach(function (v) { ended = ended && v.done; });
    body.dataset.connection = connection;
    body.dataset.ended = String(ended);
    const el = document.getElementById("connection");
    el.textContent = connection === "open" ? (ended ? "ended" : "live") :
      connection === "connecting" ? "connecting\u2026" : "reconnecting\u2026";
    el.title = connection === "open" && ended ? "every stream has ended; the server keeps its final state" : "";
  }

  /* Seconds between time-axis ticks: at most about eight over the run. */
  function tickStep(seconds) {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
    for (const step of steps) if (seconds / step <= 8) return step;
    return Math.ceil(seconds / 8 / 3600) * 3600;
  }

  function draw(s) {
    const canvas = s.el.querySelector(".chart");
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.round(canvas.clientWidth * ratio)), h = Math.max(120, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const color = function (name, fallback) { return css.getPropertyValue(name).trim() || fallback; };
    const tr = s.trace, fps = s.info.fps || 25;
    const x1 = Math.max(s.frames, 1); // the whole run: frames 0 to x1
    const points = []; // [frame, score] of each trace point (its bucket's middle), null where a bucket has none
    for (let i = 0; i < tr.scores.length; i++) {
      points.push(tr.scores[i] === null ? null : [Math.min(i * tr.step + (tr.step - 1) / 2, x1), tr.scores[i]]);
    }
    let max = null, maxAt = 0;
    for (const p of points) if (p && (max === null || p[1] > max)) { max = p[1]; maxAt = Math.round(p[0]); }
    for (const c of s.cuts) if (max === null || c.score > max) { max = c.score; maxAt = c.frame; }
    // log scale: these scores run from ~1 (a still shot) to 1,000+ (a hard cut)
    const top = Math.max(10, (max || 0) * 2, (s.threshold || 0) * 3);
    const left = 36 * ratio, pad = 8 * ratio, bottom = 20 * ratio, lo = Math.log10(0.5), hi = Math.log10(top);
    const X = function (f) { return left + f / x1 * (w - left - pad); };
    const Y = function (v) { return h - bottom - (Math.log10(Math.max(v, 0.5)) - lo) / (hi - lo) * (h - pad - bottom); };
    const labels = [], ticks = [];
    g.font = (11 * ratio) + "px system-ui, sans-serif";
    g.textBaseline = "middle";
    // grid and axis labels at powers of ten
    g.strokeStyle = color("--line", "#2c313a");
    g.fillStyle = color("--dim", "#9aa3ad");
    g.lineWidth = 1;
    for (let v = 1; v <= top; v *= 10) {
      g.beginPath(); g.moveTo(left, Y(v)); g.lineTo(w - pad, Y(v)); g.stroke();
      const text = v >= 1000 ? v / 1000 + "k" : String(v);
      g.fillText(text, 4 * ratio, Y(v));
      labels.push(text);
    }
    // time axis: m:ss at round intervals (frame / fps)
    const step = tickStep(x1 / fps);
    g.textAlign = "center";
    for (let t = 0; t * fps <= x1; t += step) {
      const x = X(t * fps), text = hms(t);
      g.beginPath(); g.moveTo(x, h - bottom); g.lineTo(x, h - bottom + 4 * ratio); g.stroke();
      g.fillText(text, Math.min(Math.max(x, left + 12 * ratio), w - pad - 12 * ratio), h - bottom / 2 + 2 * ratio);
      ticks.push(text);
    }
    g.textAlign = "left";
    // transitions: shaded from their first frame to the end of their last
    g.fillStyle = color("--transition", "rgba(190, 140, 255, 0.22)");
    const spans = [];
    for (const t of s.transitions) {
      const a = X(t.start), b = X(t.end + 1);
      g.fillRect(a, pad, Math.max(b - a, ratio), h - pad - bottom);
      spans.push(t.start + "-" + t.end);
    }
    // cuts: a line at each, and a dot at its score
    g.strokeStyle = g.fillStyle = color("--cut", "#ffb020");
    g.lineWidth = 1.5 * ratio;
    for (const c of s.cuts) {
      g.beginPath(); g.moveTo(X(c.frame), pad); g.lineTo(X(c.frame), h - bottom); g.stroke();
      g.beginPath(); g.arc(X(c.frame), Y(c.score), 2.5 * ratio, 0, 2 * Math.PI); g.fill();
    }
    // scores, broken where no score arrived
    g.strokeStyle = color("--score", "#5fb3ff");
    g.lineWidth = 1.25 * ratio;
    g.beginPath();
    let drawn = 0, gaps = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (!p) continue;
      if (drawn === 0) g.moveTo(X(p[0]), Y(p[1]));
      else if (!points[i - 1]) { g.moveTo(X(p[0]), Y(p[1])); gaps++; }
      else g.lineTo(X(p[0]), Y(p[1]));
      drawn++;
    }
    g.stroke();
    // threshold now, labelled
    if (s.threshold) {
      g.strokeStyle = g.fillStyle = color("--threshold", "#ff5f56");
      g.setLineDash([6 * ratio, 4 * ratio]);
      g.beginPath(); g.moveTo(left, Y(s.threshold)); g.lineTo(w - pad, Y(s.threshold)); g.stroke();
      g.setLineDash([]);
      const text = "threshold " + s.threshold.toFixed(2);
      g.textAlign = "right";
      g.fillText(text, w - pad - 4 * ratio, Y(s.threshold) - 8 * ratio);
      g.textAlign = "left";
      labels.push(text);
    }
    // the maximum, of the trace and the cuts' scores, labelled at its frame
    if (max !== null) {
      const x = X(maxAt), y = Y(max), text = "max " + num(max) + " (#" + maxAt + ")";
      g.fillStyle = color("--text", "#e6e8eb");
      g.beginPath(); g.arc(x, y, 3 * ratio, 0, 2 * Math.PI); g.fill();
      const tw = g.measureText(text).width;
      g.fillText(text, x + 6 * ratio + tw > w - pad ? x - 6 * ratio - tw : x + 6 * ratio, Math.max(y, pad + 6 * ratio));
      labels.push(text);
    }
    const firstPoint = points.find(function (p) { return p; });
    canvas.dataset.points = String(drawn);
    canvas.dataset.first = firstPoint ? String(Math.round(firstPoint[0])) : "";
    canvas.dataset.gaps = String(gaps);
    canvas.dataset.labels = labels.join("|");
    canvas.dataset.max = max === null ? "" : String(max);
    canvas.dataset.x1 = String(x1);
    canvas.dataset.ticks = ticks.join("|");
    canvas.dataset.spans = spans.join(" ");
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
      main.dataset.count = String(m.streams.length);
      showConnection();
      return;
    }
    const s = streams.get(m.stream);
    if (!s) return;
    if (s.status === "starting" && (m.type === "cut" || m.type === "transition" || m.type === "stats")) s.status = "running";
    if (m.type === "cut") addCut(s, m, true);
    else if (m.type === "transition") addTransition(s, m);
    else if (m.type === "stats") { traceAdd(s.trace, m.scores_last_frame, m.scores); showStats(s, m); }
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
      s.scenes = m.scenes;
    }
    render(s);
  }

  function onState(state) {
    connection = state;
    showConnection();
  }

  document.getElementById("overlay-link").href = R.url("overlay");
  window.addEventListener("resize", function () { dirty = true; });
  R.connect(onMessage, onState);
  requestAnimationFrame(frame);
})();
