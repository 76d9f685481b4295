// The page's script, sent as text: it takes the state once from `state`, then each update from
// the `events` stream, and redraws. Relative URLs keep it working behind a path prefix. The
// steps a batch goes through come from the pipeline definition (services/lib/progress.ts).
import { PROGRESS } from '../../lib/progress.ts';

export const CLIENT_SCRIPT = String.raw`
"use strict";
const STAGES = ${JSON.stringify(PROGRESS)};
const LABELS = { delivering: "posting to api" };
const number = new Intl.NumberFormat("en");
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k.startsWith("data-") || k === "title") node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString("en-GB") : "";
}

// 20261121T053412345Z-e2e-flow-k3f9 -> its time of day and the part a person chose; a canary
// batch, which checks the pipeline and carries no one's data, is tagged as one, and so is a big
// listing handed on in parts.
function batchCell(id, canary, parts) {
  const tag = canary
    ? el("span", { className: "tag canary", textContent: "canary", title: "dropped by npm run canary or deploy to check that data flows" })
    : parts
      ? el("span", { className: "tag parts", textContent: parts + " parts", title: "handed on in parts of up to PART_LINES rows, which went through the stages side by side" })
      : undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\d{3}Z-(.*)$/.exec(id);
  if (!m) return el("td", { className: "batch", textContent: id });
  const when = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return el("td", { className: "batch", title: id }, el("span", { className: "time", textContent: time(when.toISOString()) }), tag, m[7]);
}

function renderReplicas(replicas) {
  const max = Math.max(1, ...replicas.map((r) => r.documents));
  const rows = replicas.map((r) => {
    const dot = r.live === undefined ? undefined : el("span", { className: r.live ? "dot up" : "dot", title: r.live ? "answering /stats" : "not heard from" });
    return el("div", { className: "bar", "data-replica": r.pod, "data-documents": String(r.documents) },
      el("span", { className: "name" }, dot, r.pod),
      el("div", { className: "track" }, el("div", { className: "fill", style: "width:" + (100 * r.documents / max).toFixed(1) + "%" })),
      el("span", { className: "count", textContent: number.format(r.documents) }));
  });
  $("replicas").replaceChildren(...(rows.length ? rows : [el("div", { className: "empty", textContent: "No documents answered yet" })]));
}

function renderThroughput(t) {
  const w = 300, h = 90, top = 6;
  const peak = Math.max(...t.points);
  const scale = Math.max(1, peak);
  const step = w / Math.max(1, t.points.length - 1);
  const xy = t.points.map((n, i) => (i * step).toFixed(1) + "," + (h - (n / scale) * (h - top)).toFixed(1));
  $("sparkline").replaceChildren(
    svg("polygon", { class: "spark-area", points: "0," + h + " " + xy.join(" ") + " " + w + "," + h }),
    svg("polyline", { class: "spark-line", points: xy.join(" ") }));
  $("window-minutes").textContent = String(Math.round((t.points.length * t.bucketSeconds) / 60));
  $("peak").textContent = "peak " + number.format(Math.round(peak / t.bucketSeconds)) + " docs/s";
  $("rate").textContent = t.perSecond < 10 ? t.perSecond.toFixed(1) : number.format(Math.round(t.perSecond));
}

function renderDead(dead) {
  const stages = Object.entries(dead.byStage).sort();
  $("dead-total").textContent = number.format(dead.total);
  $("dead-total").className = dead.total > 0 ? "value bad" : "value";
  $("dead-stages").replaceChildren(...(stages.length
    ? stages.map(([stage, n]) => el("li", { "data-dead-stage": stage }, stage, el("span", { className: "n", textContent: number.format(n) })))
    : [el("li", { className: "empty", textContent: "None" })]));
}

function stageCell(stage) {
  const reached = STAGES.indexOf(stage);
  const steps = el("span", { className: "steps", title: STAGES.join(" → ") }, ...STAGES.map((s, i) => el("i", { className: i <= reached ? "on" : "" })));
  return el("td", {}, steps, el("span", { className: "stage", textContent: LABELS[stage] || stage }));
}

function renderBatches(batches) {
  const rows = batches.map((b) => el("tr", { "data-batch": b.batch, "data-stage": b.stage, "data-canary": String(b.canary) },
    batchCell(b.batch, b.canary, b.parts),
    stageCell(b.stage),
    el("td", { className: "num", textContent: number.format(b.answered) }),
    el("td", { className: "num", textContent: number.format(b.ok) }),
    el("td", { className: b.rejected + b.invalid > 0 ? "num bad" : "num", textContent: number.format(b.rejected + b.invalid) }),
    el("td", { className: b.dead > 0 ? "num bad" : "num", textContent: number.format(b.dead) }),
    el("td", { className: "pods", textContent: Object.entries(b.pods).sort().map(([p, n]) => p + " " + number.format(n)).join(" · ") }),
    el("td", { textContent: time(b.finishedAt) })));
  $("batches").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { className: "empty", colSpan: 8, textContent: "No batches yet: drop a listing into txt/ or wait for getdata" }))]));
}

function render(state) {
  $("in-flight").textContent = number.format(state.inFlight);
  $("documents").textContent = number.format(state.documents);
  renderReplicas(state.replicas);
  renderThroughput(state.throughput);
  renderDead(state.dead);
  renderBatches(state.batches);
  $("status").textContent = "live · updated " + time(state.updatedAt);
}

function connect() {
  const events = new EventSource("events");
  events.onmessage = (e) => {
    $("status").className = "live";
    render(JSON.parse(e.data));
  };
  events.onerror = () => {
    $("status").className = "";
    $("status").textContent = "reconnecting…";
  };
}

fetch("state").then((r) => r.json()).then(render, () => undefined);
connect();
`;
