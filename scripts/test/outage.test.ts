// SIGKILL at the worst moments: each stage mid-batch, and the api gone for five seconds.
// Whatever happens, every line is answered exactly once in the receipts.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { layout } from '../../services/lib/layout.ts';
import { syntheticListing } from '../local/fixtures.ts';
import { doneBatches, dropListing, receiptsOf, waitingFiles } from '../local/inspect.ts';
import { startPipeline, type Pipeline, type PipelineOptions } from '../local/pipeline.ts';
import { spawnService } from '../local/processes.ts';

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
  pipeline = await startPipeline({ dataDir: path.join(tmp, name), replicas: 3, schedule: false, env });
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

const tempOf = (p: Pipeline, stage: string) => () => readdirSync(layout(p.dataDir).dir('.tmp')).some((f) => f.startsWith(`${stage}.`));

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

async function acceptedByApi(p: Pipeline): Promise<number> {
  const stats = await Promise.all(p.apiReplicas().map((r) => fetch(`http://127.0.0.1:${r.port}/stats`).then((res) => res.json())));
  return stats.reduce((sum, s) => sum + (s.documents.accepted as number), 0);
}

describe('a stage killed in the middle of a batch', () => {
  test.each(['text-to-csv', 'csv-to-json'])('when %s is SIGKILLed mid-batch and restarted, then no line is lost or answered twice', async (stage) => {
    const lines = 200_000;
    const p = await start(stage, { 'json-to-api': { POST_MODE: 'bulk', DOC_LOG_LEVEL: 'debug' } });
    dropListing(p.dataDir, 'big.txt', syntheticListing(lines));
    await when(tempOf(p, stage), `${stage} is writing its output`);
    await p.get(stage).restart('SIGKILL');
    await p.get(stage).ready();
    await expectDeliveredOnce(p, lines);
  });

  test('when json-to-api is SIGKILLed mid-batch and restarted, then it resumes, and only requests in flight are sent again', async () => {
    const lines = 20_000;
    const concurrency = 16;
    const p = await start('json-to-api', { 'json-to-api': { CONCURRENCY: String(concurrency), DOC_LOG_LEVEL: 'debug' } });
    dropListing(p.dataDir, 'big.txt', syntheticListing(lines));
    const receiptsFile = () => readdirSync(layout(p.dataDir).dir('receipts'))[0];
    await when(() => receiptsFile() !== undefined && receiptsOf(p.dataDir, receiptsFile()!.replace('.ndjson', '')).length > 2000, 'json-to-api has posted some documents');
    await p.get('json-to-api').restart('SIGKILL');
    await expectDeliveredOnce(p, lines);
    expect((await acceptedByApi(p)) - lines).toBeLessThanOrEqual(concurrency);
  });

  test('when getdata is SIGKILLed while writing a listing, then no partial listing is published and the next run flows through', async () => {
    const p = await start('getdata', { 'json-to-api': { POST_MODE: 'bulk', DOC_LOG_LEVEL: 'debug' } });
    const l = layout(p.dataDir);
    const getdata = await spawnService({
      service: 'getdata',
      name: 'getdata',
      logDir: p.logDir,
      env: { DATA_DIR: p.dataDir, LIST_ROOT: '/usr', MAX_FILES: '30000', SCHEDULE: '0 0 1 1 *' },
    });
    await when(tempOf(p, 'getdata'), 'getdata is writing a listing');
    await getdata.kill('SIGKILL');
    expect(readdirSync(l.dir('txt')).filter((f) => f.includes('getdata'))).toEqual([]);
    expect(doneBatches(p.dataDir)).toEqual([]);
    await getdata.restart();
    await expect.poll(() => doneBatches(p.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'the relisting delivered' }).toBe(1);
    await getdata.kill();
    expect(tempOf(p, 'getdata')()).toBe(false);
    expect(doneBatches(p.dataDir)[0]).toMatchObject({ rejected: 0, invalid: 0 });
  });
});

describe('an api outage', () => {
  test('when every api replica is down for 5 s during posting, then json-to-api waits and everything is delivered once they are back', async () => {
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
  });
});
