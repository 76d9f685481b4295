import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { newBatchId, newCanaryId, partId } from '../../lib/batches.ts';
import { ensureLayout, type Layout } from '../../lib/layout.ts';
import { SINK } from '../../lib/pipeline.ts';
import { DashboardModel } from '../src/model.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'dashboard-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const window = { bucketMs: 5000, buckets: 60 };
const pods = ['api-1', 'api-2', 'api-3'];
const POSTED = 40;
const FINISHED = 25;
const DEAD = ['{"line":26}', '{"line":27}'];

function receipts(from: number, count: number, at: number): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ pos: from + i, outcome: 'ok', status: 200, pod: pods[(from + i) % pods.length], at })).join('\n') + '\n';
}

function podCounts(from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let line = from; line < to; line++) counts[pods[line % pods.length]!] = (counts[pods[line % pods.length]!] ?? 0) + 1;
  return counts;
}

describe('the dashboard model', () => {
  let l: Layout;
  const now = Date.now();
  const delivering = newBatchId('delivering', new Date(now - 2000));
  const finished = newBatchId('finished', new Date(now - 60_000));

  test('when one batch is being posted and one is done, then each shows its stage, answers and dead letters', async () => {
    l = await ensureLayout(path.join(root, 'data'));
    writeFileSync(l.input('json-to-api', delivering), '{}\n');
    writeFileSync(l.receipts(delivering), receipts(1, POSTED, now - 1000) + `{"pos":${POSTED + 1},"outc`);
    writeFileSync(l.receipts(finished), receipts(1, FINISHED, now - 50_000));
    writeFileSync(l.dead(finished, 'text-to-csv'), DEAD.join('\n') + '\n');
    writeFileSync(l.done(finished), JSON.stringify({ batch: finished, finishedAt: new Date(now - 49_000).toISOString() }));
    const model = new DashboardModel({ dataDir: l.root, recent: 10, window });

    const state = await model.refresh(now);

    expect(state.batches.map((b) => [b.batch, b.stage])).toEqual([
      [delivering, 'delivering'],
      [finished, 'done'],
    ]);
    expect(state.batches[0]).toMatchObject({ answered: POSTED, ok: POSTED, dead: 0, pods: podCounts(1, POSTED + 1) });
    expect(state.batches[1]).toMatchObject({ answered: FINISHED, dead: DEAD.length, finishedAt: new Date(now - 49_000).toISOString() });
    expect(state.inFlight).toBe(1);
    expect(state.documents).toBe(POSTED + FINISHED);
    expect(state.dead).toEqual({ total: DEAD.length, byStage: { 'text-to-csv': DEAD.length } });
    const all = podCounts(1, POSTED + 1);
    for (const [pod, n] of Object.entries(podCounts(1, FINISHED + 1))) all[pod] = (all[pod] ?? 0) + n;
    expect(state.replicas).toEqual(pods.map((pod) => ({ pod, documents: all[pod] })));
    expect(state.throughput.points.reduce((a, b) => a + b, 0)).toBe(POSTED + FINISHED);
  });

  test('when receipts grow, then only the new lines are added, and the cut-off line counts once it is finished', async () => {
    const model = new DashboardModel({ dataDir: l.root, recent: 10, window });
    const before = await model.refresh(now);
    const more = 9;
    appendFileSync(l.receipts(delivering), `ome":"ok","pod":"api-2","at":${now}}\n` + receipts(POSTED + 2, more, now));
    const after = await model.refresh(now);
    expect(after.batches[0]!.answered - before.batches[0]!.answered).toBe(more + 1);
  });

  test('when a done batch is read once, then later changes to its files are not read again', async () => {
    const model = new DashboardModel({ dataDir: l.root, recent: 10, window });
    const before = await model.refresh(now);
    appendFileSync(l.receipts(finished), receipts(100, 5, now));
    const after = await model.refresh(now);
    expect(after.batches[1]!.answered).toBe(before.batches[1]!.answered);
  });

  test('when the data directory is wiped (a reset), then its batches leave the page', async () => {
    const model = new DashboardModel({ dataDir: l.root, recent: 10, window });
    await model.refresh(now);
    for (const file of [l.input('json-to-api', delivering), l.receipts(delivering), l.receipts(finished), l.done(finished), l.dead(finished, 'text-to-csv')]) unlinkSync(file);
    const state = await model.refresh(now);
    expect(state).toMatchObject({ batches: [], documents: 0, replicas: [], dead: { total: 0 } });
  });

  test('when the data directory has no stage folders yet, then the state is empty rather than an error', async () => {
    const model = new DashboardModel({ dataDir: path.join(root, 'absent'), recent: 10, window });
    expect((await model.refresh(now)).batches).toEqual([]);
  });
});

describe('canary batches on the dashboard', () => {
  test('when a canary and a listing are in the pipeline, then only the canary is marked canary, whatever the listing was called', async () => {
    const l = await ensureLayout(path.join(root, 'canary'));
    const now = Date.now();
    const canary = newCanaryId(new Date(now - 1000));
    const named = newBatchId('canary', new Date(now - 2000));
    writeFileSync(l.input(SINK.name, canary), '{}\n');
    writeFileSync(l.input(SINK.name, named), '{}\n');
    const state = await new DashboardModel({ dataDir: l.root, recent: 10, window }).refresh(now);
    expect(state.batches.map((b) => [b.batch, b.canary])).toEqual([
      [canary, true],
      [named, false],
    ]);
  });
});

describe('a big listing on the dashboard', () => {
  test('when a listing is handed on in parts, then it is one row: as far as its least advanced part, with their answers and its own dead letters added up', async () => {
    const l = await ensureLayout(path.join(root, 'parts'));
    const now = Date.now();
    const big = newBatchId('big', new Date(now - 1000));
    const [p1, p2] = [partId(big, 1), partId(big, 2)];
    writeFileSync(l.dead(big, 'text-to-csv'), DEAD.join('\n') + '\n');
    writeFileSync(l.receipts(p1), receipts(1, FINISHED, now - 500));
    writeFileSync(l.done(p1), JSON.stringify({ batch: p1, finishedAt: new Date(now - 400).toISOString() }));
    writeFileSync(l.input(SINK.name, p2), '{}\n');
    writeFileSync(l.receipts(p2), receipts(1, POSTED, now - 100));
    const model = new DashboardModel({ dataDir: l.root, recent: 10, window });

    const delivering = await model.refresh(now);
    expect(delivering.batches).toEqual([
      expect.objectContaining({ batch: big, stage: 'delivering', parts: 2, answered: FINISHED + POSTED, ok: FINISHED + POSTED, dead: DEAD.length }),
    ]);
    expect(delivering.batches[0]).not.toHaveProperty('finishedAt');
    expect(delivering.inFlight).toBe(1);

    unlinkSync(l.input(SINK.name, p2));
    writeFileSync(l.done(p2), JSON.stringify({ batch: p2, finishedAt: new Date(now).toISOString() }));
    const done = await model.refresh(now);
    expect(done.batches).toEqual([expect.objectContaining({ batch: big, stage: 'done', parts: 2, finishedAt: new Date(now).toISOString() })]);
    expect(done.inFlight).toBe(0);
    expect(done.dead).toEqual({ total: DEAD.length, byStage: { 'text-to-csv': DEAD.length } });
  });
});

describe('the dashboard model over a long history', () => {
  test('when the volume keeps thousands of finished batches, then only the newest few and those in flight are read', async () => {
    const l = await ensureLayout(path.join(root, 'history'));
    const now = Date.now();
    const old = newBatchId('in-flight', new Date(now - 3 * 3600_000));
    writeFileSync(l.input('json-to-api', old), '{}\n');
    writeFileSync(l.receipts(old), receipts(1, 7, now));
    for (let i = 0; i < 3000; i++) {
      const b = newBatchId(`done-${i}`, new Date(now - 3600_000 + i * 1000));
      writeFileSync(l.receipts(b), receipts(1, 1, now));
      writeFileSync(l.done(b), '{}\n');
    }
    const state = await new DashboardModel({ dataDir: l.root, recent: 10, window }).refresh(now);
    expect(state.batches).toHaveLength(10);
    expect(state.inFlight).toBe(1);
    // Seven answers of the batch in flight and one each of the ten newest finished batches: nothing older was read.
    expect(state.documents).toBe(7 + 10);
  });
});
