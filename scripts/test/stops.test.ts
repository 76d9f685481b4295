// The fault-injection matrix: each data stage is stopped with SIGTERM (a rollout, Ctrl-C) and
// with SIGKILL (a crash) at seeded random points in a 50,000-line batch, several times over,
// and restarted each time; each converter also while it hands the batch on in parts. Afterwards every line is answered exactly once, no summary is short
// of its input and nothing is left behind. Requests in flight at a SIGKILL may reach the api
// twice; nothing else may. Replay a run with the seed it prints: STOP_SEED=<n>.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { listingOf } from '../../services/lib/batches.ts';
import { DEFAULTS } from '../../services/lib/config.ts';
import { layout } from '../../services/lib/layout.ts';
import { HANDOVER_DIRS, SINK, stageOf, stagesOf, type ServiceName } from '../../services/lib/pipeline.ts';
import { syntheticListing } from '../local/fixtures.ts';
import { doneBatches, dropListing, receiptsOf, waitingFiles } from '../local/inspect.ts';
import { startPipeline, type Pipeline } from '../local/pipeline.ts';
import { spawnService, type ServiceProcess } from '../local/processes.ts';
import { tests } from '../lib/config.ts';

const LINES = 50_000;
const STOPS = 3;
const CONCURRENCY = 16;
const BULK_SIZE = 500;
// Small enough to cut the batch in parts.
const PART_LINES = 20_000;
const CASE_TIMEOUT = 400_000;
const DELIVERY_TIMEOUT = 150_000;
const PROGRESS_TIMEOUT = 150_000;
const SEED = tests.stopSeed ?? Math.floor(Math.random() * 2 ** 31);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stops-'));
const rows: Row[] = [];

interface Row {
  stage: string;
  mode: string;
  signal: string;
  stops: number;
  midBatch: number;
  lines: number;
  lost: number;
  duplicates: number;
  replays: number;
  stopMs: number[];
}

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\nstop matrix, seed ${SEED} (replay: STOP_SEED=${SEED} npx vitest run scripts/test/stops.test.ts)`);
  console.table(rows.map((r) => ({ ...r, stopMs: r.stopMs.length ? `${Math.min(...r.stopMs)}–${Math.max(...r.stopMs)}` : '-' })));
});

/** mulberry32: small, seedable, good enough to spread stop points. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** STOPS points in (0.05, 0.9), in increasing order, so a resuming stage meets each in turn. */
const stopPoints = (rand: () => number) => Array.from({ length: STOPS }, () => 0.05 + rand() * 0.85).sort((a, b) => a - b);

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Waits until `progress()` reaches `point` (true: caught mid-batch), or the batch is delivered before it does (false). */
async function until(progress: () => number, delivered: () => boolean, point: number): Promise<boolean> {
  const deadline = Date.now() + PROGRESS_TIMEOUT;
  while (Date.now() < deadline) {
    if (progress() >= point) return true;
    if (delivered()) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no progress to ${point.toFixed(2)} within ${PROGRESS_TIMEOUT} ms`);
}

async function stopAndRestart(p: ServiceProcess, signal: NodeJS.Signals, row: Row): Promise<void> {
  const started = Date.now();
  await p.kill(signal);
  row.stopMs.push(Date.now() - started);
  row.stops += 1;
  await p.restart();
  await p.ready();
}

async function acceptedByApi(p: Pipeline): Promise<{ accepted: number; replays: number }> {
  const stats = await Promise.all(p.apiReplicas().map((r) => fetch(`http://127.0.0.1:${r.port}/stats`).then((res) => res.json())));
  return { accepted: stats.reduce((n, s) => n + s.documents.accepted, 0), replays: stats.reduce((n, s) => n + s.replays, 0) };
}

/**
 * The listing delivered in full, each of its lines once, whether as one batch or in parts, and
 * nothing left in any stage, temp or dead folder.
 */
async function expectWhole(p: Pipeline, row: Row, parted = false): Promise<void> {
  const l = layout(p.dataDir);
  await expect.poll(() => doneBatches(p.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'batches delivered' }).toBeGreaterThanOrEqual(1);
  await expect
    .poll(() => waitingFiles(p.dataDir), { timeout: DELIVERY_TIMEOUT, message: 'every stage consumed its input' })
    .toEqual(Object.fromEntries(HANDOVER_DIRS.map((d) => [d, []])));
  const summaries = doneBatches(p.dataDir);
  if (parted) expect(summaries.length, 'parts the listing was handed on in').toBeGreaterThan(1);
  else expect(summaries).toHaveLength(1);
  const listingLines: number[] = [];
  for (const summary of summaries) {
    const answered = receiptsOf(p.dataDir, summary.batch).filter((r) => r.outcome === 'ok');
    const positions = answered.map((r) => r.pos);
    expect(summary, `summary of ${summary.batch}`).toMatchObject({ lines: summary.ok, rejected: 0, invalid: 0 });
    expect(positions).toHaveLength(summary.lines);
    expect(new Set(positions).size).toBe(summary.lines);
    listingLines.push(...answered.map((r) => r.line!));
  }
  expect(new Set(listingLines).size, 'listing lines answered').toBe(row.lines);
  expect(listingLines).toHaveLength(row.lines);
  expect(
    readdirSync(l.dir('.tmp')).filter((f) => !f.startsWith('test.')),
    'temp files left',
  ).toEqual([]);
  expect(readdirSync(l.dir('dead')), 'dead letters or quarantined batches').toEqual([]);
  const api = await acceptedByApi(p);
  row.lost = row.lines - listingLines.length;
  row.duplicates = api.accepted - row.lines;
  row.replays = api.replays;
  expect(row.lost).toBe(0);
  expect(row.duplicates).toBeGreaterThanOrEqual(0);
}

// Every file stage of services/lib/pipeline.ts, and the sink in each posting mode.
// A converter also in parts (services/lib/parts.ts): the parts it hands on before a stop are
// handed on again by the redo.
const converterCases = stagesOf('file-stage').flatMap(({ name: stage }) =>
  [undefined, PART_LINES].flatMap((partLines) =>
    (['SIGTERM', 'SIGKILL'] as const).map((signal) => ({ stage, mode: 'bulk' as const, signal, partLines, handedOn: partLines ? `in parts of ${partLines} lines` : 'whole' })),
  ),
);
const posterCases = (['single', 'bulk'] as const).flatMap((mode) =>
  (['SIGTERM', 'SIGKILL'] as const).map((signal) => ({ stage: SINK.name, mode, signal, partLines: undefined, handedOn: 'whole' })),
);

describe('a data stage stopped at random points in a 50,000-line batch', () => {
  test.each([...converterCases, ...posterCases].map((c, i) => ({ ...c, seed: SEED + i })))(
    'when $stage ($mode, $handedOn) gets $signal mid-batch and restarts, again and again, then every line is answered once and nothing is left behind',
    async ({ stage, mode, signal, partLines, seed }) => {
      const rand = random(seed);
      const row: Row = { stage: partLines ? `${stage} in parts` : stage, mode, signal, stops: 0, midBatch: 0, lines: LINES, lost: 0, duplicates: 0, replays: 0, stopMs: [] };
      rows.push(row);
      const p = await startPipeline({
        dataDir: path.join(tmp, `${stage}-${mode}-${signal}-${partLines ?? 'whole'}`),
        replicas: DEFAULTS.apiReplicas,
        schedule: false,
        env: {
          'json-to-api': { POST_MODE: mode, CONCURRENCY: String(CONCURRENCY), BULK_SIZE: String(BULK_SIZE), DOC_LOG_LEVEL: 'debug' },
          ...(partLines ? { [stage]: { PART_LINES: String(partLines) } } : {}),
        },
      });
      try {
        const listing = syntheticListing(LINES);
        dropListing(p.dataDir, 'big.txt', listing);
        // A part's summary can come before the rest of the listing is handed on.
        const delivered = () => doneBatches(p.dataDir).length > 0 && Object.values(waitingFiles(p.dataDir)).every((files) => files.length === 0);
        // In parts, the first stop comes as soon as a part is handed on: its redo hands it on again.
        if (partLines) {
          if (await until(() => Math.min(partsSeen(p), 1), delivered, 1)) row.midBatch += 1;
          await stopAndRestart(p.get(stage), signal, row);
        }
        for (const point of stopPoints(rand)) {
          if (await until(progressOf(p, stage, Buffer.byteLength(listing)), delivered, point)) row.midBatch += 1;
          await stopAndRestart(p.get(stage), signal, row);
        }
        await expectWhole(p, row, partLines !== undefined);
        expect(row.midBatch, 'stops that landed mid-batch').toBeGreaterThan(0);
        // Only a crash can leave requests whose answers never reached the receipts.
        if (signal === 'SIGTERM') expect(row.duplicates).toBe(0);
        else expect(row.duplicates).toBeLessThanOrEqual(stage === SINK.name ? STOPS * CONCURRENCY * (mode === 'bulk' ? BULK_SIZE : 1) : 0);
      } finally {
        await p.stop();
      }
    },
    CASE_TIMEOUT,
  );
});

describe('getdata stopped at random points while it lists 50,000 entries', () => {
  const tree = path.join(tmp, 'tree');
  test.each((['SIGTERM', 'SIGKILL'] as const).map((signal, i) => ({ signal, seed: SEED + 100 + i })))(
    'when getdata gets $signal three times while listing and restarts, then only whole listings are published and each is answered once',
    async ({ signal, seed }) => {
      const rand = random(seed);
      makeTree(tree, LINES);
      const row: Row = { stage: 'getdata', mode: 'bulk', signal, stops: 0, midBatch: 0, lines: LINES, lost: 0, duplicates: 0, replays: 0, stopMs: [] };
      rows.push(row);
      const p = await startPipeline({
        dataDir: path.join(tmp, `getdata-${signal}`),
        replicas: DEFAULTS.apiReplicas,
        schedule: false,
        env: { 'json-to-api': { POST_MODE: 'bulk', DOC_LOG_LEVEL: 'debug' } },
      });
      const getdata = await spawnService({
        service: 'getdata',
        name: 'getdata',
        logDir: p.logDir,
        env: { DATA_DIR: p.dataDir, LIST_ROOT: tree, MAX_FILES: String(LINES * 2), SCHEDULE: '0 0 1 1 *' },
      });
      try {
        // A listing of the tree has two phases, find and then ls; stop points are spread over the time a whole one takes.
        const whole = await timeOneListing(p, getdata);
        for (const point of stopPoints(rand)) {
          const published = batchesSeen(p);
          await new Promise((r) => setTimeout(r, point * whole));
          if (batchesSeen(p) === published) row.midBatch += 1;
          await stopAndRestart(getdata, signal, row);
        }
        await getdata.kill('SIGTERM');
        await expectWhole(p, row);
        expect(row.midBatch, 'stops that landed mid-listing').toBeGreaterThan(0);
        expect(row.duplicates).toBe(0);
      } finally {
        await getdata.kill('SIGKILL');
        await p.stop();
      }
    },
    CASE_TIMEOUT,
  );
});

/** How far the stage is through the batch, from the size of what it has written so far. */
function progressOf(p: Pipeline, stage: ServiceName, inputBytes: number): () => number {
  const l = layout(p.dataDir);
  const tempOf = () => readdirSync(l.dir('.tmp')).find((f) => f.startsWith(`${stage}.`));
  if (stage !== SINK.name) {
    // What the stage has written: the parts it handed on, each seen while it waits for the next
    // stage, and the file it writes now. CSV is about the listing's size, NDJSON about twice it:
    // either way the fraction is of the input.
    const outDir = l.dir(stageOf(stage).output!.dir);
    const handedOn = new Map<string, number>();
    return () => {
      for (const f of readdirSync(outDir)) handedOn.set(f, Math.max(handedOn.get(f) ?? 0, sizeOf(path.join(outDir, f))));
      const t = tempOf();
      return ([...handedOn.values()].reduce((a, b) => a + b, 0) + (t ? sizeOf(path.join(l.dir('.tmp'), t)) : 0)) / inputBytes;
    };
  }
  // Receipts differ in length only by their numbers' digits: the first one gives the scale.
  let perReceipt = 0;
  return () => {
    const r = readdirSync(l.dir('receipts'))[0];
    if (!r) return 0;
    const file = path.join(l.dir('receipts'), r);
    perReceipt ||= readFileSync(file, 'utf8').indexOf('\n') + 1;
    return perReceipt > 0 ? sizeOf(file) / (LINES * perReceipt) : 0;
  };
}

/** The batches and parts published so far, wherever they are now. */
function idsSeen(p: Pipeline): Set<string> {
  const l = layout(p.dataDir);
  return new Set([...HANDOVER_DIRS, SINK.output!.dir].flatMap((d) => readdirSync(l.dir(d)).map((f) => f.slice(0, f.lastIndexOf('.')))));
}

/** How many parts of batches have been handed on so far. */
function partsSeen(p: Pipeline): number {
  return [...idsSeen(p)].filter((id) => listingOf(id) !== id).length;
}

/** How many batches have been published so far. */
function batchesSeen(p: Pipeline): number {
  return idsSeen(p).size;
}

/**
 * getdata starts its listing before it answers /readyz: this times one listing from ready to
 * published, the same span each restart below waits in, then lets it be delivered.
 */
async function timeOneListing(p: Pipeline, getdata: ServiceProcess): Promise<number> {
  await getdata.ready();
  const started = Date.now();
  await expect.poll(() => readdirSync(layout(p.dataDir).dir('txt')).length + doneBatches(p.dataDir).length, { timeout: PROGRESS_TIMEOUT, interval: 5 }).toBeGreaterThan(0);
  const whole = Date.now() - started;
  await expect.poll(() => doneBatches(p.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'first listing delivered' }).toBe(1);
  await getdata.restart('SIGTERM');
  await getdata.ready();
  return whole;
}

function makeTree(root: string, files: number): void {
  if (readdirSync(path.dirname(root)).includes(path.basename(root))) return;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}`), '');
  }
}
