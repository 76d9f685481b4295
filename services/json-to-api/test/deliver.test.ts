// deliverBatch's bookkeeping between posting and the receipts file. The poster here is a stand-in
// that answers on a timer, so the test controls when answers arrive; posting to a real api is
// covered by lifecycle.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { emptyTally, type Receipt } from '../../lib/receipt.ts';
import { deliverBatch } from '../src/deliver.ts';
import type { Poster } from '../src/poster.ts';
import { Positions, ReceiptLog } from '../src/receipts.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'deliver-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DOCS = 2000;
const CONCURRENCY = 16;

describe('receipts and requests in flight', () => {
  test('when answers arrive together, then they share a write, and a request starts only while no more than `concurrency` requests are unanswered or unrecorded', async () => {
    const input = path.join(tmp, 'batch.ndjson');
    writeFileSync(input, Array.from({ length: DOCS }, (_, i) => JSON.stringify({ line: i + 1, file: `/f/${i}` })).join('\n') + '\n');
    const log = ReceiptLog.open(path.join(tmp, 'receipts.ndjson'));
    let started = 0;
    let written = 0;
    let writes = 0;
    let mostOutstanding = 0;
    const write = log.write.bind(log);
    log.write = (receipts: Receipt[]) => {
      write(receipts);
      written += receipts.length;
      writes += 1;
    };
    // A crash loses the answers not yet in the receipts file, and those requests are sent again:
    // what may reach the api twice is bounded by requests started but not yet recorded.
    const poster: Poster = {
      async postOne() {
        started += 1;
        mostOutstanding = Math.max(mostOutstanding, started - written);
        await sleep(1);
        return { status: 200, pod: 'api-1' };
      },
      postBulk: () => Promise.reject(new Error('single mode only')),
      abortInFlight: () => {},
      close: () => {},
    };

    const lines = await deliverBatch({
      batch: 'b',
      input,
      poster,
      receipts: log,
      done: new Positions(),
      tally: emptyTally(),
      mode: 'single',
      concurrency: CONCURRENCY,
      bulkSize: 500,
      logger: createLogger('json-to-api', 'silent'),
      docLogLevel: 'debug',
      signal: new AbortController().signal,
    });
    log.close();

    expect(lines).toBe(DOCS);
    expect(written).toBe(DOCS);
    expect(mostOutstanding).toBeLessThanOrEqual(CONCURRENCY);
    expect(writes).toBeLessThan(DOCS / 2);
  });
});
