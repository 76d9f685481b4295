import { describe, expect, test } from 'vitest';
import { newBatchId, partId } from '../batches.ts';
import { STAGE_DIRS } from '../layout.ts';
import { deadFileOf } from '../layout.ts';
import type { DirListing } from '../layout.ts';
import { SINK } from '../pipeline.ts';
import { batchProgress, byListing, PROGRESS } from '../progress.ts';

function listing(files: Partial<DirListing>): DirListing {
  return { ...(Object.fromEntries(STAGE_DIRS.map((d) => [d, []])) as unknown as DirListing), ...files };
}

describe('batch progress', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((s) => newBatchId(s));

  test('when each batch has files in different folders, then the furthest stage wins', () => {
    // The sink's input is json/ as the pipeline ships; after an inserted stage, that stage's folder.
    const sinkInput = SINK.input!;
    const waitingForSink = PROGRESS[PROGRESS.indexOf('delivering') - 1]!;
    const stages = batchProgress(
      listing({
        txt: [`${a}.txt`],
        csv: [`${b}.csv`, `${a}.csv`],
        [sinkInput.dir]: [`${c}${sinkInput.ext}`, `${d}${sinkInput.ext}`],
        receipts: [`${d}.ndjson`, `${e}.ndjson`],
        done: [`${e}.json`],
      }),
    );
    expect(Object.fromEntries(stages)).toEqual({ [a!]: 'csv', [b!]: 'csv', [c!]: waitingForSink, [d!]: 'delivering', [e!]: 'done' });
  });

  test('when a file is not named after a batch (a listing not claimed yet), then it is not a batch', () => {
    expect(batchProgress(listing({ txt: ['listing.txt', `${a}.txt`], csv: ['notes.csv'] })).size).toBe(1);
  });

  test('when a dead-letter file is named <batch>.<stage>.ndjson, then both parts are read back, dots in the batch and all', () => {
    const dotted = newBatchId('my.listing');
    expect(deadFileOf(`${dotted}.text-to-csv.ndjson`)).toEqual({ batch: dotted, stage: 'text-to-csv', kind: 'letters' });
    expect(deadFileOf(`${dotted}.json-to-api.quarantined`)).toEqual({ batch: dotted, stage: 'json-to-api', kind: 'quarantined' });
    expect(deadFileOf('random.ndjson')).toBeUndefined();
    expect(deadFileOf(`${dotted}.json-to-api.txt`)).toBeUndefined();
  });
});

describe('a listing handed on in parts', () => {
  const big = newBatchId('big');
  const small = newBatchId('small');
  const [p1, p2] = [partId(big, 1), partId(big, 2)];

  test('when the converter still writes its parts, then the listing is where its own file is, its parts gathered under it', () => {
    const listings = byListing(
      batchProgress(listing({ txt: [`${big}.txt`], csv: [`${p2}.csv`], receipts: [`${p1}.ndjson`, `${small}.ndjson`], done: [`${p1}.json`, `${small}.json`] })),
    );
    expect([...listings.keys()].sort()).toEqual([big, small].sort());
    expect(listings.get(big)).toEqual({
      progress: 'listed',
      members: new Map([
        [big, 'listed'],
        [p2, 'csv'],
        [p1, 'done'],
      ]),
    });
    expect(listings.get(small)).toEqual({ progress: 'done', members: new Map([[small, 'done']]) });
  });

  test('when every part is handed on, then the listing is as far as its least advanced part, and done once all are', () => {
    const sinkInput = SINK.input!;
    const waiting = byListing(batchProgress(listing({ [sinkInput.dir]: [`${p2}${sinkInput.ext}`], done: [`${p1}.json`] })));
    expect(waiting.get(big)?.progress).toBe(PROGRESS[PROGRESS.indexOf('delivering') - 1]);
    const done = byListing(batchProgress(listing({ done: [`${p1}.json`, `${p2}.json`] })));
    expect(done.get(big)?.progress).toBe('done');
  });
});
