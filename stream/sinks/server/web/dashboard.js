/* Dashboard: per stream a live score chart with the threshold line and the gradual transitions
   (fades, dissolves, wipes) as shaded spans, the numbers from the latest stats, and the cuts with
   thumbnails, newest first.
   DOM state for scripts and tests: body[data-cuts] (all streams), and per stream
   section.stream[data-stream][data-cuts][data-transitions][data-status][data-done][data-frames] with one
   li.cut[data-frame] per cut shown (the latest MAX_LISTED). data-done="true" once the stream's
   end message has arrived: its counts are final. body[data-ended="true"] once every stream has.
   The chart (log scale) says what it drew: canvas[data-points][data-gaps][data-labels], and
   canvas[data-spans] ("start-end" of each shaded transition, space-separated). */
"use strict";

(function () {
  const R = window.Reprocut;
  const MAX_LISTED = 200;
  const body = document.body;
  const main = document.getElementById("streams");
  const template = document.getElementById("stream-template");
  let streams = new Map();
  let dirty = false;
  let connection = "connecting";

  function fmt(v, digits) { return v === null || v === undefined || !isFinite(v) ? "\u2013" : v.toFixed(digits); }

  function addStream(info) {
    const el = template.content.firstElementChild.cloneNode(true);
    el.dataset.stream = info.id;
    el.querySelector(".id").textContent = info.id;
    el.querySelector(".source").textContent = info.source;
    const s = { info: info, el: el, cuts: [], cutsTotal: info.cuts_total, status: info.status, stats: null, done: info.end !== null,
                xs: [], ys: [], threshold: null, frames: 0, transitions: [] };
    streams.set(info.id, s);
    main.append(el);
    for (const cut of info.cuts) addCut(s, cut, false);
    for (const t of info.transitions || []) addTransition(s, t);
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

  function addTransition(s, t) {
    s.transitions.push(t);
    if (s.transitions.length > 2000) s.transitions.shift();
    s.frames = Math.max(s.frames, t.end + 1);
  }

  function addStats(s, st) {
    s.stats = st;
    s.frames = Math.max(s.frames, st.frames);
    if (st.threshold !== null) s.threshold = st.threshold;
    // The server says which frame the last score belongs to (-1 while none is scored, with no scores).
    const last = st.scores_last_frame;
    const base = last + 1 - st.scores.length;
    const drawn = s.xs.length ? s.xs[s.xs.length - 1] : -1;
    st.scores.forEach(function (v, i) {
      if (base + i > drawn && v !== null) { s.xs.push(base + i); s.ys.push(v); }
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
    s.el.dataset.transitions = String(s.transitions.length);
    s.el.dataset.status = s.status;
    s.el.dataset.done = String(s.done);
    s.el.dataset.frames = String(s.frames);
    q(".state").textContent = s.status;
    q(".count").textContent = String(s.cutsTotal);
    q(".transitions").textContent = String(s.transitions.length);
    q(".scene").textContent = String(s.cutsTotal + s.transitions.length + 1);
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
    showConnection();
    dirty = true;
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

  function draw(s) {
    const canvas = s.el.querySelector(".chart");
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.round(canvas.clientWidth * ratio)), h = Math.max(120, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const color = function (name, fallback) { return css.getPropertyValue(name).trim() || fallback; };
    // a running stream scrolls through a fixed window; an ended one is shown whole (up to that window)
    const span = s.done ? Math.max(10, Math.min(s.frames, windowFrames(s))) : windowFrames(s);
    const x1 = Math.max(s.frames, span), x0 = x1 - span;
    let max = null, maxAt = 0;
    for (let i = 0; i < s.xs.length; i++) {
      if (s.xs[i] >= x0 && (max === null || s.ys[i] > max)) { max = s.ys[i]; maxAt = s.xs[i]; }
    }
    // log scale: these scores run from ~1 (a still shot) to 1,000+ (a hard cut)
    const top = Math.max(10, (max || 0) * 2, (s.threshold || 0) * 3);
    const left = 36 * ratio, pad = 8 * ratio, lo = Math.log10(0.5), hi = Math.log10(top);
    const X = function (f) { return left + (f - x0) / span * (w - left - pad); };
    const Y = function (v) { return h - pad - (Math.log10(Math.max(v, 0.5)) - lo) / (hi - lo) * (h - 2 * pad); };
    const labels = [];
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
    // transitions: shaded from their first frame to the end of their last
    g.fillStyle = color("--transition", "rgba(190, 140, 255, 0.22)");
    const spans = [];
    for (const t of s.transitions) {
      if (t.end + 1 < x0) continue;
      const a = X(Math.max(t.start, x0)), b = X(t.end + 1);
      g.fillRect(a, pad, Math.max(b - a, ratio), h - 2 * pad);
      spans.push(t.start + "-" + t.end);
    }
    // cut markers
    g.strokeStyle = color("--cut", "#ffb020");
    g.lineWidth = 1.5 * ratio;
    for (const c of s.cuts) {
      if (c.frame < x0) continue;
      g.beginPath(); g.moveTo(X(c.frame), pad); g.lineTo(X(c.frame), h - pad); g.stroke();
    }
    // scores, broken where frames are missing
    g.strokeStyle = color("--score", "#5fb3ff");
    g.lineWidth = 1.25 * ratio;
    g.beginPath();
    let points = 0, gaps = 0;
    for (let i = 0; i < s.xs.length; i++) {
      if (s.xs[i] < x0) continue;
      if (points === 0) g.moveTo(X(s.xs[i]), Y(s.ys[i]));
      else if (s.xs[i] - s.xs[i - 1] > 1) { g.moveTo(X(s.xs[i]), Y(s.ys[i])); gaps++; }
      else g.lineTo(X(s.xs[i]), Y(s.ys[i]));
      points++;
    }
    g.stroke();
    // threshold, labelled
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
    // the maximum in view, labelled at its frame
    if (max !== null) {
      const x = X(maxAt), y = Y(max), text = "max " + fmt(max, max < 10 ? 2 : 1) + " (#" + maxAt + ")";
      g.fillStyle = color("--text", "#e6e8eb");
      g.beginPath(); g.arc(x, y, 3 * ratio, 0, 2 * Math.PI); g.fill();
      const tw = g.measureText(text).width;
      g.fillText(text, x + 6 * ratio + tw > w - pad ? x - 6 * ratio - tw : x + 6 * ratio, Math.max(y, pad + 6 * ratio));
      labels.push(text);
    }
    canvas.dataset.points = String(points);
    canvas.dataset.gaps = String(gaps);
    canvas.dataset.labels = labels.join("|");
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
    if (m.type === "cut") addCut(s, m, true);
    else if (m.type === "transition") addTransition(s, m);
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
    connection = state;
    showConnection();
  }

  document.getElementById("overlay-link").href = R.url("overlay");
  window.addEventListener("resize", function () { dirty = true; });
  R.connect(onMessage, onState);
  requestAnimationFrame(frame);
})();
