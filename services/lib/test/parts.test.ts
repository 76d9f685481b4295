import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isBatchId, listingOf, newBatchId, partId } from '../batches.ts';
import { Parts } from '../parts.ts';

const HEADER = 'line,file\n';

function setup(partLines: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parts-'));
  const batch = newBatchId('listing');
  const handed: Array<{ part: string; rows: number }> = [];
  const parts = new Parts({
    batch,
    partLines,
    header: HEADER,
    tmpPath: path.join(dir, '.tmp'),
    pathOf: (id) => path.join(dir, `${id}.csv`),
    onPart: (part, rows) => handed.push({ part, rows }),
  });
  const files = () => readdirSync(dir).sort();
  const read = (id: string) => readFileSync(path.join(dir, `${id}.csv`), 'utf8');
  return { dir, batch, parts, handed, files, read };
}

/** `n` rows from `from`, each `from,name-from`, as one write. */
const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${from + i},name-${from + i}\n`).join('');

describe('a converter output handed on in parts', () => {
  test('when a batch fits in one part, then it is handed on under its own id, header first', async () => {
    const { batch, parts, handed, files, read } = setup(100);
    await parts.write(rows(1, 60), 60);
    await parts.write(rows(61, 40), 40);
    await parts.commit();
    expect(files()).toEqual([`${batch}.csv`]);
    expect(read(batch)).toBe(HEADER + rows(1, 100));
    expect(handed).toEqual([]);
  });

  test('when a write would take a part past its rows, then the part is handed on first, and the last on commit', async () => {
    const { batch, parts, handed, files, read } = setup(100);
    await parts.write(rows(1, 60), 60);
    await parts.write(rows(61, 40), 40);
    expect(files(), 'a part is handed on only once a write would overfill it').toEqual(['.tmp']);
    await parts.write(rows(101, 70), 70);
    expect(files()).toEqual(['.tmp', `${partId(batch, 1)}.csv`]);
    await parts.write(rows(171, 70), 70);
    await parts.commit();
    expect(files()).toEqual([1, 2, 3].map((n) => `${partId(batch, n)}.csv`));
    expect([1, 2, 3].map((n) => read(partId(batch, n)))).toEqual([HEADER + rows(1, 100), HEADER + rows(101, 70), HEADER + rows(171, 70)]);
    expect(handed).toEqual([
      { part: partId(batch, 1), rows: 100 },
      { part: partId(batch, 2), rows: 70 },
      { part: partId(batch, 3), rows: 70 },
    ]);
  });

  test('when one write holds more rows than a part, then it makes a part of its own rather than being split', async () => {
    const { batch, parts, files, read } = setup(100);
    await parts.write(rows(1, 150), 150);
    await parts.write(rows(151, 10), 10);
    await parts.commit();
    expect(files()).toEqual([1, 2].map((n) => `${partId(batch, n)}.csv`));
    expect(read(partId(batch, 1))).toBe(HEADER + rows(1, 150));
  });

  test('when a batch has no rows, then it is still handed on, as its header alone', async () => {
    const { batch, parts, files, read } = setup(100);
    await parts.commit();
    expect(files()).toEqual([`${batch}.csv`]);
    expect(read(batch)).toBe(HEADER);
  });

  test('when a batch is aborted, then the part being written is thrown away and those handed on stay, as a redo rewrites them alike', async () => {
    const { batch, parts, files, read } = setup(10);
    await parts.write(rows(1, 10), 10);
    await parts.write(rows(11, 5), 5);
    await parts.abort();
    expect(files()).toEqual([`${partId(batch, 1)}.csv`]);
    const first = read(partId(batch, 1));

    const dir = mkdtempSync(path.join(os.tmpdir(), 'parts-redo-'));
    const redo = new Parts({ batch, partLines: 10, header: HEADER, tmpPath: path.join(dir, '.tmp'), pathOf: (id) => path.join(dir, `${id}.csv`) });
    await redo.write(rows(1, 10), 10);
    await redo.write(rows(11, 5), 5);
    await redo.commit();
    expect(readFileSync(path.join(dir, `${partId(batch, 1)}.csv`), 'utf8')).toBe(first);
    expect(existsSync(path.join(dir, `${partId(batch, 2)}.csv`))).toBe(true);
  });
});

describe('part ids', () => {
  test('when a batch is cut in parts, then each part is a batch id of its own that sorts after the batch and in order', () => {
    const batch = newBatchId('x'.repeat(60));
    const ids = [1, 2, 10].map((n) => partId(batch, n));
    expect(ids.every(isBatchId)).toBe(true);
    expect([...ids].reverse().sort()).toEqual(ids);
    expect(ids.map(listingOf)).toEqual([batch, batch, batch]);
    expect(isBatchId(partId(partId(batch, 2), 1))).toBe(true);
  });

  test('when an id is no part, then it is its own batch, even one that ends much like a part', () => {
    const batch = newBatchId('listing');
    expect(listingOf(batch)).toBe(batch);
    expect(listingOf(`${batch}.pics`)).toBe(`${batch}.pics`);
    expect(listingOf(`${batch}.p2x`)).toBe(`${batch}.p2x`);
  });
});
