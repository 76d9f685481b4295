import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isBatchId } from '../../lib/batches.ts';
import { decode } from '../../lib/lines.ts';
import { makeAwkwardTree } from '../../../scripts/local/fixtures.ts';
import { parseLsLine } from '../../text-to-csv/src/parse-ls.ts';
import { start } from '../src/service.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'getdata-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('getdata', () => {
  test('when it starts, then it publishes one listing of the root, made by ls, that text-to-csv can read in full', async () => {
    const tree = makeAwkwardTree(path.join(tmp, 'tree'), 20);
    const running = await start({ dataDir: path.join(tmp, 'data'), root: tree.root, maxFiles: 1000, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    const result = await running.first;
    await running.stop();

    expect(isBatchId(result.batch)).toBe(true);
    expect(readdirSync(path.join(tmp, 'data', 'txt'))).toEqual([`${result.batch}.txt`]);
    expect(readdirSync(path.join(tmp, 'data', '.tmp'))).toEqual([]);
    const lines = readFileSync(result.path).toString('latin1').split('\n').filter(Boolean);
    const parsed = lines.map((l) => parseLsLine(decode(Buffer.from(l, 'latin1'))));
    expect(parsed.filter((p) => p.kind === 'error')).toEqual([]);
    const files = parsed.flatMap((p) => (p.kind === 'entry' ? [path.relative(tree.root, p.entry.file)] : []));
    // getdata lists what is not a directory, recursively: the sticky directory itself is walked, not listed.
    expect(files.sort()).toEqual(tree.names.filter((n) => n !== 'sticky dir').sort());
  });

  test('when the tree holds more entries than the bound, then the listing stops at the bound', async () => {
    const tree = makeAwkwardTree(path.join(tmp, 'big'), 300);
    const running = await start({ dataDir: path.join(tmp, 'bounded'), root: tree.root, maxFiles: 100, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    const result = await running.first;
    await running.stop();
    expect(result.entries).toBe(100);
    expect(readFileSync(result.path, 'latin1').trim().split('\n')).toHaveLength(100);
  });

  test('when triggered while a listing is being written, then the two calls share one listing', async () => {
    const tree = makeAwkwardTree(path.join(tmp, 'shared'), 50);
    const running = await start({ dataDir: path.join(tmp, 'once'), root: tree.root, maxFiles: 1000, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    const [a, b] = await Promise.all([running.first, running.trigger()]);
    await running.stop();
    expect(a.batch).toBe(b.batch);
  });
});
