// The api gone for five seconds while json-to-api posts: it waits, loses nothing, and every line
// is answered exactly once once the api is back. (Stops of the stages: stops.test.ts.)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { DEFAULTS } from '../../services/lib/config.ts';
import { layout } from '../../services/lib/layout.ts';
import { syntheticListing } from '../local/fixtures.ts';
import { doneBatches, dropListing, receiptsOf, waitingFiles } from '../local/inspect.ts';
import { startPipeline, type Pipeline, type PipelineOptions } from '../local/pipeline.ts';

const CONSUMED_TIMEOUT = 10_000;
const OUTAGE_MS = 5000;
const RECORDING_GRACE_MS = 500;
const DELIVERY_TIMEOUT = 120_000;
const MID_BATCH_TIMEOUT = 30_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'crash-'));
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function start(name: string, env: PipelineOptions['env'] = {}): Promise<Pipeline> {
  pipeline = await startPipeline({ dataDir: path.join(tmp, name), replicas: DEFAULTS.apiReplicas, schedule: false, env });
  return pipeline;
}

/** Polls until `condition` holds, as tightly as the file system allows, to catch a stage mid-batch. */
async function when(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + MID_BATCH_TIMEOUT;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function expectDeliveredOnce(p: Pipeline, lines: number): Promise<void> {
  await expect.poll(() => doneBatches(p.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'batch delivered' }).toBe(1);
  const [summary] = doneBatches(p.dataDir);
  const receipts = receiptsOf(p.dataDir, summary!.batch);
  const answered = receipts.filter((r) => r.outcome === 'ok').map((r) => r.line);
  expect(answered).toHaveLength(lines);
  expect(new Set(answered).size).toBe(lines);
  expect(summary).toMatchObject({ ok: lines, rejected: 0, invalid: 0 });
  await expect.poll(() => waitingFiles(p.dataDir), { timeout: CONSUMED_TIMEOUT, message: 'every stage consumed its input' }).toEqual({ txt: [], csv: [], json: [] });
  expect(readdirSync(layout(p.dataDir).dir('.tmp')).filter((f) => !f.startsWith('test.'))).toEqual([]);
}

describe('an api outage', () => {
  test(
    'when every api replica is down for 5 s during posting, then json-to-api waits and everything is delivered once they are back',
    async () => {
      const lines = 10_000;
      const p = await start('outage', { 'json-to-api': { DOC_LOG_LEVEL: 'debug' } });
      dropListing(p.dataDir, 'listing.txt', syntheticListing(lines));
      const receiptsFile = () => readdirSync(layout(p.dataDir).dir('receipts'))[0];
      await when(() => receiptsFile() !== undefined && receiptsOf(p.dataDir, receiptsFile()!.replace('.ndjson', '')).length > 500, 'posting has begun');
      await Promise.all(p.apiReplicas().map((r) => r.kill('SIGKILL')));
      // Replies that reached json-to-api just before the kill are still being recorded; after
      // that, nothing may be answered while the api is down.
      await new Promise((r) => setTimeout(r, RECORDING_GRACE_MS));
      const answeredWhileDown = receiptsOf(p.dataDir, receiptsFile()!.replace('.ndjson', '')).length;
      await new Promise((r) => setTimeout(r, OUTAGE_MS - RECORDING_GRACE_MS));
      expect(receiptsOf(p.dataDir, receiptsFile()!.replace('.ndjson', '')).length).toBe(answeredWhileDown);
      expect(doneBatches(p.dataDir)).toEqual([]);
      await Promise.all(p.apiReplicas().map((r) => r.restart()));
      await expectDeliveredOnce(p, lines);
    },
    DELIVERY_TIMEOUT + OUTAGE_MS + MID_BATCH_TIMEOUT,
  );
});
