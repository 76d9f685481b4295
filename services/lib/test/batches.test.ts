import { describe, expect, test } from 'vitest';
import { batchOf, batchTime, isBatchId, isCanary, newBatchId, newCanaryId } from '../batches.ts';
import { deadFileOf } from '../layout.ts';

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
