import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { batchOf, batchTime, claimFile, isBatchId, isCanary, newBatchId, newCanaryId } from '../batches.ts';
import { deadFileOf, ensureLayout } from '../layout.ts';
import { createLogger } from '../logger.ts';

describe('canary batch ids', () => {
  const now = new Date('2026-11-22T02:55:01.234Z');

  test('when a canary id is made, then it is a batch id that sorts by its time and is marked canary', () => {
    const id = newCanaryId(now);
    expect(isBatchId(id)).toBe(true);
    expect(batchTime(id)).toBe(now.getTime());
    expect(isCanary(id)).toBe(true);
    expect(batchOf(`${id}.txt`, '.txt')).toBe(id);
  });

  test('when a canary has a dead-letter file, then its batch and stage are read back whole', () => {
    const id = newCanaryId(now);
    expect(deadFileOf(`${id}.text-to-csv.ndjson`)).toEqual({ batch: id, stage: 'text-to-csv', kind: 'letters' });
  });

  test('when a person drops a file named canary, then the batch it is claimed as is no canary', () => {
    for (const name of ['canary', 'canary.3fa9c1', 'x-canary.3fa9c1']) expect(isCanary(newBatchId(name, now)), name).toBe(false);
    expect(isCanary(newBatchId('getdata', now))).toBe(false);
  });

  test('when a name only ends like a canary, then it is no canary unless it is a batch id', () => {
    expect(isCanary('notabatch-canary.3fa9c1')).toBe(false);
  });
});

describe('claiming a file dropped by hand', () => {
  test('when a copy is still being written, with pauses shorter than the settle, then it is claimed whole, after its last write', async () => {
    const l = await ensureLayout(mkdtempSync(path.join(os.tmpdir(), 'claim-')));
    const file = l.file('txt', 'copy in progress.txt');
    const parts = Array.from({ length: 8 }, (_, i) => `line ${i}\n`);
    writeFileSync(file, parts[0]!);
    const claimed = claimFile(l, 'txt', 'copy in progress.txt', '.txt', 150, createLogger('test', 'silent'));
    for (const part of parts.slice(1)) {
      await sleep(60);
      appendFileSync(file, part);
    }
    await claimed;
    const names = readdirSync(l.dir('txt'));
    expect(names).toHaveLength(1);
    expect(batchOf(names[0]!, '.txt')).toMatch(/-copy-in-progress-[0-9a-f]{6}$/);
    expect(readFileSync(l.file('txt', names[0]!), 'utf8')).toBe(parts.join(''));
  });

  test('when the stage stops while a file settles, then the file is left under its own name', async () => {
    const l = await ensureLayout(mkdtempSync(path.join(os.tmpdir(), 'claim-')));
    writeFileSync(l.file('txt', 'dropped.txt'), 'x\n');
    const stopping = new AbortController();
    const claimed = claimFile(l, 'txt', 'dropped.txt', '.txt', 10_000, createLogger('test', 'silent'), stopping.signal);
    stopping.abort(new Error('stopping'));
    await expect(claimed).rejects.toThrow();
    expect(readdirSync(l.dir('txt'))).toEqual(['dropped.txt']);
  });
});
