// The minicnn explorer page. It only draws: every number comes from minicnn in Python
// through the JSON API (see server.py). No libraries, nothing fetched from elsewhere.
"use strict";

const SEND_SIDE = 112; // the drawing is sent at 112×112 (the server makes it MNIST-like)

const state = {
  model: null, // GET /api/model
  input: null, // the 28×28 network input of the last forward pass
  outputs: null, // every layer's output
  selected: null, // {layer, channel, y, x} of the inspected feature map
  pendingSince: null, // performance.now() of the first stroke event not yet sent
  inflight: false,
  timings: [], // {view, strokeToRender, request, render} in ms, for the notes and the tests
  renders: 0,
  view: "forward", // or "backward": the gradients beside the activations
  backward: null, // the last /api/backward answer
  conv: { data: null, t: 0, timer: null },
};
window.explorer = state; // the browser tests read timings and state here

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(`${path}: ${data.error || response.statusText}`);
  return data;
}

// -- colours ----------------------------------------------------------------------------

const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function viridis(t) { // t in [0, 1]
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
}

function diverging(t) { // t in [-1, 1]: blue, white at 0, red
  const s = Math.max(-1, Math.min(1, t));
  const fade = Math.round(255 * (1 - Math.abs(s)));
  return s >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

function gray(t) {
  const v = Math.round(255 * Math.max(0, Math.min(1, t)));
  return [v, v, v];
}

function absMax(values) {
  let m = 0;
  for (const v of values.flat(Infinity)) m = Math.max(m, Math.abs(v));
  return m || 1;
}

// Paint a 2-D array into a canvas, one canvas pixel per value (CSS scales it up).
function paint(canvas, rows, colour) {
  const h = rows.length, w = rows[0].length; // a (h, w) array, w ≥ 1
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const rgb = colour(rows[y][x], y, x);
      const o = 4 * (y * w + x);
      image.data[o] = rgb[0]; image.data[o + 1] = rgb[1]; image.data[o + 2] = rgb[2];
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

function paintMap(canvas, rows, kind, scale) {
  if (kind === "conv") paint(canvas, rows, (v) => diverging(v / scale));
  else paint(canvas, rows, (v) => viridis(v / scale));
}

// Bars for a vector (fully connected activations): up for positive, down for negative.
function paintBars(canvas, values) {
  const width = canvas.clientWidth || values.length * 6, height = 60; // 1 canvas px per CSS px
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  const scale = absMax(values), step = width / values.length;
  ctx.fillStyle = "#999";
  ctx.fillRect(0, height / 2, width, 1);
  values.forEach((v, i) => {
    const h = (v / scale) * (height / 2 - 2);
    ctx.fillStyle = v >= 0 ? "#e53935" : "#1e88e5";
    const x0 = Math.round(i * step + (step > 3 ? 1 : 0)), x1 = Math.round((i + 1) * step - (step > 3 ? 1 : 0));
    ctx.fillRect(x0, height / 2 - Math.max(h, 0), Math.max(x1 - x0, 1), Math.abs(h));
  });
}

// Place an overlay box over a canvas: a rectangle in the canvas's own pixel units.
function placeBox(box, canvas, top, left, height, width) {
  const sy = canvas.clientHeight / canvas.height, sx = canvas.clientWidth / canvas.width;
  box.style.top = `${canvas.offsetTop + top * sy}px`;
  box.style.left = `${canvas.offsetLeft + left * sx}px`;
  box.style.height = `${height * sy}px`;
  box.style.width = `${width * sx}px`;
  box.hidden = false;
}

// -- the network tab ------------------------------------------------------------------

function layerTitle(layer) {
  const shape = layer.shape.length === 3
    ? `${layer.shape[0]}@${layer.shape[1]}×${layer.shape[2]}` : `${layer.shape[0]} ${t("units")}`;
  const layers = state.model.layers, i = layer.index;
  const relu = (l) => Boolean(l && l.type.endsWith("ReLU"));
  let note = "";
  if (i === layers.length - 1) note = t("note.scores");
  else if (relu(layers[i + 1])) note = t("note.before");
  else if (relu(layers[i - 1])) note = t("note.after");
  return `${layer.index}: ${layer.type} → ${shape}${note}`;
}

// The rows drawn: conv and pooling layers as maps, Linear layers as bars. ReLU and
// Flatten outputs are computed too but not drawn (the pooling row shows ReLU's effect).
function shownLayers() {
  return state.model.layers.filter((l) => l.kind === "conv" || l.kind === "pool"
    || (l.kind === "vector" && l.type !== "Flatten" && !l.type.endsWith("ReLU")
        && l.type !== "Sigmoid" && l.type !== "Tanh" && l.type !== "Dropout"));
}

function buildLayers() {
  const root = $("layers");
  root.textContent = "";
  for (const layer of shownLayers()) {
    const block = el("div", { class: "layer", id: `layer-${layer.index}` });
    block.append(el("h4", { "data-layer": layer.index }, layerTitle(layer)));
    if (layer.shape.length === 3) {
      const maps = el("div", { class: "maps" });
      for (let c = 0; c < layer.shape[0]; c++) {
        const canvas = el("canvas", {
          class: "fmap pixelated", "data-layer": layer.index, "data-channel": c,
          width: layer.shape[2], height: layer.shape[1], title: `map ${c}: click to inspect`,
        });
        canvas.addEventListener("click", (event) => inspect(layer.index, c, event));
        maps.append(canvas);
      }
      block.append(maps);
    } else {
      block.append(el("canvas", { class: "bars", "data-layer": layer.index }));
    }
    block.append(gradientBlock(layer)); // backward.js: hidden in the forward view
    root.append(block);
  }
  const probs = $("probs");
  probs.textContent = "";
  state.model.classes.forEach((name, k) => {
    const row = el("div", { class: "prob", "data-class": k });
    row.append(el("span", { class: "label" }, name), el("span", { class: "bar" }),
      el("span", { class: "value" }, ""));
    probs.append(row);
  });
}

function relabelLayers() {
  document.querySelectorAll("#layers h4[data-layer]").forEach((h) => {
    h.textContent = layerTitle(state.model.layers[Number(h.dataset.layer)]);
  });
}

function render(answer) {
  state.input = answer.input;
  state.outputs = answer.outputs;
  paint($("input28"), answer.input, gray);
  for (const layer of shownLayers()) {
    const out = answer.outputs[layer.index];
    if (layer.shape.length === 3) {
      const scale = absMax(out); // one scale per layer: maps of a layer are comparable
      document.querySelectorAll(`canvas.fmap[data-layer="${layer.index}"]`).forEach((canvas) => {
        paintMap(canvas, out[Number(canvas.dataset.channel)], layer.kind, scale);
      });
    } else {
      paintBars(document.querySelector(`canvas.bars[data-layer="${layer.index}"]`), out);
    }
  }
  $("prediction").textContent = state.model.classes[answer.prediction];
  document.querySelectorAll(".prob").forEach((row) => {
    const p = answer.probabilities[Number(row.dataset.class)];
    row.querySelector(".bar").style.width = `${Math.round(p * 150)}px`;
    row.querySelector(".value").textContent = `${(100 * p).toFixed(1)}%`;
    row.classList.toggle("top", Number(row.dataset.class) === answer.prediction);
  });
  if (state.selected) showInspector();
  if (answer.gradients) renderBackward(answer); // backward.js
  state.renders += 1;
}

// The drawing, downsampled to SEND_SIDE² by the browser's smoothing, as numbers in [0, 1].
function drawingPixels() {
  const small = document.createElement("canvas");
  small.width = small.height = SEND_SIDE;
  const ctx = small.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage($("draw"), 0, 0, SEND_SIDE, SEND_SIDE);
  const data = ctx.getImageData(0, 0, SEND_SIDE, SEND_SIDE).data;
  const rows = [];
  for (let y = 0; y < SEND_SIDE; y++) {
    const row = new Array(SEND_SIDE);
    for (let x = 0; x < SEND_SIDE; x++) row[x] = Math.round(data[4 * (y * SEND_SIDE + x)] / 2.55) / 100;
    rows.push(row);
  }
  return rows;
}

// Send the drawing; while a request is out, later strokes wait and the newest is sent
// when it returns, so the page never queues stale requests.
async function update() {
  if (state.inflight || state.pendingSince === null) return;
  const since = state.pendingSince;
  state.pendingSince = null;
  state.inflight = true;
  try {
    const sent = performance.now();
    const view = state.view;
    const answer = view === "backward"
      ? await api("/api/backward", { image: drawingPixels(), label: chosenLabel() })
      : await api("/api/forward", { image: drawingPixels() });
    const received = performance.now();
    render(answer);
    const done = performance.now();
    state.timings.push({ view, strokeToRender: done - since, request: received - sent, render: done - received });
    state.latency = { view, ms: done - since };
    showLatency();
    showError("");
    if (state.conv.data) loadConv();
  } catch (err) {
    showError(err.message);
  } finally {
    state.inflight = false;
    if (state.pendingSince !== null) update();
  }
}

function showLatency() {
  if (state.latency) $("latency").textContent = t(`latency.${state.latency.view}`, state.latency.ms.toFixed(0));
}

function changed() {
  if (state.pendingSince === null) state.pendingSince = performance.now();
  update();
}

function setupDrawing() {
  const canvas = $("draw");
  const ctx = canvas.getContext("2d");
  const clear = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  let last = null;
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * canvas.width / rect.width,
      (event.clientY - rect.top) * canvas.height / rect.height];
  };
  const stroke = (to) => {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 18;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...(last ?? to));
    ctx.lineTo(...to);
    ctx.stroke();
    last = to;
    changed();
  };
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = null;
    stroke(point(event));
  });
  canvas.addEventListener("pointermove", (event) => { if (last) stroke(point(event)); });
  const end = () => { last = null; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  $("clear").addEventListener("click", () => { clear(); changed(); });

  // An image file (photo of a digit on paper, or an MNIST-style image): drawn onto the
  // canvas, inverted if it is dark ink on a light background.
  const loadFile = async (file) => {
    if (!file || !file.type.startsWith("image/")) { showError("drop an image file (PNG, JPEG, ...)"); return; }
    const bitmap = await createImageBitmap(file);
    clear();
    // Fit the image inside the canvas (whole pixels), then make it grey, and white ink
    // on black if its own mean (not the black margins') says it is light paper.
    const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
    const w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
    const left = Math.floor((canvas.width - w) / 2), top = Math.floor((canvas.height - h) / 2);
    ctx.drawImage(bitmap, left, top, w, h);
    const image = ctx.getImageData(left, top, w, h);
    const d = image.data;
    let mean = 0;
    for (let i = 0; i < d.length; i += 4) mean += (d[i] + d[i + 1] + d[i + 2]) / 3;
    const invert = mean / (d.length / 4) > 127;
    for (let i = 0; i < d.length; i += 4) {
      const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
      d[i] = d[i + 1] = d[i + 2] = invert ? 255 - v : v;
      d[i + 3] = 255;
    }
    ctx.putImageData(image, left, top);
    changed();
  };
  $("file").addEventListener("change", (event) => loadFile(event.target.files[0]));
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    loadFile(event.dataTransfer.files[0]);
  });
}

// -- the inspector: a feature map's filter and a unit's receptive field ----------------

// The Conv2D whose filter made channel c of layer i: layer i itself, or the last
// convolution before it (pooling and ReLU keep the channels).
function producingConv(index) {
  const convs = state.model.layers.filter((l) => l.kind === "conv" && l.index <= index);
  return convs[convs.length - 1];
}

function inspect(layer, channel, event) {
  const [, h, w] = state.model.layers[layer].shape;
  const canvas = event.currentTarget;
  const y = Math.min(h - 1, Math.floor(event.offsetY / canvas.clientHeight * h));
  const x = Math.min(w - 1, Math.floor(event.offsetX / canvas.clientWidth * w));
  state.selected = { layer, channel, y, x };
  document.querySelectorAll("canvas.fmap.selected").forEach((c) => c.classList.remove("selected"));
  canvas.classList.add("selected");
  showInspector();
}

async function showInspector() {
  const { layer, channel, y, x } = state.selected;
  const info = state.model.layers[layer];
  $("inspector").hidden = false;
  $("inspector-title").textContent = t("inspector.title", layer, info.type, channel, y, x);
  const conv = producingConv(layer);
  const filters = $("inspector-filter");
  filters.textContent = "";
  if (conv) {
    const weight = conv.weight[channel];
    const scale = absMax(weight);
    weight.forEach((plane) => {
      const canvas = el("canvas", { class: "filter" });
      paint(canvas, plane, (v) => diverging(v / scale));
      filters.append(canvas);
    });
    const bias = conv.bias ? t("bias", conv.bias[channel].toFixed(3)) : "";
    $("filter-caption").textContent = t("filter.caption", channel, conv.index,
      `${weight.length}×${conv.kernel_size[0]}×${conv.kernel_size[1]}`, bias);
  }
  const map = $("inspector-map");
  if (state.outputs) {
    const out = state.outputs[layer];
    paintMap(map, out[channel], info.kind, absMax(out));
    paint($("inspector-input"), state.input, gray);
  } else {
    map.width = info.shape[2];
    map.height = info.shape[1];
  }
  placeBox($("unit-box"), map, y, x, 1, 1);
  const rf = await api("/api/receptive-field", { layer, y, x });
  const input = $("inspector-input");
  placeBox($("rf-box"), input, rf.top, rf.left, rf.bottom - rf.top + 1, rf.right - rf.left + 1);
  const clipped = rf.bottom - rf.top + 1 < rf.size[0] || rf.right - rf.left + 1 < rf.size[1];
  $("rf-caption").textContent = t("rf.caption", rf, clipped);
}

function setupInspector() {
  $("inspector-map").addEventListener("click", (event) => {
    if (!state.selected) return;
    const canvas = event.currentTarget;
    state.selected.y = Math.min(canvas.height - 1, Math.floor(event.offsetY / canvas.clientHeight * canvas.height));
    state.selected.x = Math.min(canvas.width - 1, Math.floor(event.offsetX / canvas.clientWidth * canvas.width));
    showInspector();
  });
}

// -- the convolution tab ----------------------------------------------------------------

function convLayers() { return state.model.layers.filter((l) => l.kind === "conv"); }

function setupConv() {
  const layerSelect = $("conv-layer");
  for (const l of convLayers()) {
    layerSelect.append(el("option", { value: l.index }, `${l.index}: Conv2D ${l.weight[0].length}→${l.shape[0]}, ${l.kernel_size[0]}×${l.kernel_size[1]}, pad ${l.padding[0]}`));
  }
  const fillChannels = () => {
    const layer = state.model.layers[Number(layerSelect.value)];
    const select = $("conv-channel");
    select.textContent = "";
    for (let k = 0; k < layer.shape[0]; k++) select.append(el("option", { value: k }, String(k)));
  };
  fillChannels();
  layerSelect.addEventListener("change", () => { fillChannels(); state.conv.t = 0; loadConv(); });
  $("conv-channel").addEventListener("change", () => loadConv());
  $("conv-first").addEventListener("click", () => stepTo(0));
  $("conv-prev").addEventListener("click", () => stepTo(state.conv.t - 1));
  $("conv-next").addEventListener("click", () => stepTo(state.conv.t + 1));
  $("conv-last").addEventListener("click", () => stepTo(Infinity));
  $("conv-play").addEventListener("click", togglePlay);
  $("conv-speed").addEventListener("input", () => {
    $("conv-speed-label").textContent = $("conv-speed").value;
    if (state.conv.timer) { togglePlay(); togglePlay(); }
  });
  document.addEventListener("keydown", (event) => {
    if (!$("tab-conv").classList.contains("active") || event.target.tagName === "SELECT") return;
    if (event.key === "ArrowRight") stepTo(state.conv.t + 1);
    else if (event.key === "ArrowLeft") stepTo(state.conv.t - 1);
    else if (event.key === " ") { event.preventDefault(); togglePlay(); }
  });
}

function togglePlay() {
  const conv = state.conv;
  if (conv.timer) {
    clearInterval(conv.timer);
    conv.timer = null;
  } else {
    if (conv.data && conv.t >= convSteps() - 1) conv.t = 0;
    conv.timer = setInterval(() => {
      if (!conv.data || conv.t >= convSteps() - 1) { togglePlay(); return; }
      stepTo(conv.t + 1);
    }, 1000 / Number($("conv-speed").value));
  }
  $("conv-play").textContent = conv.timer ? t("pause") : t("play");
}

function convSteps() {
  const out = state.conv.data.output;
  return out.length * out[0].length;
}

async function loadConv() {
  const input = state.input ?? Array.from({ length: 28 }, () => new Array(28).fill(0));
  try {
    state.conv.data = await api("/api/conv-steps", {
      image: input, layer: Number($("conv-layer").value), channel: Number($("conv-channel").value),
    });
  } catch (err) { showError(err.message); return; }
  const d = state.conv.data;
  // The parts that do not change while stepping: input planes, im2col matrix, filter.
  const planes = $("conv-input");
  planes.textContent = "";
  const inScale = absMax(d.input);
  d.input.forEach((plane, c) => {
    const wrap = el("div", { class: `overlay-wrap ${d.input.length === 1 ? "one" : "small"}` });
    const canvas = el("canvas", { class: "pixelated" });
    paint(canvas, plane, (v) => (d.layer === 0 ? gray(v) : viridis(v / inScale)));
    wrap.append(canvas, el("div", { class: "box window", "data-channel": c, hidden: "" }));
    planes.append(wrap);
  });
  const colScale = absMax(d.cols);
  paint($("conv-cols"), d.cols, (v) => viridis(v / colScale));
  loadConvText();
  const wScale = absMax(d.weight);
  paint($("conv-weight"), d.weight.map((v) => [v]), (v) => diverging(v / wScale));
  state.conv.t = Math.min(state.conv.t, convSteps() - 1);
  drawStep();
}

function loadConvText() {
  const d = state.conv.data;
  $("conv-cols-caption").textContent = t("conv.cols", d.cols.length, d.cols[0].length);
}

function stepTo(t) {
  if (!state.conv.data) return;
  state.conv.t = Math.max(0, Math.min(convSteps() - 1, t));
  drawStep();
}

function drawStep() {
  const d = state.conv.data, step = state.conv.t;
  const ow = d.output[0].length, i = Math.floor(step / ow), j = step % ow;
  const [kh, kw] = d.kernel_size, [sh, sw] = d.stride;
  document.querySelectorAll("#conv-input .overlay-wrap").forEach((wrap) => {
    placeBox(wrap.querySelector(".box"), wrap.querySelector("canvas"), i * sh, j * sw, kh, kw);
  });
  const column = d.cols.map((row) => row[step]);
  const products = column.map((v, r) => v * d.weight[r]);
  const colScale = absMax(d.cols);
  paint($("conv-column"), column.map((v) => [v]), (v) => viridis(v / colScale));
  const pScale = absMax(products);
  paint($("conv-product"), products.map((v) => [v]), (v) => diverging(v / pScale));
  placeBox($("conv-col-box"), $("conv-cols"), 0, step, d.cols.length, 1);
  const sum = products.reduce((a, b) => a + b, 0);
  const y = d.output[i][j];
  $("conv-sum").textContent = `Σ w·x = ${sum.toFixed(3)}; + b (${d.bias.toFixed(3)}) = y[${i}, ${j}] = ${y.toFixed(3)}`;
  const outScale = absMax(d.output);
  paint($("conv-output"), d.output, (v, r, c) => (r * ow + c <= step ? diverging(v / outScale) : [235, 235, 235]));
  placeBox($("conv-out-box"), $("conv-output"), i, j, 1, 1);
  $("conv-position").textContent = t("conv.position", step, convSteps(), i, j);
  const table = $("conv-table");
  table.textContent = "";
  if (column.length <= 25) { // a 5×5 single-channel filter: the whole dot product as numbers
    const head = el("tr");
    t("conv.table").forEach((h) => head.append(el("th", {}, h)));
    table.append(head);
    column.forEach((v, r) => {
      const tr = el("tr");
      [String(r), d.weight[r].toFixed(3), v.toFixed(3), products[r].toFixed(3)].forEach((s) => tr.append(el("td", {}, s)));
      table.append(tr);
    });
  }
}

// -- start ------------------------------------------------------------------------------

function setupTabs() {
  document.querySelectorAll(".tab").forEach((button) => {
    button.addEventListener("click", () => {
      document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b === button));
      document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === button.dataset.tab));
      if (button.dataset.tab === "tab-conv") loadConv();
      if (button.dataset.tab === "tab-backward") loadBackSteps(); // backward.js
    });
  });
}

async function start() {
  try {
    state.model = await api("/api/model");
  } catch (err) { showError(err.message); return; }
  const source = () => { $("model-source").textContent = t("model.source", state.model.source, state.model.parameters.toLocaleString("en")); };
  source();
  i18n.listeners.push(source);
  buildLayers();
  setupDrawing();
  setupInspector();
  setupConv();
  setupTabs();
  setupBackward(); // backward.js: the view switch, the label, the stepper, training
  i18n.listeners.push(relabelLayers, showLatency, () => {
    if (state.selected) showInspector();
    if (state.conv.data) { loadConvText(); drawStep(); }
    $("conv-play").textContent = state.conv.timer ? t("pause") : t("play");
  });
  applyLanguage();
  document.body.dataset.ready = "true";
}

// After every script (i18n.js, this one, backward.js) has run.
document.addEventListener("DOMContentLoaded", start);
