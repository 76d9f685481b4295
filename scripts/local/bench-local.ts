// The bench's local target: each listing dropped into a fresh local pipeline running the bundles
// the images run, and, on Linux, each process's peak RSS and CPU time. Single mode is measured
// beside the floor of its libraries (floor.ts), in the same run.
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bench as settings, local } from '../lib/config.ts';
import { listingOf, newBatchId } from '../../services/lib/batches.ts';
import { layout } from '../../services/lib/layout.ts';
import { DATA_STAGES } from '../../services/lib/pipeline.ts';
import { bundle } from '../lib/images.ts';
import {
  concurrencyOf,
  CONCURRENCY,
  HAND_DROPS,
  LATENCY_SAMPLES,
  median,
  printCpu,
  printFloor,
  printRow,
  SMALL_LINES,
  SMALL_SAMPLES,
  type BenchResult,
  type HandDrop,
  type Row,
} from '../lib/bench-table.ts';
import { syntheticListing } from './fixtures.ts';
import { measureFloor, type Floor } from './floor.ts';
import { cpuSeconds, HAS_PROC, peakRssMb } from './proc.ts';
import { isDelivered, summariesOf } from './inspect.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';

const DELIVERY_TIMEOUT_MS = 30 * 60_000;
// Enough requests for the floor's rate to be its steady one.
const FLOOR_DOCS = 100_000;
const PEAK = 'peak RSS';
// The bench's own process, which holds the local Service stand-in (balancer.ts) and watches done/.
const BENCH = 'bench and balancer';
const STAGE_LOG_WAIT_MS = 5000;

export async function benchLocal(): Promise<BenchResult> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-bench-'));
  const rows: Row[] = [];
  if (!HAS_PROC) console.log(`peak RSS and CPU time: not measured on ${process.platform} (they are read from /proc, which only Linux has)`);
  // Measure what the containers run: the bundles, not TypeScript compiled on the fly.
  await bundle();
  let floor: Floor | undefined;
  try {
    if (settings.modes.includes('single')) {
      floor = await measureFloor(FLOOR_DOCS, CONCURRENCY.single);
      printFloor(floor);
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
          env: { 'json-to-api': { POST_MODE: mode, DOC_LOG_LEVEL: 'debug', CONCURRENCY: String(concurrencyOf(mode)) } },
        });
        try {
          const firstAckMs = median(await sampleFirstAck(pipeline));
          // Once per mode, in a pipeline that has just answered, as one left running by `npm start` has.
          if (i === 0) {
            for (const how of HAND_DROPS) {
              const samples = await sampleSmallBatch(pipeline, how, work);
              const seconds = median(
                samples.map((ms) => ms / 1000),
                2,
              );
              rows.push({ mode, lines: SMALL_LINES, byHand: how, seconds });
              printRow(rows[rows.length - 1]!, PEAK, `samples ${samples.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
            }
          }
          const cpuBefore = HAS_PROC ? cpuOf(pipeline) : undefined;
          const { seconds, batch } = await deliver(pipeline, listing);
          rows.push({
            mode,
            lines,
            seconds,
            firstAckMs,
            peakMb: HAS_PROC ? peakRss(pipeline) : undefined,
            cpuSeconds: cpuBefore && since(cpuBefore, cpuOf(pipeline)),
            ...(await stageSeconds(pipeline, batch)),
          });
          printRow(rows[rows.length - 1]!, PEAK);
          printCpu(rows[rows.length - 1]!);
        } finally {
          await pipeline.stop();
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { rows, floor, peakLabel: PEAK };
}

/**
 * End-to-end times (ms) of a listing dropped into txt/ under a plain name, as a person would:
 * `cp` writes it in place (the clock starts before the write); `mv` renames in one written
 * before the samples began (the clock starts at the rename).
 */
async function sampleSmallBatch(p: Pipeline, how: HandDrop, work: string): Promise<number[]> {
  const l = layout(p.dataDir);
  const listing = syntheticListing(SMALL_LINES);
  const aside = (i: number) => path.join(work, `dropped-${how}-${i}.txt`);
  // Written a minute before, as a listing someone made earlier and now moves in.
  const earlier = Date.now() / 1000 - 60;
  if (how === 'mv')
    for (let i = 0; i < SMALL_SAMPLES; i++) {
      writeFileSync(aside(i), listing);
      utimesSync(aside(i), earlier, earlier);
    }
  const samples: number[] = [];
  for (let i = 0; i < SMALL_SAMPLES; i++) {
    const done = readdirSync(l.dir('done')).length;
    const target = l.file('txt', `dropped-${how}-${i}.txt`);
    const started = performance.now();
    if (how === 'mv') renameSync(aside(i), target);
    else writeFileSync(target, listing);
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
      // A timer, not setImmediate: a busy loop here would take one of the cores the pipeline runs on.
      await new Promise((r) => setTimeout(r, 1));
    }
    samples.push(performance.now() - started);
    await waitDone(p, before.size + 1);
  }
  return samples;
}

async function deliver(p: Pipeline, listing: string): Promise<{ seconds: number; batch: string }> {
  const l = layout(p.dataDir);
  const target = path.join(l.dir('.tmp'), 'bench.big.txt');
  renameSync(listing, target);
  const batch = newBatchId('bench');
  const started = performance.now();
  renameSync(target, l.output('getdata', batch));
  await waitFor(() => isDelivered(p.dataDir, batch));
  return { seconds: (performance.now() - started) / 1000, batch };
}

/**
 * Each stage's own time for the batch, from its "batch done" log lines: summed over the parts a
 * big batch is handed on in. json-to-api's last may come a moment after the summary.
 */
async function stageSeconds(p: Pipeline, batch: string): Promise<{ stageSeconds: Record<string, number>; parts: number }> {
  const out: Record<string, number> = {};
  const deadline = Date.now() + STAGE_LOG_WAIT_MS;
  const parts = summariesOf(p.dataDir, batch).length;
  // The first stage reads the batch whole; those after it, each part.
  for (const [i, stage] of DATA_STAGES.entries()) {
    for (;;) {
      const done = readFileSync(path.join(p.logDir, `${stage}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"batch done"'))
        .map((line) => JSON.parse(line) as { batch: string; ms: number })
        .filter((line) => listingOf(line.batch) === batch);
      if (done.length === (i === 0 ? 1 : parts)) {
        out[stage] = done.reduce((ms, line) => ms + line.ms, 0) / 1000;
        break;
      }
      if (Date.now() > deadline) throw new Error(`${stage} logged ${done.length} "batch done" for ${batch} and its parts, not ${i === 0 ? 1 : parts}; see ${p.logDir}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { stageSeconds: out, parts };
}

function waitDone(p: Pipeline, count: number): Promise<void> {
  const dir = layout(p.dataDir).dir('done');
  return waitFor(() => readdirSync(dir).length >= count);
}

async function waitFor(delivered: () => boolean): Promise<void> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (!delivered()) {
    if (Date.now() > deadline) throw new Error(`batch not delivered within ${DELIVERY_TIMEOUT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function peakRss(p: Pipeline): Record<string, number> {
  return Object.fromEntries([...p.processes.values()].map((proc) => [proc.name, peakRssMb(proc.pid()!)]));
}

/** CPU seconds used so far by each process of the pipeline, and by the bench's own. */
function cpuOf(p: Pipeline): Record<string, number> {
  const own = process.cpuUsage();
  return { ...Object.fromEntries([...p.processes.values()].map((proc) => [proc.name, cpuSeconds(proc.pid()!)])), [BENCH]: (own.user + own.system) / 1e6 };
}

function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, s]) => [name, s - (before[name] ?? 0)]));
}
