// The Animate player: every frame lives here, so stepping never waits for the server.
//
// Three modes share one chart:
// - "run": frames of kmeans_core's real run (built in Python, dashboard/animation_figures.py);
//   one current frame (S.cur) drives the caption, the chart, the slider and the inertia marker.
// - "manual": a teaching view computed here, in the 2-D view, for the drawn points:
//   "Reassign points" / "Update centroids" alternate; click to add a centroid, drag to
//   move it, click it to remove it.
// - "draw": click or drag on an empty chart to add points; "Cluster these points" sends
//   them to Python, which makes them the dataset.
// Talks to Streamlit with the components v1 messages (componentReady, render,
// setComponentValue, setFrameHeight).
"use strict";

const $ = (id) => document.getElementById(id);
const S = {
  args: null, data: null, runId: null, cur: 0, playing: false, timer: null, mode: "run",
  manual: { centers: [], labels: null, next: "assign", history: [], undo: [], caption: "" },
  drawn: [], strokes: [], nonce: 0, sizes: null,
};
const CONFIG = { displayModeBar: false, responsive: false, doubleClick: false, scrollZoom: false };
const DRAW_RANGE = [0, 10];

// ---------------------------------------------------------------- Streamlit messages
function send(type, extra) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
}
function setValue(value) {
  S.nonce += 1;
  send("streamlit:setComponentValue", { value: Object.assign({ nonce: Date.now() + "-" + S.nonce }, value), dataType: "json" });
}
function setHeight() {
  // The app's own bottom: the document's scrollHeight never shrinks below the frame.
  send("streamlit:setFrameHeight", { height: Math.ceil($("app").getBoundingClientRect().bottom) + 4 });
}

// ---------------------------------------------------------------- sizes
function computeSizes() {
  const width = Math.max(280, document.documentElement.clientWidth - 4);
  const narrow = width < 700;
  const present = !!(S.args && S.args.present);
  let chartH;
  if (present && !narrow) {
    let top = 0, vh = 720;
    try {
      const fe = window.frameElement;
      top = fe.getBoundingClientRect().top + window.parent.scrollY;
      vh = window.parent.innerHeight;
    } catch (e) { /* not same-origin: keep 720 */ }
    const chrome = $("head").offsetHeight + $("controls").offsetHeight + 24;
    chartH = Math.max(340, vh - top - chrome);
  } else if (narrow) {
    chartH = Math.round(Math.min(width * 1.0, 460));
  } else {
    chartH = Math.round(Math.max(420, Math.min(620, width * 0.46)));
  }
  const scatterW = narrow ? width : Math.round(width * 0.68);
  const inertiaW = narrow ? width : width - scatterW - 8;
  const inertiaH = narrow ? 240 : chartH;
  document.body.classList.toggle("narrow", narrow);
  document.body.classList.toggle("present", present);
  return { width, narrow, scatterW, scatterH: chartH, inertiaW, inertiaH };
}

// ---------------------------------------------------------------- figure helpers
function merge(base, extra) {
  const out = Object.assign({}, base);
  for (const [key, value] of Object.entries(extra)) {
    const nested = value && typeof value === "object" && !Array.isArray(value);
    out[key] = nested ? merge(base[key] || {}, value) : value;
  }
  return out;
}
function withUpdates(fig, updates) {
  return fig.data.map((t) => (updates[t.name] ? merge(t, updates[t.name]) : t));
}
function sized(layout, w, h, extra) {
  return Object.assign({}, layout, { width: w, height: h, autosize: false }, extra || {});
}
// Widen the x or y range about its middle so that, at equal scales, the data fill the
// plot area (about w - 80 by h - 70 pixels once the axes have their margins).
function fitted(layout, w, h) {
  if (!layout.yaxis.scaleanchor) return layout;
  const [x0, x1] = layout.xaxis.range, [y0, y1] = layout.yaxis.range;
  const want = Math.max(0.3, (w - 80) / Math.max(1, h - 70));
  const wx = x1 - x0, wy = y1 - y0;
  let xr = [x0, x1], yr = [y0, y1];
  if (wx / wy < want) { const m = (x0 + x1) / 2, half = (wy * want) / 2; xr = [m - half, m + half]; }
  else { const m = (y0 + y1) / 2, half = wx / want / 2; yr = [m - half, m + half]; }
  return Object.assign({}, layout, {
    xaxis: Object.assign({}, layout.xaxis, { range: xr }),
    yaxis: Object.assign({}, layout.yaxis, { range: yr }),
  });
}
function scatterLayout(extra, base) {
  const z = S.sizes;
  return sized(fitted(base || S.data.scatter.layout, z.scatterW, z.scatterH), z.scatterW, z.scatterH, extra);
}
// Title and caption first: in the presenter view the chart gets the height they leave.
function setWords(title, caption) {
  $("title").textContent = title;
  $("caption").textContent = caption;
  if (S.args && S.args.present && S.sizes) S.sizes = computeSizes();
}
function color(c) { return S.data.palette[c % S.data.palette.length]; }
function rgba(hex, a) {
  const h = hex.replace("#", "");
  return `rgba(${parseInt(h.slice(0, 2), 16)},${parseInt(h.slice(2, 4), 16)},${parseInt(h.slice(4, 6), 16)},${a})`;
}

// ---------------------------------------------------------------- run mode
function nFrames() { return S.data ? S.data.frames.length : 0; }

function showFrame(i) {
  const n = nFrames();
  if (!n) return;
  S.cur = Math.max(0, Math.min(n - 1, i | 0));
  const f = S.data.frames[S.cur];
  setWords(f.title, f.caption);
  const z = S.sizes;
  Plotly.react("scatter", withUpdates(S.data.scatter, f.traces),
    scatterLayout({ annotations: f.annotations }), CONFIG);
  Plotly.react("inertia", withUpdates(S.data.inertia, f.traces),
    sized(S.data.inertia.layout, z.inertiaW, z.inertiaH), CONFIG);
  $("slider").max = String(n - 1);
  $("slider").value = String(S.cur);
  $("counter").textContent = `${S.cur} / ${n - 1}`;
  $("counter").title = `frame ${S.cur} of ${n - 1}`;
  $("first").disabled = $("back").disabled = S.cur === 0;
  $("forward").disabled = $("last").disabled = S.cur === n - 1;
  if (S.args.link) $("link").href = S.args.link + (S.args.link.includes("?") ? "&" : "?") + "step=" + S.cur;
  document.body.dataset.frame = String(S.cur);
}

function setPlaying(on) {
  S.playing = on;
  clearTimeout(S.timer);
  $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
  $("play").setAttribute("aria-label", on ? "Pause" : "Play");
  if (on) tick(true);
}
function tick(first) {
  if (!S.playing) return;
  if (!first) {
    if (S.cur >= nFrames() - 1) { setPlaying(false); return; }
    showFrame(S.cur + 1);
  } else if (S.cur >= nFrames() - 1) {
    showFrame(0);  // Play at the end starts over.
  }
  S.timer = setTimeout(() => tick(false), Number($("speed").value));
}
function go(i) { setPlaying(false); showFrame(i); }

// ---------------------------------------------------------------- geometry (manual mode)
function nearest(x, y, centers) {
  let best = -1, bestD = Infinity;
  for (let c = 0; c < centers.length; c++) {
    const dx = x - centers[c][0], dy = y - centers[c][1];
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = c; }
  }
  return [best, bestD];
}
// The part of convex polygon `poly` where a . p <= b (Sutherland-Hodgman, one edge).
function clip(poly, a, b) {
  const out = [];
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i], q = poly[(i + 1) % poly.length];
    const pin = a[0] * p[0] + a[1] * p[1] <= b + 1e-12, qin = a[0] * q[0] + a[1] * q[1] <= b + 1e-12;
    if (pin) out.push(p);
    if (pin !== qin) {
      const t = (b - (a[0] * p[0] + a[1] * p[1])) / (a[0] * (q[0] - p[0]) + a[1] * (q[1] - p[1]));
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}
function voronoi(centers, xr, yr) {
  return centers.map((ci, i) => {
    let poly = [[xr[0], yr[0]], [xr[1], yr[0]], [xr[1], yr[1]], [xr[0], yr[1]]];
    for (let j = 0; j < centers.length && poly.length; j++) {
      const cj = centers[j];
      if (j === i) continue;
      if (cj[0] === ci[0] && cj[1] === ci[1]) { if (j < i) poly = []; continue; }
      poly = clip(poly, [2 * (cj[0] - ci[0]), 2 * (cj[1] - ci[1])],
        cj[0] * cj[0] + cj[1] * cj[1] - ci[0] * ci[0] - ci[1] * ci[1]);
    }
    return poly;
  });
}

// ---------------------------------------------------------------- manual mode
function pointsXY() {
  const t = S.data.scatter.data.find((d) => d.name === "points");
  return [t.x, t.y];
}
// The regions' clip box: the displayed ranges widened by a span each side (as in Python).
function axisRanges() {
  const l = S.data.scatter.layout;
  const [x0, x1] = l.xaxis.range, [y0, y1] = l.yaxis.range;
  const span = Math.max(x1 - x0, y1 - y0);
  return [[x0 - span, x1 + span], [y0 - span, y1 + span]];
}
function manualInertia() {
  const m = S.manual;
  if (!m.labels) return null;
  const [xs, ys] = pointsXY();
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const c = m.centers[m.labels[i]];
    if (!c) continue;
    total += (xs[i] - c[0]) ** 2 + (ys[i] - c[1]) ** 2;
  }
  return total;
}
function snapshot() {
  const m = S.manual;
  m.undo.push(JSON.stringify({ c: m.centers, l: m.labels, n: m.next, h: m.history, cap: m.caption }));
  if (m.undo.length > 200) m.undo.shift();
}
function reassign() {
  const m = S.manual;
  const [xs, ys] = pointsXY();
  const labels = new Array(xs.length);
  let changed = 0;
  for (let i = 0; i < xs.length; i++) {
    labels[i] = nearest(xs[i], ys[i], m.centers)[0];
    if (!m.labels || m.labels[i] !== labels[i]) changed++;
  }
  const first = !m.labels;
  m.labels = labels;
  m.next = "update";
  if (first) m.caption = `Reassign: each of the ${xs.length} points joins its nearest centroid.`;
  else if (changed === 0) m.caption = "Reassign: no point changed cluster. The centroids cannot move any more: converged.";
  else m.caption = `Reassign: ${changed} point${changed === 1 ? "" : "s"} changed cluster.`;
}
function update() {
  const m = S.manual;
  const [xs, ys] = pointsXY();
  const k = m.centers.length, sx = new Array(k).fill(0), sy = new Array(k).fill(0), n = new Array(k).fill(0);
  for (let i = 0; i < xs.length; i++) { const c = m.labels[i]; sx[c] += xs[i]; sy[c] += ys[i]; n[c]++; }
  let moved = 0;
  const empty = [];
  m.centers = m.centers.map((c, j) => {
    if (!n[j]) { empty.push(j); return c; }
    const nc = [sx[j] / n[j], sy[j] / n[j]];
    moved = Math.max(moved, Math.hypot(nc[0] - c[0], nc[1] - c[1]));
    return nc;
  });
  m.next = "assign";
  m.caption = moved === 0
    ? "Update: every centroid is already at the mean of its points; none moved."
    : `Update: each centroid moves to the mean of its points (at most ${moved.toPrecision(3)}).`;
  if (empty.length === 1) m.caption += ` Centroid ${empty[0]} has no points and stays put.`;
  else if (empty.length) {
    const names = empty.slice(0, -1).join(", ") + " and " + empty[empty.length - 1];
    m.caption += ` Centroids ${names} have no points and stay put.`;
  }
}
function manualStep() {
  const m = S.manual;
  if (!m.centers.length) return;
  snapshot();
  if (m.next === "assign" || !m.labels) reassign(); else update();
  m.history.push(manualInertia());
  drawManual();
}
function manualTraces() {
  const m = S.manual;
  const [xr, yr] = axisRanges();
  const [xs, ys] = pointsXY();
  const traces = voronoi(m.centers, xr, yr).map((poly, c) => ({
    type: "scatter", name: `region ${c + 1}`, mode: "lines", fill: "toself",
    x: poly.concat(poly.slice(0, 1)).map((p) => p[0]), y: poly.concat(poly.slice(0, 1)).map((p) => p[1]),
    fillcolor: rgba(color(c), S.data.region_opacity), line: { width: 1.5, color: rgba(color(c), 0.75) },
    hoverinfo: "skip", showlegend: false,
  }));
  // SVG for few points (cheaper to start than WebGL), WebGL above 2,000 (as the frames).
  const kind = xs.length <= 2000 ? "scatter" : "scattergl";
  traces.push({
    type: kind, name: "points", mode: "markers", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
    marker: {
      size: xs.length <= 2000 ? 7 : 5, opacity: 0.9,
      color: m.labels ? m.labels.map((c) => color(c)) : S.data.unassigned,
    },
  });
  traces.push({
    type: kind, name: "centroids", mode: "markers+text", hoverinfo: "skip", showlegend: false,
    x: m.centers.map((c) => c[0]), y: m.centers.map((c) => c[1]),
    text: m.centers.map((_, c) => String(c)), textposition: "top right",
    textfont: { size: 16, color: "#111" },
    marker: { symbol: "x", size: 22, color: m.centers.map((_, c) => color(c)), line: { color: "#111", width: 2 } },
  });
  return traces;
}
function drawManual() {
  const m = S.manual;
  setWords(
    m.centers.length
      ? `By hand: ${m.centers.length} centroid${m.centers.length === 1 ? "" : "s"}`
      : "By hand: click the chart to place centroids",
    m.caption ||
      "Click empty space to add a centroid, drag one to move it, click one to remove it. " +
      "Then press “Reassign points” and “Update centroids” in turn (or →).");
  const z = S.sizes;
  Plotly.react("scatter", manualTraces(), scatterLayout({ annotations: [] }), CONFIG);
  const ys = m.history;
  Plotly.react("inertia", [{
    type: "scatter", name: "inertia", mode: "lines+markers", x: ys.map((_, i) => i + 1), y: ys,
    line: { color: "#44546A", width: 2.5 }, marker: { size: 9, color: "#44546A" }, hoverinfo: "y",
  }], sized(S.data.inertia.layout, z.inertiaW, z.inertiaH, {
    xaxis: Object.assign({}, S.data.inertia.layout.xaxis, { title: { text: "step by hand" }, dtick: 1 }),
  }), CONFIG);
  const stepBtn = $("manual-step");
  stepBtn.textContent = m.next === "assign" || !m.labels ? "Reassign points" : "Update centroids";
  stepBtn.disabled = !m.centers.length;
  $("manual-undo").disabled = !m.undo.length;
  $("manual-run").disabled = !m.centers.length;
  document.body.dataset.centroids = String(m.centers.length);
  document.body.dataset.manualLabels = m.labels ? "assigned" : "none";
}

// ---------------------------------------------------------------- draw mode
function drawTraces() {
  return [{
    type: S.drawn.length <= 2000 ? "scatter" : "scattergl", name: "drawn", mode: "markers", x: S.drawn.map((p) => p[0]), y: S.drawn.map((p) => p[1]),
    marker: { size: 8, color: "#0072B2", opacity: 0.85 }, hoverinfo: "skip", showlegend: false,
  }];
}
// An empty 0-10 square (widened to the plot's shape) with the scatter's own axis style.
function drawLayout() {
  const base = S.data.scatter.layout;
  const axis = (a, title) => Object.assign({}, a, { range: DRAW_RANGE, title: { text: title }, showticklabels: true });
  return Object.assign({}, base, {
    xaxis: axis(base.xaxis, "x1"),
    yaxis: Object.assign(axis(base.yaxis, "x2"), { scaleanchor: "x", scaleratio: 1 }),
  });
}
function drawDraw() {
  setWords(`Draw your own: ${S.drawn.length} point${S.drawn.length === 1 ? "" : "s"}`,
    "Click to add a point, drag to spray many. Then “Cluster these points” makes them the dataset.");
  Plotly.react("scatter", drawTraces(), scatterLayout({ annotations: [] }, drawLayout()), CONFIG);
  Plotly.purge("inertia");
  $("draw-undo").disabled = !S.strokes.length;
  $("draw-clear").disabled = !S.drawn.length;
  $("draw-use").disabled = S.drawn.length < 2;
  document.body.dataset.drawn = String(S.drawn.length);
}

// ---------------------------------------------------------------- pointer input
function toData(ev) {
  const gd = $("scatter"), fl = gd._fullLayout;
  if (!fl || !fl.xaxis) return null;
  const box = gd.getBoundingClientRect();
  const px = ev.clientX - box.left - fl.xaxis._offset, py = ev.clientY - box.top - fl.yaxis._offset;
  if (px < 0 || py < 0 || px > fl.xaxis._length || py > fl.yaxis._length) return null;
  return [fl.xaxis.p2l(px), fl.yaxis.p2l(py), px, py];
}
function centroidAt(px, py) {
  const fl = $("scatter")._fullLayout;
  let hit = -1, best = 18 * 18;
  S.manual.centers.forEach((c, i) => {
    const dx = fl.xaxis.l2p(c[0]) - px, dy = fl.yaxis.l2p(c[1]) - py;
    if (dx * dx + dy * dy < best) { best = dx * dx + dy * dy; hit = i; }
  });
  return hit;
}
let drag = null;
function onDown(ev) {
  if (ev.button !== 0 || S.mode === "run") return;
  const p = toData(ev);
  if (!p) return;
  ev.preventDefault();
  if (S.mode === "draw") {
    S.strokes.push(S.drawn.length);
    S.drawn.push([p[0], p[1]]);
    drag = { kind: "spray", last: [p[2], p[3]] };
    drawDraw();
    return;
  }
  const hit = centroidAt(p[2], p[3]);
  snapshot();
  if (hit >= 0) { drag = { kind: "centroid", index: hit, moved: false }; return; }
  S.manual.centers.push([p[0], p[1]]);
  S.manual.next = "assign";
  S.manual.caption = "";
  drawManual();
}
function onMove(ev) {
  if (!drag) return;
  const p = toData(ev);
  if (!p) return;
  if (drag.kind === "spray") {
    if (Math.hypot(p[2] - drag.last[0], p[3] - drag.last[1]) < 7) return;
    drag.last = [p[2], p[3]];
    const j = (DRAW_RANGE[1] - DRAW_RANGE[0]) * 0.012;
    S.drawn.push([p[0] + j * (Math.random() - 0.5), p[1] + j * (Math.random() - 0.5)]);
    requestAnimationFrame(drawDraw);
    return;
  }
  drag.moved = true;
  S.manual.centers[drag.index] = [p[0], p[1]];
  S.manual.next = "assign";
  S.manual.caption = "";
  requestAnimationFrame(drawManual);
}
function onUp() {
  if (drag && drag.kind === "centroid" && !drag.moved) {
    // A click on a centroid (no drag) removes it; its points wait for the next reassignment.
    S.manual.centers.splice(drag.index, 1);
    S.manual.labels = null;
    S.manual.next = "assign";
    S.manual.caption = "";
    drawManual();
  }
  drag = null;
}

// ---------------------------------------------------------------- modes and keys
function setMode(mode) {
  setPlaying(false);
  S.mode = mode;
  for (const b of document.querySelectorAll("#modes button")) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
  $("run-controls").hidden = mode !== "run";
  $("manual-controls").hidden = mode !== "manual";
  $("draw-controls").hidden = mode !== "draw";
  $("scatter").classList.toggle("add", mode !== "run");
  // Rings and paths belong to the real run; drawing shows neither centroids nor rings.
  document.body.dataset.mode = mode;
  $("help").textContent = {
    run: "Keys: → / ← step, Space play/pause, Home / End first / last frame; Tab moves between controls.",
    manual: "A teaching view computed in your browser on the drawn points (in the 2-D view). → does the next step. “Animate from these” runs kmeans_core from your centroids.",
    draw: "Click to add one point, drag to spray many. Undo removes the last stroke.",
  }[mode];
  redraw();
}
function render() {
  if (S.mode === "run") showFrame(S.cur);
  else if (S.mode === "manual") drawManual();
  else drawDraw();
}
function redraw() {
  S.sizes = computeSizes();
  render();
  setHeight();
}
function onKey(ev) {
  const tag = ev.target.tagName;
  if (tag === "SELECT" || (tag === "INPUT" && ev.key !== " ")) return;  // native keys (the slider's arrows too)
  if (S.mode === "manual" && ev.key === "ArrowRight") { ev.preventDefault(); manualStep(); return; }
  if (S.mode !== "run") return;
  const actions = {
    ArrowRight: () => go(S.cur + 1), ArrowLeft: () => go(S.cur - 1),
    Home: () => go(0), End: () => go(nFrames() - 1), " ": () => setPlaying(!S.playing),
  };
  if (actions[ev.key]) { ev.preventDefault(); actions[ev.key](); }
}

// The keys also work when nothing on the page has focus (a presenter who just opened
// it): the player is served from the app's own origin, so it may listen there too.
function listenOnPage() {
  let doc;
  try { doc = window.parent.document; } catch (e) { return; }
  const onPageKey = (ev) => {
    const active = doc.activeElement;
    if (active && active !== doc.body && active.tagName !== "IFRAME") return;  // a widget has the keys
    if (active && active.tagName === "IFRAME") return;  // our own frame handles its keys
    onKey(ev);
  };
  doc.addEventListener("keydown", onPageKey);
  window.addEventListener("pagehide", () => doc.removeEventListener("keydown", onPageKey));
}

function wire() {
  $("first").onclick = () => go(0);
  $("back").onclick = () => go(S.cur - 1);
  $("forward").onclick = () => go(S.cur + 1);
  $("last").onclick = () => go(nFrames() - 1);
  $("play").onclick = () => setPlaying(!S.playing);
  $("slider").addEventListener("input", (e) => go(Number(e.target.value)));
  for (const b of document.querySelectorAll("#modes button")) b.onclick = () => setMode(b.dataset.mode);
  $("manual-step").onclick = manualStep;
  $("manual-undo").onclick = () => {
    const m = S.manual, prev = m.undo.pop();
    if (!prev) return;
    const o = JSON.parse(prev);
    Object.assign(m, { centers: o.c, labels: o.l, next: o.n, history: o.h, caption: o.cap });
    drawManual();
  };
  $("manual-clear").onclick = () => {
    snapshot();
    Object.assign(S.manual, { centers: [], labels: null, next: "assign", history: [], caption: "" });
    drawManual();
  };
  $("manual-random").onclick = () => {
    snapshot();
    const [xs, ys] = pointsXY();
    const k = Math.max(1, S.args.k || 3), centers = [];
    for (let i = 0; i < k; i++) { const j = Math.floor(Math.random() * xs.length); centers.push([xs[j], ys[j]]); }
    Object.assign(S.manual, { centers, labels: null, next: "assign", history: [], caption: "" });
    drawManual();
  };
  $("manual-run").onclick = () => setValue({ action: "start_from", centers: S.manual.centers });
  $("draw-undo").onclick = () => { if (S.strokes.length) S.drawn.length = S.strokes.pop(); drawDraw(); };
  $("draw-clear").onclick = () => { S.drawn = []; S.strokes = []; drawDraw(); };
  $("draw-use").onclick = () => setValue({ action: "drawn", points: S.drawn });
  const sc = $("scatter");
  sc.addEventListener("mousedown", onDown, true);
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  document.addEventListener("keydown", onKey);
  listenOnPage();
  let pending = null;
  window.addEventListener("resize", () => { clearTimeout(pending); pending = setTimeout(redraw, 80); });
}

function onRender(args) {
  const first = S.args === null;
  const newData = S.args && args.dataset_key !== S.args.dataset_key;
  S.args = args;
  if (args.run_id !== S.runId) {
    S.runId = args.run_id;
    S.data = args.data;
    S.cur = Math.max(0, Math.min(args.data.frames.length - 1, args.start | 0));
    if (newData) Object.assign(S.manual, { centers: [], labels: null, next: "assign", history: [], undo: [], caption: "" });
    if (!S.manual.centers.length && args.manual_centers) S.manual.centers = args.manual_centers;
    setPlaying(false);
    // A new run (new centroids sent, drawn points used, a setting changed) is shown playing-ready.
    setMode(first ? args.mode || "run" : "run");
  } else {
    redraw();
  }
  if (first) {
    $("speed").value = String(args.speed_ms || 800);
    if (args.present) { try { window.focus(); $("play").focus({ preventScroll: true }); } catch (e) { /* ignore */ } }
  }
}

wire();
window.addEventListener("message", (ev) => {
  if (ev.data && ev.data.type === "streamlit:render") onRender(ev.data.args);
});
send("streamlit:componentReady", { apiVersion: 1 });
