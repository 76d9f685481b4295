// The local pipeline, end to end: a real listing goes in as a file, and the receipts show
// every line answered exactly once by several api replicas.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { lsListing, makeAwkwardTree } from '../local/fixtures.ts';
import { doneBatches, dropListing, receiptsOf, waitingFiles } from '../local/inspect.ts';
import { usePipeline } from './use-pipeline.ts';

const CONSUMED_TIMEOUT = 10_000;
const DELIVERY_TIMEOUT = 60_000;
const fixture = usePipeline('pipeline', { 'json-to-api': { DOC_LOG_LEVEL: 'debug' } });

describe('the local pipeline', () => {
  test('when a listing of over 1,000 real ls -l lines is dropped as listing.txt, then every line reaches the api exactly once across replicas', async () => {
    const tree = makeAwkwardTree(path.join(fixture.tmp, 'tree'), 1100);
    const expected = tree.names.length + 2;
    dropListing(fixture.pipeline.dataDir, 'listing.txt', lsListing(tree.root));

    await expect.poll(() => doneBatches(fixture.pipeline.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'batch delivered' }).toBe(1);
    const [summary] = doneBatches(fixture.pipeline.dataDir);
    const receipts = receiptsOf(fixture.pipeline.dataDir, summary!.batch);
    const lines = receipts.map((r) => r.line);
    expect(summary).toMatchObject({ ok: expected, rejected: 0, invalid: 0 });
    expect(receipts.every((r) => r.outcome === 'ok')).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toHaveLength(expected);
    expect(new Set(receipts.map((r) => r.pod)).size).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => waitingFiles(fixture.pipeline.dataDir), { timeout: CONSUMED_TIMEOUT, message: 'every stage consumed its input' })
      .toEqual({ txt: [], csv: [], json: [] });
  });

  test('when the pipeline is stopped with SIGTERM, then every process shuts down cleanly with exit code 0', async () => {
    await fixture.pipeline.stop();
    const exits = Object.fromEntries([...fixture.pipeline.processes.values()].map((p) => [p.name, p.exit()]));
    expect(
      Object.values(exits).every((code) => code === 0),
      JSON.stringify(exits),
    ).toBe(true);
  });
});
