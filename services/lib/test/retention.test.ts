import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { newBatchId } from '../batches.ts';
import { ensureLayout, STAGE_DIRS, type DirListing } from '../layout.ts';
import { planPrune, prune } from '../retention.ts';

const HOUR = 3600_000;
const now = Date.parse('2026-11-21T12:00:00Z');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'retention-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const at = (hoursAgo: number, name = 'b') => newBatchId(name, new Date(now - hoursAgo * HOUR));
const listing = (files: Partial<DirListing>): DirListing => ({ ...(Object.fromEntries(STAGE_DIRS.map((d) => [d, []])) as unknown as DirListing), ...files });
const finished = (b: string) => ({ receipts: [`${b}.ndjson`], done: [`${b}.json`], dead: [`${b}.text-to-csv.ndjson`, `${b}.json-to-api.ndjson`] });

describe('retention', () => {
  test('when a finished batch is older than the age limit, then its receipts, dead letters and summary go, the summary last', () => {
    const old = at(25);
    const plan = planPrune(listing(finished(old)), { maxAgeMs: 24 * HOUR, maxBatches: 100 }, now);
    expect(plan.get(old)).toEqual([`receipts/${old}.ndjson`, `dead/${old}.text-to-csv.ndjson`, `dead/${old}.json-to-api.ndjson`, `done/${old}.json`]);
  });

  test('when a batch is recent, then it stays; when there are more than the count limit, then the oldest go first', () => {
    const batches = [at(3, 'a'), at(2, 'b'), at(1, 'c')];
    const files = { receipts: batches.map((b) => `${b}.ndjson`), done: batches.map((b) => `${b}.json`) };
    expect([...planPrune(listing(files), { maxAgeMs: 24 * HOUR, maxBatches: 100 }, now).keys()]).toEqual([]);
    expect([...planPrune(listing(files), { maxAgeMs: 24 * HOUR, maxBatches: 1 }, now).keys()]).toEqual([batches[0], batches[1]]);
  });

  test('when an old batch still has an input in txt/, csv/ or json/, then nothing of it is touched', () => {
    const inFlight = [at(48, 'x'), at(48, 'y'), at(48, 'z')];
    const files = listing({
      txt: [`${inFlight[0]}.txt`],
      csv: [`${inFlight[1]}.csv`],
      json: [`${inFlight[2]}.ndjson`],
      receipts: [`${inFlight[2]}.ndjson`],
      dead: inFlight.map((b) => `${b}.text-to-csv.ndjson`),
    });
    expect(planPrune(files, { maxAgeMs: HOUR, maxBatches: 1 }, now).size).toBe(0);
  });

  test('when a quarantined input is old, then it goes with its batch', () => {
    const b = at(30);
    const plan = planPrune(listing({ dead: [`${b}.json-to-api.ndjson`, `${b}.json-to-api.quarantined`] }), { maxAgeMs: 24 * HOUR, maxBatches: 100 }, now);
    expect(plan.get(b)).toEqual([`dead/${b}.json-to-api.ndjson`, `dead/${b}.json-to-api.quarantined`]);
  });

  test('when the volume holds thousands of old batches beside a day of recent ones and one in flight, then a prune leaves exactly the recent and in-flight ones', async () => {
    const l = await ensureLayout(path.join(tmp, 'volume'));
    const old = Array.from({ length: 5000 }, (_, i) => at(24 + 1 + i / 60, `old${i}`));
    const recent = Array.from({ length: 1440 }, (_, i) => at(i / 60, `new${i}`));
    const flying = at(100, 'flying');
    for (const b of [...old, ...recent, flying]) {
      writeFileSync(l.receipts(b), '{}\n');
      writeFileSync(l.dead(b, 'csv-to-json'), '{}\n');
      if (b !== flying) writeFileSync(l.done(b), '{}\n');
    }
    writeFileSync(l.input('json-to-api', flying), '{}\n');
    mkdirSync(l.dir('done'), { recursive: true });

    const result = await prune(l, { maxAgeMs: 24 * HOUR, maxBatches: 10_000 }, now);
    expect(result).toEqual({ batches: 5000, files: 15_000 });
    expect(readdirSync(l.dir('done')).sort()).toEqual(recent.map((b) => `${b}.json`).sort());
    expect(readdirSync(l.dir('receipts'))).toHaveLength(1441);
    expect(existsSync(l.receipts(flying))).toBe(true);
    expect(await prune(l, { maxAgeMs: 24 * HOUR, maxBatches: 10_000 }, now)).toEqual({ batches: 0, files: 0 });
  });
});
