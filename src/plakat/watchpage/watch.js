// The live preview page: the picture from /preview.png, lines and findings drawn over it from
// /status.json (positions as fractions of the picture), renewed on every "version" event.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { trim: "#00aae6", bleed: "#787878", safe: "#28aa3c", splits: "#dc00b4", frames: "#ff8c00",
  error: "#d71920", warning: "#f0aa00", info: "#286edc" };
const $ = (id) => document.getElementById(id);
const viewer = $("viewer"), stage = $("stage"), poster = $("poster"), overlay = $("overlay");
let status = null, shownVersion = -1, selected = null;
let view = { scale: 1, x: 0, y: 0, fitted: true };

function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function layerVisible(name) {
  const box = document.querySelector(`#overlays input[data-layer="${name}"]`);
  return !box || box.checked;
}

function drawOverlay() {
  overlay.replaceChildren();
  if (!status || !status.preview) return;
  const W = status.preview.width, H = status.preview.height;
  overlay.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const line = (cls, colour, dash) => ({ class: cls, fill: "none", stroke: colour, "stroke-width": 2,
    "vector-effect": "non-scaling-stroke", ...(dash ? { "stroke-dasharray": dash } : {}) });
  const rect = (box, attrs, parent) => element("rect", { x: box.x * W, y: box.y * H, width: box.w * W,
    height: box.h * H, ...attrs }, parent);
  const page = status.page;
  if (layerVisible("bleed")) rect({ x: 0, y: 0, w: 1, h: 1 }, line("bleed", COLOURS.bleed, "2 4"), overlay);
  if (layerVisible("trim")) rect(page.trim, line("trim", COLOURS.trim), overlay);
  if (layerVisible("safe")) rect(page.safe, line("safe", COLOURS.safe, "10 6"), overlay);
  if (layerVisible("splits")) {
    for (const x of page.splits.x) element("line", { x1: x * W, x2: x * W, y1: 0, y2: H,
      ...line("split", COLOURS.splits, "16 8") }, overlay);
    for (const y of page.splits.y) element("line", { y1: y * H, y2: y * H, x1: 0, x2: W,
      ...line("split", COLOURS.splits, "16 8") }, overlay);
  }
  if (layerVisible("frames")) {
    for (const frame of status.frames) {
      const group = element("g", { class: "frame" }, overlay);
      rect(frame, line("", COLOURS.frames), group);
      const fx = frame.focus.x * W, fy = frame.focus.y * H;
      element("circle", { cx: fx, cy: fy, r: 6, ...line("", COLOURS.frames) }, group);
      element("line", { x1: fx - 12, x2: fx + 12, y1: fy, y2: fy, ...line("", COLOURS.frames) }, group);
      element("line", { x1: fx, x2: fx, y1: fy - 12, y2: fy + 12, ...line("", COLOURS.frames) }, group);
      const label = `${Math.round(frame.ppi)} ppi`;
      element("rect", { x: frame.x * W + 3, y: frame.y * H + 3, width: 8 * label.length, height: 17,
        fill: COLOURS.frames }, group);
      const text = element("text", { x: frame.x * W + 7, y: frame.y * H + 16, "font-size": 13,
        "font-family": "system-ui, sans-serif" }, group);
      text.textContent = label;
    }
  }
  if (layerVisible("findings")) {
    for (const finding of status.findings) {
      if (!finding.at) continue;
      const group = element("g", { class: "marker", id: `marker-${finding.number}`,
        "data-number": finding.number }, overlay);
      const x = finding.at.x * W, y = finding.at.y * H;
      element("circle", { class: "halo", cx: x, cy: y, r: 22, fill: "none", stroke: "#0aa0e6", "stroke-width": 5,
        visibility: finding.number === selected ? "visible" : "hidden" }, group);
      element("circle", { cx: x, cy: y, r: 11, fill: COLOURS[finding.severity], stroke: "#fff", "stroke-width": 2 },
        group);
      const text = element("text", { x, y: y + 4, "text-anchor": "middle", "font-size": 12, "font-weight": 700,
        fill: "#fff", "font-family": "system-ui, sans-serif" }, group);
      text.textContent = finding.number;
      group.addEventListener("click", () => select(finding.number, false));
    }
  }
}

function listFindings() {
  const list = $("findings");
  list.replaceChildren();
  const findings = status.findings || [];
  $("finding-count").textContent = `(${findings.length})`;
  for (const finding of findings) {
    const item = document.createElement("li");
    item.className = `finding ${finding.severity}` + (finding.number === selected ? " selected" : "");
    item.dataset.number = finding.number;
    item.innerHTML = `<span class="num"></span><span class="code"></span> <span class="element small"></span>` +
      `<div class="message"></div>`;
    item.querySelector(".num").textContent = finding.at ? finding.number : "–";
    item.querySelector(".code").textContent = `${finding.severity} ${finding.code}`;
    item.querySelector(".element").textContent = finding.element;
    item.querySelector(".message").textContent = finding.message;
    item.addEventListener("click", () => select(finding.number, true));
    list.appendChild(item);
  }
  if (!findings.length) list.innerHTML = "<li>no findings</li>";
}

function select(number, centre) {
  selected = selected === number ? null : number;
  for (const item of document.querySelectorAll("#findings li.finding"))
    item.classList.toggle("selected", Number(item.dataset.number) === selected);
  for (const marker of overlay.querySelectorAll(".marker"))
    marker.querySelector(".halo").setAttribute("visibility",
      Number(marker.dataset.number) === selected ? "visible" : "hidden");
  const finding = status && status.findings.find((f) => f.number === selected);
  if (centre && finding && finding.at) {
    view.x = viewer.clientWidth / 2 - finding.at.x * status.preview.width * view.scale;
    view.y = viewer.clientHeight / 2 - finding.at.y * status.preview.height * view.scale;
    view.fitted = false;
    applyView();
  } else if (finding && !centre) {
    const item = document.querySelector(`#findings li[data-number="${selected}"]`);
    if (item) item.scrollIntoView({ block: "nearest" });
  }
}

function showErrors() {
  const panel = $("errors");
  const errors = status.errors || [];
  panel.hidden = errors.length === 0;
  $("error-list").replaceChildren(...errors.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
}

function applyView() {
  stage.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
}

function fit() {
  if (!poster.naturalWidth) return;
  const margin = 16;
  view.scale = Math.min((viewer.clientWidth - 2 * margin) / poster.naturalWidth,
    (viewer.clientHeight - 2 * margin) / poster.naturalHeight);
  view.x = (viewer.clientWidth - poster.naturalWidth * view.scale) / 2;
  view.y = (viewer.clientHeight - poster.naturalHeight * view.scale) / 2;
  view.fitted = true;
  applyView();
}

function zoomAt(scale, cx, cy) {
  scale = Math.max(0.05, Math.min(8, scale));
  view.x = cx - (cx - view.x) * scale / view.scale;
  view.y = cy - (cy - view.y) * scale / view.scale;
  view.scale = scale;
  view.fitted = false;
  applyView();
}

async function refresh(version) {
  const response = await fetch("/status.json", { cache: "no-store" });
  const fresh = await response.json();
  if (fresh.version < shownVersion) return;
  status = fresh;
  shownVersion = fresh.version;
  $("version").textContent = `version ${fresh.version}` + (fresh.seconds ? ` · ${fresh.seconds.toFixed(2)} s` : "");
  $("title").textContent = fresh.title || "plakat watch";
  $("layout").textContent = fresh.layout || "";
  document.body.dataset.version = fresh.version;
  document.body.dataset.ok = fresh.ok;
  showErrors();
  if (fresh.preview) {
    if (fresh.ok) {
      await new Promise((resolve) => {
        const next = new Image();
        next.onload = next.onerror = resolve;
        next.src = `/preview.png?v=${fresh.version}`;
      });
      poster.src = `/preview.png?v=${fresh.version}`;
    }
    $("waiting").hidden = true;
    listFindings();
    drawOverlay();
  } else if (!fresh.ok) {
    $("waiting").textContent = "no preview yet";
  }
}

poster.addEventListener("load", () => {
  if (view.fitted) fit();
});
window.addEventListener("resize", () => { if (view.fitted) fit(); });
$("fit").addEventListener("click", fit);
$("actual").addEventListener("click", () => zoomAt(1, viewer.clientWidth / 2, viewer.clientHeight / 2));
for (const box of document.querySelectorAll("#overlays input")) box.addEventListener("change", drawOverlay);

viewer.addEventListener("wheel", (event) => {
  event.preventDefault();
  const bounds = viewer.getBoundingClientRect();
  zoomAt(view.scale * Math.exp(-event.deltaY / 300), event.clientX - bounds.left, event.clientY - bounds.top);
}, { passive: false });
let drag = null;
viewer.addEventListener("pointerdown", (event) => {
  if (event.target.closest(".marker") || event.target.closest("#errors")) return;
  drag = { x: event.clientX - view.x, y: event.clientY - view.y };
  viewer.classList.add("dragging");
  viewer.setPointerCapture(event.pointerId);
});
viewer.addEventListener("pointermove", (event) => {
  if (!drag) return;
  view.x = event.clientX - drag.x;
  view.y = event.clientY - drag.y;
  view.fitted = false;
  applyView();
});
viewer.addEventListener("pointerup", () => { drag = null; viewer.classList.remove("dragging"); });

$("write").addEventListener("click", async () => {
  const button = $("write"), box = $("written");
  button.disabled = true;
  box.hidden = false;
  box.className = "";
  box.textContent = "writing the print files …";
  try {
    const response = await fetch("/render", { method: "POST" });
    const result = await response.json();
    box.className = result.ok ? "" : "failed";
    const lines = result.ok
      ? result.files.map((file) => `wrote ${file.path} (${(file.bytes / 1e6).toFixed(1)} MB)`)
      : (result.errors.length ? result.errors : result.findings.filter((f) => f.severity === "error")
        .map((f) => `${f.code}: ${f.message}`).concat(["preflight found errors: nothing was written"]));
    box.replaceChildren(...lines.map((text) => {
      const row = document.createElement("div");
      row.textContent = text;
      return row;
    }));
  } catch (error) {
    box.className = "failed";
    box.textContent = `could not reach plakat watch (${error})`;
  } finally {
    button.disabled = false;
  }
});

const events = new EventSource("/events");
events.addEventListener("version", (event) => refresh(Number(event.data)));
refresh(0);
