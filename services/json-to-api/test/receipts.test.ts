import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { backoffMs } from '../src/backoff.ts';
import { loadReceipts, Positions, ReceiptLog } from '../src/receipts.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'receipts-'));

describe('the receipts ledger', () => {
  test('when positions are added, then each is counted once and lookups match', () => {
    const set = new Positions();
    expect([set.add(1), set.add(100_000), set.add(1), set.add(8)]).toEqual([true, true, false, true]);
    expect(set.size).toBe(3);
    expect([set.has(1), set.has(8), set.has(9), set.has(100_000), set.has(5_000_000)]).toEqual([true, true, false, true, false]);
  });

  test('when positions lie past 2^31 and 2^32, then none collides with a small one', () => {
    const set = new Positions();
    set.add(1);
    expect(set.has(2 ** 32 + 1)).toBe(false);
    expect(set.has(2 ** 31)).toBe(false);
    expect(() => set.add(0)).toThrow(RangeError);
    expect(() => set.add(-3)).toThrow(RangeError);
  });

  test('when a crash cut the last receipt short, then loading ignores it and the next write starts a fresh line', async () => {
    const file = path.join(dir, 'cut.ndjson');
    writeFileSync(file, '{"pos":1,"outcome":"ok","status":200,"pod":"api-1","at":1}\n{"pos":2,"outcome":"ok","sta');
    const { done, tally } = await loadReceipts(file);
    expect([done.has(1), done.has(2)]).toEqual([true, false]);
    expect(tally).toEqual({ ok: 1, rejected: 0, invalid: 0, skipped: 0, pods: { 'api-1': 1 } });

    const log = ReceiptLog.open(file);
    log.write([{ pos: 2, outcome: 'ok', status: 200, pod: 'api-2', at: 2 }]);
    log.close();
    const reloaded = await loadReceipts(file);
    expect([reloaded.done.has(1), reloaded.done.has(2)]).toEqual([true, true]);
    expect(reloaded.tally.pods).toEqual({ 'api-1': 1, 'api-2': 1 });
  });

  test('when a line was recorded twice, then it counts once', async () => {
    const file = path.join(dir, 'twice.ndjson');
    const receipt = '{"pos":7,"outcome":"ok","status":200,"pod":"api-1","at":1}\n';
    appendFileSync(file, receipt + receipt);
    const { done, tally } = await loadReceipts(file);
    expect(done.size).toBe(1);
    expect(tally.ok).toBe(1);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('backoff', () => {
  test('when attempts grow, then waits grow exponentially up to the cap, with jitter in the upper half', () => {
    const low = (n: number) => backoffMs(n, 100, 5000, () => 0);
    const high = (n: number) => backoffMs(n, 100, 5000, () => 1);
    expect([0, 1, 2, 3].map(high)).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map(low)).toEqual([50, 100, 200, 400]);
    expect(high(50)).toBe(5000);
  });
});
