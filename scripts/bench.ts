// npm run bench: drops listings of several sizes into the local pipeline, once per posting
// mode, and prints end-to-end documents per second, the time from a small listing appearing to
// its first api answer, and, on Linux, each process's peak RSS.
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
import { startPipeline, type Pipeline } from './local/pipeline.ts';

const DELIVERY_TIMEOUT_MS = 30 * 60_000;
const LATENCY_SAMPLES = 5;
// Peak RSS is the kernel's VmHWM in /proc/<pid>/status; other systems keep no peak for another
// process that can be read while it runs.
const MEASURES_RSS = process.platform === 'linux';

interface Row {
  mode: string;
  lines: number;
  seconds: number;
  docsPerSecond: number;
  firstAckMs: number;
  /** Absent where it is not measured (not Linux). */
  peakRssMb?: Record<string, number>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-bench-'));
  const rows: Row[] = [];
  if (!MEASURES_RSS) console.log(`peak RSS: not measured on ${process.platform} (it is read from /proc, which only Linux has)`);
  // Measure what the containers run: the bundles, not TypeScript compiled on the fly.
  await bundle();
  try {
    for (const mode of settings.modes) {
      for (const lines of settings.sizes) {
        const listing = path.join(work, `listing-${lines}.txt`);
        writeFileSync(listing, syntheticListing(lines));
        const pipeline = await startPipeline({
          dataDir: path.join(work, `${mode}-${lines}`),
          replicas: local.replicas,
          schedule: false,
          bundled: true,
          env: { 'json-to-api': { POST_MODE: mode, DOC_LOG_LEVEL: 'debug', CONCURRENCY: mode === 'bulk' ? '6' : '32' } },
        });
        try {
          const firstAckMs = median(await sampleFirstAck(pipeline));
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
      lines: r.lines,
      'docs/s': r.docsPerSecond,
      'first ack ms': r.firstAckMs,
      'stage peak RSS MB': peak(r, isStage),
      'api peak RSS MB': peak(r, (n) => n.startsWith('api-')),
    })),
  );
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

function printRow(r: Row): void {
  const rss = r.peakRssMb
    ? `peak RSS MB: ${Object.entries(r.peakRssMb)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : 'peak RSS not measured';
  console.log(
    `${chalk.green('✓')} ${r.mode.padEnd(6)} ${String(r.lines).padStart(8)} lines  ${r.seconds.toFixed(1).padStart(6)} s  ${String(r.docsPerSecond).padStart(7)} docs/s  first ack ${r.firstAckMs} ms  ${rss}`,
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
