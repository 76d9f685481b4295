// Inputs people really drop: empty files, binary garbage, a megabyte on one line, CRLF
// endings. None stops a stage; the bad lines land in dead letters with a reason.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { syntheticListing } from '../local/fixtures.ts';
import { deadLettersOf, doneBatches, dropListing, waitingFiles } from '../local/inspect.ts';
import { usePipeline } from './use-pipeline.ts';

const CONSUMED_TIMEOUT = 10_000;
const DELIVERY_TIMEOUT = 60_000;
const fixture = usePipeline('bad-input', { 'json-to-api': { DOC_LOG_LEVEL: 'debug' } });

async function deliver(name: string, content: string | Buffer) {
  const before = doneBatches(fixture.pipeline.dataDir).length;
  dropListing(fixture.pipeline.dataDir, name, content);
  await expect.poll(() => doneBatches(fixture.pipeline.dataDir).length, { timeout: DELIVERY_TIMEOUT, message: `${name} delivered` }).toBe(before + 1);
  const summary = doneBatches(fixture.pipeline.dataDir).find((b) => b.batch.includes(path.basename(name, '.txt')))!;
  return { summary, dead: deadLettersOf(fixture.pipeline.dataDir, summary.batch) };
}

describe('bad input', () => {
  test('when the file is empty, then it flows through as an empty batch', async () => {
    const { summary, dead } = await deliver('empty.txt', '');
    expect(summary).toMatchObject({ lines: 0, ok: 0 });
    expect(dead).toEqual([]);
  });

  test('when the file is binary garbage, then every line is a dead letter with a reason and nothing is posted', async () => {
    const { summary, dead } = await deliver('garbage.txt', randomBytes(64 * 1024));
    expect(summary.ok).toBe(0);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((d) => d.stage === 'text-to-csv' && d.reason.length > 0)).toBe(true);
  });

  test('when one line is a megabyte long, then it is a dead letter and the lines around it are delivered', async () => {
    const good = syntheticListing(10).split('\n').filter(Boolean);
    const { summary, dead } = await deliver('huge-line.txt', [...good.slice(0, 5), 'x'.repeat(1024 * 1024), ...good.slice(5)].join('\n'));
    expect(summary.ok).toBe(10);
    expect(dead).toEqual([expect.objectContaining({ line: 6, stage: 'text-to-csv', reason: expect.stringContaining('longer than'), truncated: true })]);
  });

  test('when lines end in CRLF and garbage is mixed in, then good lines are delivered and garbage is dead-lettered by line number', async () => {
    const good = syntheticListing(100).split('\n').filter(Boolean);
    const mixed = [...good.slice(0, 50), 'this is not ls output', ...good.slice(50), '-rw-r--r-- 1 broken'].join('\r\n');
    const { summary, dead } = await deliver('crlf.txt', mixed);
    expect(summary.ok).toBe(100);
    expect(dead.map((d) => d.line)).toEqual([51, 102]);
    expect(dead.map((d) => d.raw)).toEqual(['this is not ls output', '-rw-r--r-- 1 broken']);
  });

  test('when all bad inputs have been handled, then no stage has anything left waiting and every service is healthy', async () => {
    await expect
      .poll(() => waitingFiles(fixture.pipeline.dataDir), { timeout: CONSUMED_TIMEOUT, message: 'every stage consumed its input' })
      .toEqual({ txt: [], csv: [], json: [] });
    for (const p of fixture.pipeline.processes.values()) expect((await fetch(`http://127.0.0.1:${p.port}/healthz`)).status, p.name).toBe(200);
  });
});
