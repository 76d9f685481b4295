import { describe, expect, test } from 'vitest';
import { newBatchId } from '../batches.ts';
import { STAGE_DIRS } from '../layout.ts';
import { deadFileOf } from '../layout.ts';
import type { DirListing } from '../layout.ts';
import { SINK } from '../pipeline.ts';
import { batchProgress, PROGRESS } from '../progress.ts';

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
