// The backward half of the explorer page: the gradients beside the activations, one
// convolution's backward step by step (lecture 002), and one training step to watch.
// Like explorer.js it only draws: every gradient comes from minicnn (POST /api/backward,
// /api/conv-backward-steps, /api/train-step). The stepper adds up, step by step, the
// terms whose total the server sent, so the last step shows the server's numbers.
"use strict";

// -- the backward view: gradients beside the activations -----------------------------------

// The part of a layer's block that the backward view shows: dL/d(output) as maps or bars,
// and for a convolution every filter's dL/dK and the biases' dL/dB.
function gradientBlock(layer) {
  const block = el("div", { class: "grad", "data-layer": layer.index });
  const last = layer.index === state.model.layers.length - 1;
  const label = el("p", { class: "glabel" });
  label.append(el("span", { "data-i18n": last ? "grad.scores" : "grad.output" }), " ",
    el("span", { class: "gscale", "data-layer": layer.index }));
  block.append(label);
  if (layer.shape.length === 3) {
    const maps = el("div", { class: "maps" });
    for (let c = 0; c < layer.shape[0]; c++) {
      maps.append(el("canvas", { class: "gmap pixelated", "data-layer": layer.index, "data-channel": c }));
    }
    block.append(maps);
  } else {
    block.append(el("canvas", { class: "gbars", "data-layer": layer.index }));
  }
  if (layer.kind === "conv") {
    block.append(el("p", { class: "glabel", "data-i18n": "grad.kernel" }));
    const filters = el("div", { class: "dk-rows", "data-layer": layer.index });
    for (let k = 0; k < layer.shape[0]; k++) {
      const row = el("div", { class: "dk-row" });
      for (let c = 0; c < layer.weight[0].length; c++) {
        row.append(el("canvas", { class: "dk pixelated", "data-layer": layer.index, "data-filter": k, "data-channel": c }));
      }
      filters.append(row);
    }
    block.append(filters, el("canvas", { class: "dbars", "data-layer": layer.index }));
  }
  return block;
}

function chosenLabel() {
  const value = $("label").value;
  return value === "" ? null : Number(value);
}

function formatNumber(v) {
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.01) return v.toExponential(2);
  return v.toFixed(3);
}

function renderBackward(answer) {
  state.backward = answer;
  for (const layer of shownLayers()) {
    const grad = answer.gradients[layer.index];
    if (layer.shape.length === 3) {
      const scale = absMax(grad);
      document.querySelectorAll(`canvas.gmap[data-layer="${layer.index}"]`).forEach((canvas) => {
        paint(canvas, grad[Number(canvas.dataset.channel)], (v) => diverging(v / scale));
      });
    } else {
      paintBars(document.querySelector(`canvas.gbars[data-layer="${layer.index}"]`), grad);
    }
    // Each row has its own colour scale; its size says how strong the signal is (a
    // confident, correct prediction sends back almost nothing).
    document.querySelector(`span.gscale[data-layer="${layer.index}"]`).textContent =
      t("scale", formatNumber(absMax(grad)));
  }
  for (const p of answer.parameters) {
    if (!p.weight || !document.querySelector(`canvas.dk[data-layer="${p.layer}"]`)) continue;
    const scale = absMax(p.weight);
    document.querySelectorAll(`canvas.dk[data-layer="${p.layer}"]`).forEach((canvas) => {
      paint(canvas, p.weight[Number(canvas.dataset.filter)][Number(canvas.dataset.channel)], (v) => diverging(v / scale));
    });
    paintBars(document.querySelector(`canvas.dbars[data-layer="${p.layer}"]`), p.bias);
  }
  const dxScale = absMax(answer.dx);
  paint($("dx28"), answer.dx, (v) => diverging(v / dxScale));
  showLoss();
}

function showLoss() {
  const a = state.backward;
  if (!a) return;
  const p = a.probabilities[a.label];
  $("loss").textContent = t("loss", state.model.classes[a.label], formatNumber(p), formatNumber(a.loss));
}

function setView(view) {
  state.view = view;
  document.body.classList.toggle("backward", view === "backward");
  document.querySelectorAll("button.view").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
  changed(); // recompute for the drawing as it is
}

// -- one training step -------------------------------------------------------------------

async function trainStep() {
  const input = state.input ?? Array.from({ length: 28 }, () => new Array(28).fill(0));
  let step;
  try {
    step = await api("/api/train-step", { image: input, label: chosenLabel(), lr: Number($("lr").value) });
  } catch (err) { showError(err.message); return; }
  state.train = step;
  showTraining();
  await modelChanged();
}

async function resetModel() {
  try { await api("/api/reset", {}); } catch (err) { showError(err.message); return; }
  state.train = "reset";
  showTraining();
  await modelChanged();
}

// The weights changed: the filters shown (inspector, convolution tab) and every map.
async function modelChanged() {
  const model = await api("/api/model");
  state.model.layers = model.layers;
  changed();
  if (state.selected) showInspector();
  if ($("tab-conv").classList.contains("active")) loadConv();
  if ($("tab-backward").classList.contains("active")) loadBackSteps();
}

function showTraining() {
  const s = state.train;
  const table = $("train-changes"), deltas = $("train-deltas");
  table.textContent = "";
  deltas.textContent = "";
  if (!s) return;
  if (s === "reset") { $("train-summary").textContent = t("train.reset"); return; }
  const pct = (p) => `${(100 * p).toFixed(1)}%`;
  const classes = state.model.classes;
  $("train-summary").textContent = t("train.summary", {
    steps: s.steps, label: classes[s.label], lr: s.lr,
    before: classes[s.prediction_before], pBefore: pct(s.probabilities_before[s.prediction_before]),
    after: classes[s.prediction_after], pAfter: pct(s.probabilities_after[s.prediction_after]),
    lossBefore: formatNumber(s.loss_before), lossAfter: formatNumber(s.loss_after),
  });
  const head = el("tr");
  t("train.head").forEach((h) => head.append(el("th", {}, h)));
  table.append(head);
  const largest = Math.max(...s.changes.map((c) => c.max)) || 1;
  for (const c of s.changes) {
    const tr = el("tr");
    tr.append(el("td", {}, c.name), el("td", {}, formatNumber(c.max)), el("td", {}, formatNumber(c.mean)));
    const bar = el("span", { class: "movebar" });
    bar.style.width = `${Math.round(80 * c.max / largest)}px`;
    const cell = el("td");
    cell.append(bar);
    tr.append(cell);
    table.append(tr);
  }
  const first = s.changes.find((c) => c.delta);
  if (first) {
    deltas.append(el("p", { class: "muted" }, t("train.deltas", first.layer)));
    const scale = absMax(first.delta);
    first.delta.forEach((filter) => {
      const canvas = el("canvas", { class: "delta pixelated" });
      paint(canvas, filter[0], (v) => diverging(v / scale));
      deltas.append(canvas);
    });
  }
}

// -- the backward stepper ------------------------------------------------------------------

const bk = { data: null, t: 0, timer: null, mode: "dk" };
state.bk = bk;

function setupBackward() {
  document.querySelectorAll("button.view").forEach((b) => b.addEventListener("click", () => setView(b.dataset.view)));
  const label = $("label");
  label.append(el("option", { value: "", "data-i18n": "label.prediction" }));
  state.model.classes.forEach((name, k) => label.append(el("option", { value: k }, name)));
  label.addEventListener("change", () => { if (state.view === "backward") changed(); if (bk.data) loadBackSteps(); });
  $("train-step").addEventListener("click", trainStep);
  $("reset").addEventListener("click", resetModel);

  const source = $("bk-source");
  source.append(el("option", { value: "lecture" }));
  for (const l of convLayers()) source.append(el("option", { value: l.index }));
  source.addEventListener("change", () => { fillBackChannels(); bk.t = 0; loadBackSteps(); });
  fillBackChannels();
  $("bk-channel").addEventListener("change", () => { bk.t = 0; loadBackSteps(); });
  document.querySelectorAll("button.bk-mode").forEach((b) => b.addEventListener("click", () => {
    bk.mode = b.dataset.mode;
    bk.t = 0;
    document.querySelectorAll("button.bk-mode").forEach((o) => o.classList.toggle("active", o === b));
    buildBack();
  }));
  $("bk-first").addEventListener("click", () => backTo(0));
  $("bk-prev").addEventListener("click", () => backTo(bk.t - 1));
  $("bk-next").addEventListener("click", () => backTo(bk.t + 1));
  $("bk-last").addEventListener("click", () => backTo(Infinity));
  $("bk-play").addEventListener("click", toggleBackPlay);
  $("bk-speed").addEventListener("input", () => {
    $("bk-speed-label").textContent = $("bk-speed").value;
    if (bk.timer) { toggleBackPlay(); toggleBackPlay(); }
  });
  document.addEventListener("keydown", (event) => {
    if (!$("tab-backward").classList.contains("active") || event.target.tagName === "SELECT") return;
    if (event.key === "ArrowRight") backTo(bk.t + 1);
    else if (event.key === "ArrowLeft") backTo(bk.t - 1);
    else if (event.key === " ") { event.preventDefault(); toggleBackPlay(); }
  });
  i18n.listeners.push(labelBackSources, showLoss, showTraining, () => {
    $("bk-play").textContent = bk.timer ? t("pause") : t("play");
    if (bk.data) buildBack();
  });
}

function labelBackSources() {
  for (const option of $("bk-source").options) {
    if (option.value === "lecture") { option.textContent = t("bk.lecture"); continue; }
    const l = state.model.layers[Number(option.value)];
    option.textContent = t("bk.layer", l.index, l.weight[0].length, l.shape[0], l.kernel_size[0]);
  }
}

function fillBackChannels() {
  const value = $("bk-source").value, select = $("bk-channel");
  select.textContent = "";
  const n = value === "lecture" ? 1 : state.model.layers[Number(value)].shape[0];
  for (let k = 0; k < n; k++) select.append(el("option", { value: k }, String(k)));
  select.disabled = value === "lecture";
}

async function loadBackSteps() {
  const value = $("bk-source").value;
  const input = state.input ?? Array.from({ length: 28 }, () => new Array(28).fill(0));
  const body = value === "lecture" ? { example: "lecture-002" }
    : { image: input, layer: Number(value), channel: Number($("bk-channel").value), label: chosenLabel() };
  try {
    bk.data = await api("/api/conv-backward-steps", body);
  } catch (err) { showError(err.message); return; }
  buildBack();
}

// The geometry of the current data: C input channels, kernel kh×kw, output OH×OW,
// padded input Hp×Wp.
function dims() {
  const d = bk.data;
  return { C: d.weight.length, kh: d.weight[0].length, kw: d.weight[0][0].length,
    OH: d.dy.length, OW: d.dy[0].length, Hp: d.input[0].length, Wp: d.input[0][0].length };
}

function backSteps() {
  const g = dims();
  return bk.mode === "dx" ? g.Hp * g.Wp : g.OH * g.OW;
}

function backTo(step) {
  if (!bk.data) return;
  bk.t = Math.max(0, Math.min(backSteps() - 1, step));
  drawBack();
}

function toggleBackPlay() {
  if (bk.timer) {
    clearInterval(bk.timer);
    bk.timer = null;
  } else {
    if (bk.data && bk.t >= backSteps() - 1) bk.t = 0;
    bk.timer = setInterval(() => {
      if (!bk.data || bk.t >= backSteps() - 1) { toggleBackPlay(); return; }
      backTo(bk.t + 1);
    }, 1000 / Number($("bk-speed").value));
  }
  $("bk-play").textContent = bk.timer ? t("pause") : t("play");
}

// A small matrix as a table of numbers on coloured cells (the lecture's 3×3 example is
// read as numbers); a large one, or one of many channels, as a canvas. `box`
// {top, left, h, w} outlines a block.
function matrix(rows, colour, box, shown = () => true, numbers = true) {
  const h = rows.length, w = rows[0].length;
  const inside = (r, c) => box && r >= box.top && r < box.top + box.h && c >= box.left && c < box.left + box.w;
  if (numbers && h <= 8 && w <= 8) {
    const table = el("table", { class: "numbers" });
    rows.forEach((row, r) => {
      const tr = el("tr");
      row.forEach((v, c) => {
        const on = shown(r, c);
        const td = el("td", { class: inside(r, c) ? "in-box" : "" }, on ? formatNumber(v) : "");
        const rgb = on ? colour(v) : [235, 235, 235];
        td.style.background = `rgb(${rgb.join(",")})`;
        tr.append(td);
      });
      table.append(tr);
    });
    return table;
  }
  const wrap = el("div", { class: "overlay-wrap" });
  const canvas = el("canvas", { class: "pixelated bkmap" });
  paint(canvas, rows, (v, r, c) => (shown(r, c) ? colour(v) : [235, 235, 235]));
  // Square cells up to 12 px, within 720×300; a long thin matrix keeps some height.
  const cell = Math.min(12, 720 / w, 300 / h);
  canvas.style.width = `${Math.round(w * cell)}px`;
  canvas.style.height = `${Math.round(Math.max(h * cell, Math.min(h * 6, 80), 12))}px`;
  const outline = el("div", { class: "box", hidden: "" });
  wrap.append(canvas, outline);
  if (box) requestAnimationFrame(() => placeBox(outline, canvas, box.top, box.left, box.h, box.w));
  return wrap;
}

// One figure: a caption key and a matrix per channel.
function figure(key, planes, colour, box, shown) {
  const fig = el("figure", { class: "bk-figure" });
  const stack = el("div", { class: "planes" });
  planes.forEach((rows) => stack.append(matrix(rows, colour, box, shown, planes.length === 1)));
  fig.append(stack, el("figcaption", {}, t(key)));
  return fig;
}

const scaled = (values) => { const s = absMax(values); return (v) => diverging(v / s); };
const zeros = (C, h, w) => Array.from({ length: C }, () => Array.from({ length: h }, () => new Array(w).fill(0)));

function buildBack() {
  if (!bk.data) return;
  bk.t = Math.min(bk.t, backSteps() - 1);
  const lecture = bk.data.layer === null;
  $("bk-explain").textContent = `${lecture ? t("bk.explain.lecture") : t("bk.explain.layer", state.model.classes[bk.data.label])} ${t(`bk.explain.${bk.mode}`)}`;
  labelBackSources();
  drawBack();
}

// Everything for step bk.t of the current mode.
function drawBack() {
  const d = bk.data, step = bk.t, g = dims(), grid = $("bk-grid");
  grid.textContent = "";
  const inScale = scaled(d.input), dyScale = scaled(d.dy), kScale = scaled(d.weight);
  let what, sum;
  if (bk.mode === "dx") {
    const h = Math.floor(step / g.Wp), w = step % g.Wp;
    const win = d.dy_padded.slice(h, h + g.kh).map((row) => row.slice(w, w + g.kw));
    const products = d.rot180.map((plane) => plane.map((row, p) => row.map((k, q) => k * win[p][q])));
    grid.append(
      figure("fig.dypad", [d.dy_padded], dyScale, { top: h, left: w, h: g.kh, w: g.kw }),
      figure("fig.k", d.weight, kScale),
      el("div", { class: "rotate", title: "rot180" }, "⟳ 180°"),
      figure("fig.rot", d.rot180, kScale),
      figure("fig.products", products, scaled(products)),
      figure("fig.dx", d.dx_padded, scaled(d.dx_padded), { top: h, left: w, h: 1, w: 1 },
        (r, c) => r * g.Wp + c <= step),
    );
    // The sum for the first input channel (the others are drawn): every term for a small
    // kernel, the non-zero ones for a large one.
    let terms = products[0].flat();
    if (terms.length > 9) terms = terms.filter((v) => v !== 0);
    const target = g.C > 1 ? `dX[0, ${h}, ${w}]` : `dX[${h}, ${w}]`;
    what = t("bk.at.in", h, w);
    sum = t("sum.dx", target, terms.map(formatNumber).join(" + ") || "0", formatNumber(d.dx_padded[0][h][w]));
  } else {
    const i = Math.floor(step / g.OW), j = step % g.OW;
    // dK after steps 0..step: Σ dY[t] · window t (the server sent the total as d.dw).
    const dk = zeros(g.C, g.kh, g.kw), dxp = zeros(g.C, g.Hp, g.Wp);
    let db = 0;
    for (let s = 0; s <= step; s++) {
      const a = Math.floor(s / g.OW), b = s % g.OW, v = d.dy[a][b];
      db += v;
      for (let c = 0; c < g.C; c++) {
        for (let p = 0; p < g.kh; p++) {
          for (let q = 0; q < g.kw; q++) {
            dk[c][p][q] += v * d.input[c][a + p][b + q];
            dxp[c][a + p][b + q] += d.weight[c][p][q] * v; // col2im: column s onto window s
          }
        }
      }
    }
    const last = step === backSteps() - 1;
    const dkShown = last ? d.dw : dk, box = { top: i, left: j, h: g.kh, w: g.kw };
    if (bk.mode === "dk") {
      const term = d.input.map((plane) => plane.slice(i, i + g.kh).map((row) => row.slice(j, j + g.kw).map((x) => x * d.dy[i][j])));
      grid.append(
        figure("fig.xpad", d.input, inScale, box),
        figure("fig.dy", [d.dy], dyScale, { top: i, left: j, h: 1, w: 1 }),
        figure("fig.term", term, scaled(term)),
        figure("fig.dk", dkShown, scaled(d.dw)),
      );
      what = t("bk.at.out", i, j);
      sum = t("sum.dk", formatNumber(d.dy[i][j]), formatNumber(db));
    } else {
      const column = { top: 0, left: step, h: d.cols.length, w: 1 };
      grid.append(
        figure("fig.cols", [d.cols], scaled(d.cols), column),
        figure("fig.dyrow", [[d.dy.flat()]], dyScale, { top: 0, left: step, h: 1, w: 1 }),
        figure("fig.dkmat", [[dkShown.flat(2)]], scaled(d.dw)),
        figure("fig.dcols", [d.dcols], scaled(d.dcols), column, (r, c) => c <= step),
        figure("fig.col2im", last ? d.dx_padded : dxp, scaled(d.dx_padded), box),
      );
      what = t("bk.at.col", step, i, j);
      sum = t("sum.im2col", formatNumber(d.dy[i][j]));
    }
    bk.partial = { dk, dxp, db };
    if (last) sum = `${sum}   ${t("sum.done", formatNumber(d.db))}`;
  }
  $("bk-position").textContent = t("bk.position", step, backSteps(), what);
  $("bk-sum").textContent = sum;
}
