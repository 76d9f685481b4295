// npm run bench: drops listings of several sizes into the local pipeline, once per posting
// mode, and prints end-to-end documents per second, the time from a small listing appearing to
// its first api answer, the time a listing of getdata's size dropped by hand takes end to end,
// and, on Linux, each process's peak RSS. Single mode is printed beside the floor of its
// libraries (scripts/local/floor.ts), measured in the same run.
//
// Environment:
//   BENCH_SIZES     10000,100000,1000000   listing sizes in lines
//   BENCH_MODES     single,bulk            json-to-api posting modes
//   REPLICAS        3                      api replicas
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chalk } from 'zx';
import { bench as settings, local } from './lib/config.ts';
import { newBatchId } from '../services/lib/batches.ts';
import { layout } from '../services/lib/layout.ts';
import { DATA_STAGES } from '../services/lib/pipeline.ts';
import { bundle } from './lib/images.ts';
import { syntheticListing } from './local/fixtures.ts';
import { measureFloor, type Floor } from './local/floor.ts';
import { startPipeline, type Pipeline } from './local/pipeline.ts';

const DELIVERY_TIMEOUT_MS = 30 * 60_000;
const LATENCY_SAMPLES = 5;
// The small-batch row: a listing the size of getdata's own batches, dropped by hand (so the
// claim's settle is part of it), timed until its summary is in done/.
const SMALL_LINES = 3000;
const SMALL_SAMPLES = 3;
const CONCURRENCY = { single: 32, bulk: 6 } as const;
// Enough requests for the floor's rate to be its steady one.
const FLOOR_DOCS = 100_000;
// Peak RSS is the kernel's VmHWM in /proc/<pid>/status; other systems keep no peak for another
// process that can be read while it runs.
const MEASURES_RSS = process.platform === 'linux';

interface Row {
  mode: string;
  lines: number;
  /** Whether the listing was dropped by hand under a plain name (the small-batch row) rather than published by id. */
  byHand?: boolean;
  seconds: number;
  docsPerSecond: number;
  firstAckMs?: number;
  /** Absent where it is not measured (not Linux). */
  peakRssMb?: Record<string, number>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-bench-'));
  const rows: Row[] = [];
  if (!MEASURES_RSS) console.log(`peak RSS: not measured on ${process.platform} (it is read from /proc, which only Linux has)`);
  // Measure what the containers run: the bundles, not TypeScript compiled on the fly.
  await bundle();
  let floor: Floor | undefined;
  try {
    if (settings.modes.includes('single')) {
      floor = await measureFloor(FLOOR_DOCS, CONCURRENCY.single);
      console.log(
        `${chalk.green('✓')} floor  ${String(floor.docs).padStart(8)} docs   ${floor.seconds.toFixed(1).padStart(6)} s  ${String(floor.docsPerSecond).padStart(7)} docs/s  (node-fetch to express.json(), concurrency ${CONCURRENCY.single})`,
      );
    }
    for (const mode of settings.modes) {
      for (const [i, lines] of settings.sizes.entries()) {
        const listing = path.join(work, `listing-${lines}.txt`);
        writeFileSync(listing, syntheticListing(lines));
        const pipeline = await startPipeline({
          dataDir: path.join(work, `${mode}-${lines}`),
          replicas: local.replicas,
          schedule: false,
          bundled: true,
          env: { 'json-to-api': { POST_MODE: mode, DOC_LOG_LEVEL: 'debug', CONCURRENCY: String(CONCURRENCY[mode as keyof typeof CONCURRENCY] ?? CONCURRENCY.single) } },
        });
        try {
          const firstAckMs = median(await sampleFirstAck(pipeline));
          // Once per mode, in a pipeline that has just answered, as one left running by `npm start` has.
          if (i === 0) {
            const samples = await sampleSmallBatch(pipeline);
            const seconds = median(
              samples.map((ms) => ms / 1000),
              2,
            );
            rows.push({ mode, lines: SMALL_LINES, byHand: true, seconds, docsPerSecond: Math.round(SMALL_LINES / seconds) });
            printRow(rows[rows.length - 1]!, `samples ${samples.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
          }
          const seconds = await deliver(pipeline, listing);
          rows.push({ mode, lines, seconds, docsPerSecond: Math.round(lines / seconds), firstAckMs, peakRssMb: MEASURES_RSS ? peakRss(pipeline) : undefined });
          printRow(rows[rows.length - 1]!);
        } finally {
          await pipeline.stop();
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(chalk.bold('\nsummary'));
  const peak = (r: Row, names: (n: string) => boolean) =>
    r.peakRssMb
      ? Math.max(
          ...Object.entries(r.peakRssMb)
            .filter(([n]) => names(n))
            .map(([, mb]) => mb),
        )
      : 'not measured';
  // The stages that stream files; the memory bound is theirs.
  const isStage = (n: string) => (DATA_STAGES as readonly string[]).includes(n);
  console.table(
    rows.map((r) => ({
      mode: r.mode,
      lines: r.byHand ? `${r.lines} by hand` : r.lines,
      seconds: Number(r.seconds.toFixed(2)),
      'docs/s': r.docsPerSecond,
      'of floor': r.mode === 'single' && floor && !r.byHand ? `${Math.round((100 * r.docsPerSecond) / floor.docsPerSecond)} %` : '',
      'first ack ms': r.firstAckMs ?? '',
      'stage peak RSS MB': r.byHand ? '' : peak(r, isStage),
      'api peak RSS MB': r.byHand ? '' : peak(r, (n) => n.startsWith('api-')),
    })),
  );
  if (floor)
    console.log(`floor: ${floor.docsPerSecond} docs/s, a bare node-fetch client posting ${floor.docs} documents to a bare express.json() route, ${CONCURRENCY.single} in flight`);
}

/** End-to-end times (ms) of a listing copied into txt/ under a plain name, as a person would: written in place, then claimed once it holds still. */
async function sampleSmallBatch(p: Pipeline): Promise<number[]> {
  const l = layout(p.dataDir);
  const listing = syntheticListing(SMALL_LINES);
  const samples: number[] = [];
  for (let i = 0; i < SMALL_SAMPLES; i++) {
    const done = readdirSync(l.dir('done')).length;
    const started = performance.now();
    writeFileSync(l.file('txt', `dropped-${i}.txt`), listing);
    await waitDone(p, done + 1);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Time from a 10-line listing being published into txt/ as getdata does (renamed in under a batch id) to its first receipt. */
async function sampleFirstAck(p: Pipeline): Promise<number[]> {
  const l = layout(p.dataDir);
  const small = syntheticListing(10);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const before = new Set(readdirSync(l.dir('receipts')));
    const tmp = path.join(l.dir('.tmp'), `bench.small-${i}.txt`);
    writeFileSync(tmp, small);
    const started = performance.now();
    renameSync(tmp, l.output('getdata', newBatchId('bench-small')));
    for (;;) {
      const fresh = readdirSync(l.dir('receipts')).find((f) => !before.has(f));
      if (fresh && statSync(l.file('receipts', fresh)).size > 0) break;
      if (performance.now() - started > 10_000) throw new Error('no api answer within 10 s');
      await new Promise((r) => setImmediate(r));
    }
    samples.push(performance.now() - started);
    await waitDone(p, before.size + 1);
  }
  return samples;
}

async function deliver(p: Pipeline, listing: string): Promise<number> {
  const l = layout(p.dataDir);
  const doneBefore = readdirSync(l.dir('done')).length;
  const target = path.join(l.dir('.tmp'), 'bench.big.txt');
  renameSync(listing, target);
  const started = performance.now();
  renameSync(target, l.output('getdata', newBatchId('bench')));
  await waitDone(p, doneBefore + 1);
  return (performance.now() - started) / 1000;
}

async function waitDone(p: Pipeline, count: number): Promise<void> {
  const dir = layout(p.dataDir).dir('done');
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (readdirSync(dir).length < count) {
    if (Date.now() > deadline) throw new Error(`batch not delivered within ${DELIVERY_TIMEOUT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** VmHWM is the kernel's high-water mark of a process's resident memory. */
function peakRss(p: Pipeline): Record<string, number> {
  const out: Record<string, number> = {};
  for (const proc of p.processes.values()) {
    const status = readFileSync(`/proc/${proc.pid()}/status`, 'utf8');
    out[proc.name] = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  }
  return out;
}

function median(xs: number[], digits = 0): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)]!.toFixed(digits));
}

function printRow(r: Row, extra?: string): void {
  const rss = r.peakRssMb
    ? `peak RSS MB: ${Object.entries(r.peakRssMb)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : 'peak RSS not measured';
  console.log(
    `${chalk.green('✓')} ${r.mode.padEnd(6)} ${String(r.lines).padStart(8)} lines${r.byHand ? ' by hand' : ''}  ${r.seconds.toFixed(r.byHand ? 2 : 1).padStart(6)} s  ${String(r.docsPerSecond).padStart(7)} docs/s  ${
      r.byHand ? extra : `first ack ${r.firstAckMs} ms  ${rss}`
    }`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(chalk.red(`✗ ${(err as Error).message}`));
    console.error('Check the logs under the temporary data directory, then run: npm run bench');
    process.exit(1);
  },
);
