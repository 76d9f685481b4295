// json-to-api in-process against a real api on loopback (or, where an api must misbehave in a
// way ours never does, a small stub): what a person can drop by hand, bulk requests the api
// refuses, a batch that never gets anywhere, and a stop in the middle of a batch.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { layout } from '../../lib/layout.ts';
import { newBatchId } from '../../lib/batches.ts';
import type { Running } from '../../lib/service.ts';
import { start as startApi } from '../../api/src/service.ts';
import { deadLettersOf, doneBatches, receiptsOf } from '../../../scripts/local/inspect.ts';
import { start, type JsonToApiOptions } from '../src/service.ts';

const DELIVERY_TIMEOUT = 30_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'json-to-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function api(o: { bulkLimit?: string } = {}): Promise<Running & { stats(): Promise<{ documents: { accepted: number; rejected: number }; replays: number }> }> {
  const a = await startApi({ pod: 'api-1', port: 0, host: '127.0.0.1', logLevel: 'silent', ...o });
  running.push(a);
  return { ...a, stats: async () => (await fetch(`http://127.0.0.1:${a.port}/stats`)).json() };
}

async function poster(name: string, apiPort: number, o: Partial<JsonToApiOptions> = {}) {
  const dataDir = path.join(tmp, name);
  const r = await start({ dataDir, apiUrl: `http://127.0.0.1:${apiPort}`, port: 0, host: '127.0.0.1', logLevel: 'silent', docLogLevel: 'silent', ...o });
  running.push(r);
  return { dataDir, l: layout(dataDir), running: r };
}

const doc = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ mod: '-rw-r--r--', no: '1', user: 'root', group: 'root', usrno: String(i), date: 'Nov 21 10:00', file: `/f/${i}`, ...extra });

/** Drops a batch into json/ under a batch id, as csv-to-json would. */
function drop(dataDir: string, name: string, lines: string[]): string {
  const batch = newBatchId(name);
  writeFileSync(layout(dataDir).input('json-to-api', batch), lines.join('\n') + '\n');
  return batch;
}

async function delivered(dataDir: string, batch: string) {
  await expect.poll(() => doneBatches(dataDir).find((b) => b.batch === batch), { timeout: DELIVERY_TIMEOUT, message: `${batch} delivered` }).toBeDefined();
  return doneBatches(dataDir).find((b) => b.batch === batch)!;
}

/** Each position 1..lines has exactly one receipt. */
function expectEachPositionOnce(dataDir: string, batch: string, lines: number) {
  const positions = receiptsOf(dataDir, batch).map((r) => r.pos);
  expect(positions.length, 'receipts').toBe(lines);
  expect(new Set(positions).size, 'distinct positions').toBe(lines);
  expect(Math.max(...positions)).toBe(lines);
}

describe('documents whose own line numbers mislead', () => {
  test.each(['single', 'bulk'] as const)(
    'when a hand-dropped batch repeats, omits, negates and inflates `line` (%s), then every document is posted once and the summary counts every input line',
    async (mode) => {
      const a = await api();
      const { dataDir } = await poster(`lines-${mode}`, a.port, { mode, bulkSize: 50 });
      const twice = Array.from({ length: 500 }, (_, i) => doc(i, { line: i + 1 }));
      const odd = [
        doc(1001),
        doc(1002, { line: -4 }),
        doc(1003, { line: 2 ** 32 + 1 }),
        doc(1004, { line: 1e9 }),
        doc(1005, { line: 2 ** 53 + 10 }),
        doc(1006, { line: 0 }),
        doc(1007, { line: 'seven' }),
      ];
      const lines = [...twice, ...twice, ...odd, ''];
      const batch = drop(dataDir, 'misleading', lines);
      const summary = await delivered(dataDir, batch);
      const posted = lines.length - 1;
      expect(summary).toMatchObject({ lines: lines.length, skipped: 1, invalid: 0 });
      expect(summary.ok + summary.rejected).toBe(posted);
      expectEachPositionOnce(dataDir, batch, lines.length);
      const stats = await a.stats();
      expect(stats.documents.accepted + stats.documents.rejected).toBe(posted);
      expect(stats.replays).toBe(0);
    },
  );
});

describe('bulk requests the api refuses as a whole', () => {
  test('when chunks exceed the api body limit (413) and one document can never fit, then chunks are split, the rest delivered, and that document rejected with the api reason', async () => {
    const a = await api({ bulkLimit: '20kb' });
    const { dataDir } = await poster('split-413', a.port, { mode: 'bulk', bulkSize: 500 });
    const lines = Array.from({ length: 1000 }, (_, i) => doc(i));
    lines.splice(700, 0, doc(99_999, { file: `/${'x'.repeat(30_000)}` }));
    const batch = drop(dataDir, 'too-big', lines);
    const summary = await delivered(dataDir, batch);
    expect(summary).toMatchObject({ lines: 1001, ok: 1000, rejected: 1, invalid: 0 });
    const [dead] = deadLettersOf(dataDir, batch);
    expect(deadLettersOf(dataDir, batch)).toHaveLength(1);
    expect(dead).toMatchObject({ stage: 'json-to-api', line: 701, reason: expect.stringMatching(/413 .*too large/), truncated: true });
    expectEachPositionOnce(dataDir, batch, 1001);
  });

  test('when the api answers 400 to any chunk holding a poisoned document, then the chunk is split until only those are refused', async () => {
    const stub = await stubApi((body) => (body.includes('poison') ? { status: 400, body: JSON.stringify({ error: 'poisoned chunk' }) } : undefined));
    const { dataDir } = await poster('split-400', stub.port, { mode: 'bulk', bulkSize: 64 });
    const lines = Array.from({ length: 300 }, (_, i) => doc(i, i % 97 === 5 ? { user: 'poison' } : {}));
    const batch = drop(dataDir, 'poisoned', lines);
    const summary = await delivered(dataDir, batch);
    const poisoned = lines.filter((l) => l.includes('poison')).length;
    expect(summary).toMatchObject({ lines: 300, ok: 300 - poisoned, rejected: poisoned });
    expect(deadLettersOf(dataDir, batch).map((d) => d.reason)).toEqual(Array(poisoned).fill('the api refused it: 400 poisoned chunk'));
    expectEachPositionOnce(dataDir, batch, 300);
  });

  test('when a batch never gets a usable answer, then after its attempts it is quarantined into dead/ with the reason and the next batch is delivered', async () => {
    const stub = await stubApi((body, key) => (key.includes('broken') ? { status: 200, body: '{"response":"ok","container":"stub"}\n' } : undefined));
    const { dataDir, l } = await poster('quarantine', stub.port, { mode: 'bulk', bulkSize: 10, retryMs: 20 });
    const broken = drop(
      dataDir,
      'broken',
      Array.from({ length: 30 }, (_, i) => doc(i)),
    );
    const fine = drop(
      dataDir,
      'fine',
      Array.from({ length: 30 }, (_, i) => doc(i)),
    );
    await delivered(dataDir, fine);
    await expect.poll(() => existsSync(l.quarantined(broken, 'json-to-api')), { timeout: DELIVERY_TIMEOUT, message: 'broken batch quarantined' }).toBe(true);
    expect(existsSync(l.input('json-to-api', broken))).toBe(false);
    expect(readFileSync(l.quarantined(broken, 'json-to-api'), 'utf8').split('\n').filter(Boolean)).toHaveLength(30);
    expect(deadLettersOf(dataDir, broken)).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^quarantined after 5 attempts .*bulk reply has 1 results for 10 documents/) }),
    ]);
    expect(doneBatches(dataDir).map((b) => b.batch)).toEqual([fine]);
  });
});

describe('a stop in the middle of a batch', () => {
  test.each(['single', 'bulk'] as const)(
    'when json-to-api is stopped mid-batch (%s), then no summary is written, the input stays, and a restart delivers every document exactly once',
    async (mode) => {
      const a = await api();
      const lines = Array.from({ length: mode === 'bulk' ? 60_000 : 4_000 }, (_, i) => doc(i, { line: i + 1 }));
      const first = await poster(`stop-${mode}`, a.port, { mode, bulkSize: 500 });
      const batch = drop(first.dataDir, 'stopped', lines);
      await expect.poll(() => receiptsOf(first.dataDir, batch).length, { timeout: DELIVERY_TIMEOUT, interval: 5 }).toBeGreaterThan(lines.length / 10);
      await running.pop()!.stop();
      const answered = receiptsOf(first.dataDir, batch).length;
      expect(answered).toBeLessThan(lines.length);
      expect(readdirSync(first.l.dir('done'))).toEqual([]);
      expect(existsSync(first.l.input('json-to-api', batch))).toBe(true);

      await poster(`stop-${mode}`, a.port, { mode, bulkSize: 500 });
      const summary = await delivered(first.dataDir, batch);
      expect(summary).toMatchObject({ lines: lines.length, ok: lines.length });
      expectEachPositionOnce(first.dataDir, batch, lines.length);
      expect((await a.stats()).documents.accepted).toBe(lines.length);
    },
  );
});

/** A loopback api for behaviour ours never shows: `misbehave` answers a bulk request, or undefined for a normal answer. */
async function stubApi(misbehave: (body: string, key: string) => { status: number; body: string } | undefined): Promise<{ port: number }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const odd = misbehave(body, String(req.headers['idempotency-key'] ?? ''));
        if (odd) return res.writeHead(odd.status, { 'content-type': 'application/json' }).end(odd.body);
        const n = body.split('\n').filter(Boolean).length;
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"response":"ok","container":"stub"}\n'.repeat(n));
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  running.push({ stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) });
  return { port: (server.address() as AddressInfo).port };
}
