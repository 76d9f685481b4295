// The dashboard's one page: plain HTML and CSS, its script from client.ts. It lives in code
// rather than in files beside it because each service ships as one bundled main.mjs.
import { CLIENT_SCRIPT } from './client.ts';

const STYLE = `
:root { --bg: #f5f6f8; --card: #fff; --line: #e3e6ea; --text: #1d2430; --muted: #6b7483; --accent: #2f6fdf; --ok: #1f9d61; --warn: #d9822b; --bad: #d64545; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; align-items: baseline; gap: 12px; padding: 18px 28px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 20px; }
header .sub { color: var(--muted); }
#status { margin-left: auto; color: var(--muted); font-size: 13px; }
#status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--warn); }
#status.live::before { background: var(--ok); }
main { padding: 20px 28px 32px; display: grid; gap: 16px; max-width: 1280px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 16px; }
.card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.card .label, .panel h2 { color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; margin: 0 0 6px; }
.card .value { font-size: 28px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .value small { font-size: 14px; color: var(--muted); font-weight: 400; }
.panels { display: grid; grid-template-columns: 1.2fr 1.2fr .8fr; gap: 16px; }
.empty { color: var(--muted); font-style: italic; padding: 6px 0; }
.bar { display: grid; grid-template-columns: minmax(60px, max-content) 1fr 64px; align-items: center; gap: 10px; margin: 8px 0; }
.bar .name { font-family: ui-monospace, monospace; font-size: 13px; white-space: nowrap; }
.bar .name .dot { display: inline-block; width: 7px; height: 7px; border-radius: 50%; margin-right: 6px; background: #c3c8d0; }
.bar .name .dot.up { background: var(--ok); }
.bar .track { height: 14px; background: #eef0f3; border-radius: 7px; overflow: hidden; }
.bar .fill { height: 100%; background: var(--accent); border-radius: 7px; min-width: 2px; }
.bar .count { text-align: right; font-variant-numeric: tabular-nums; }
svg { width: 100%; height: 90px; display: block; }
.spark-line { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
.spark-area { fill: var(--accent); opacity: .12; }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 12px; }
.dead { list-style: none; margin: 0; padding: 0; }
.dead li { display: flex; justify-content: space-between; padding: 5px 0; border-bottom: 1px solid var(--line); font-family: ui-monospace, monospace; font-size: 13px; }
.dead li:last-child { border-bottom: 0; }
.dead .n { color: var(--bad); font-weight: 600; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; color: var(--muted); font-size: 12px; font-weight: 600; padding: 6px 8px; border-bottom: 1px solid var(--line); }
td { padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
.num { text-align: right; }
.batch { font-family: ui-monospace, monospace; font-size: 13px; }
.batch .time { color: var(--muted); margin-right: 8px; }
.tag { font-size: 11px; padding: 1px 6px; border-radius: 8px; margin-right: 6px; }
.tag.canary { background: #fff4d6; color: #8a5a00; }
.tag.parts { background: #e6eefb; color: #1f4f8f; }
tr[data-canary="true"] { background: #fffbf0; }
.steps { display: inline-flex; gap: 3px; margin-right: 8px; vertical-align: middle; }
.steps i { width: 18px; height: 6px; border-radius: 3px; background: #dde1e6; }
.steps i.on { background: var(--accent); }
tr[data-stage="done"] .steps i.on { background: var(--ok); }
.stage { font-size: 12px; color: var(--muted); }
.pods { color: var(--muted); font-size: 12px; font-family: ui-monospace, monospace; }
.bad { color: var(--bad); font-weight: 600; }
@media (max-width: 900px) { .cards, .panels { grid-template-columns: 1fr 1fr; } }
`;

const BODY = `
<header><h1>k8s-pipe</h1><span class="sub">pipeline dashboard</span><span id="status">connecting…</span></header>
<main>
  <section class="cards">
    <div class="card"><div class="label">Batches in flight</div><div class="value" id="in-flight">–</div></div>
    <div class="card"><div class="label">Documents answered</div><div class="value" id="documents">–</div></div>
    <div class="card"><div class="label">Throughput now</div><div class="value"><span id="rate">–</span> <small>docs/s</small></div></div>
    <div class="card"><div class="label">Dead letters</div><div class="value" id="dead-total">–</div></div>
  </section>
  <section class="panels">
    <div class="panel"><h2>Documents per api replica</h2><div id="replicas"></div></div>
    <div class="panel"><h2>Throughput, last <span id="window-minutes"></span> minutes</h2>
      <svg id="sparkline" viewBox="0 0 300 90" preserveAspectRatio="none" role="img" aria-label="documents answered per second"></svg>
      <div class="axis"><span id="peak"></span><span>now</span></div></div>
    <div class="panel"><h2>Dead letters by stage</h2><ul id="dead-stages" class="dead"></ul></div>
  </section>
  <section class="panel"><h2>Recent batches</h2>
    <table><thead><tr><th>Batch</th><th>Stage</th><th class="num">Answered</th><th class="num">OK</th><th class="num">Refused</th><th class="num">Dead</th><th>Replicas</th><th>Finished</th></tr></thead>
    <tbody id="batches"></tbody></table></section>
</main>
`;

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>k8s-pipe · pipeline dashboard</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${CLIENT_SCRIPT}</script></body>
</html>
`;
