import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isBatchId, newBatchId } from '../../lib/batches.ts';
import { ensureLayout } from '../../lib/layout.ts';
import { decode } from '../../lib/lines.ts';
import { makeAwkwardTree } from '../../../scripts/local/fixtures.ts';
import { parseLsLine } from '../../text-to-csv/src/parse-ls.ts';
import { isStale, me, tempName } from '../src/owner.ts';
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

describe('getdata when a listing cannot be made', () => {
  test('when LIST_ROOT does not exist, then the run fails with that reason and publishes nothing', async () => {
    const dataDir = path.join(tmp, 'missing-root');
    const running = await start({ dataDir, root: path.join(tmp, 'no-such-dir'), maxFiles: 10, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    await expect(running.first).rejects.toThrow(/cannot list .*no-such-dir: it does not exist/);
    await running.stop();
    expect(readdirSync(path.join(dataDir, 'txt'))).toEqual([]);
  });

  test('when the first scheduled listing fails, then getdata keeps running and the next tick lists again', async () => {
    const dataDir = path.join(tmp, 'scheduled-failure');
    const root = path.join(tmp, 'appears-later');
    // Every second; the first run finds no root, a later one does.
    const running = await start({ dataDir, root, maxFiles: 10, schedule: '* * * * * *', port: 0, host: '127.0.0.1', logLevel: 'silent' });
    await expect(running.first).rejects.toThrow(/does not exist/);
    makeAwkwardTree(root, 2);
    await expect.poll(() => readdirSync(path.join(dataDir, 'txt')).length, { timeout: 10_000, message: 'a later tick published a listing' }).toBeGreaterThan(0);
    await running.stop();
  });

  test('when find lists nothing and complains on stderr, then the run fails with its words instead of publishing an empty listing', async () => {
    // Root reads every directory whatever its mode, so a find that meets an unreadable one is
    // played by a script first on PATH: it says what GNU and BSD find say there, and exits 1.
    const bin = path.join(tmp, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'find'), `#!/bin/sh\necho "find: '$1/locked': Permission denied" >&2\nexit 1\n`, { mode: 0o755 });
    const root = path.join(tmp, 'unreadable');
    mkdirSync(root, { recursive: true });
    const dataDir = path.join(tmp, 'unreadable-data');
    const pathBefore = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${pathBefore}`;
    try {
      const running = await start({ dataDir, root, maxFiles: 10, port: 0, host: '127.0.0.1', logLevel: 'silent' });
      await expect(running.first).rejects.toThrow(/found no entries: find: .*locked': Permission denied/);
      await running.stop();
    } finally {
      process.env.PATH = pathBefore;
    }
    expect(readdirSync(path.join(dataDir, 'txt'))).toEqual([]);
  });
});

describe('overlapping getdata runs', () => {
  const self = { host: 'node-a', pid: 100 };
  const fresh = newBatchId('getdata');

  test("when another live run's temp file is found at start, then it is left alone", () => {
    expect(isStale(tempName({ host: 'node-a', pid: 200 }, fresh), self, 60_000, Date.now(), () => true)).toBe(false);
    expect(isStale(tempName({ host: 'pod-b', pid: 1 }, fresh), self, 60_000, Date.now(), () => false)).toBe(false);
  });

  test('when the run that wrote a temp file is gone from this host, or the file is older than the time limit, then it is stale', () => {
    expect(isStale(tempName({ host: 'node-a', pid: 200 }, fresh), self, 60_000, Date.now(), () => false)).toBe(true);
    const old = newBatchId('getdata', new Date(Date.now() - 120_000));
    expect(isStale(tempName({ host: 'pod-b', pid: 1 }, old), self, 60_000, Date.now(), () => true)).toBe(true);
  });

  test('when a second getdata starts beside one that is writing, then the first one still publishes its listing', async () => {
    const dataDir = path.join(tmp, 'overlap');
    const l = await ensureLayout(dataDir);
    const theirs = path.join(l.dir('.tmp'), `getdata.${tempName({ ...me(), pid: process.ppid }, fresh)}`);
    writeFileSync(theirs, 'being written\n');
    const tree = makeAwkwardTree(path.join(tmp, 'overlap-tree'), 3);
    const running = await start({ dataDir, root: tree.root, maxFiles: 100, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    await running.first;
    await running.stop();
    expect(readdirSync(l.dir('.tmp'))).toEqual([path.basename(theirs)]);
  });
});

describe('getdata on a host without GNU tools', () => {
  const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) console.log('busybox is not installed: the non-GNU listing case is skipped (CI installs it; Debian: apt-get install busybox)');

  test.skipIf(!busybox)("when busybox's find, xargs, ls and head come first on PATH, then the listing is whole and every line parses", async () => {
    const bin = path.join(tmp, 'busybox-bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['find', 'xargs', 'ls', 'head']) symlinkSync(busybox!, path.join(bin, tool));
    const tree = makeAwkwardTree(path.join(tmp, 'busybox-tree'), 10);
    const pathBefore = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${pathBefore}`;
    try {
      const running = await start({ dataDir: path.join(tmp, 'busybox-data'), root: tree.root, maxFiles: 1000, port: 0, host: '127.0.0.1', logLevel: 'silent' });
      const result = await running.first;
      await running.stop();
      const lines = readFileSync(result.path).toString('latin1').split('\n').filter(Boolean);
      const parsed = lines.map((l) => parseLsLine(decode(Buffer.from(l, 'latin1'))));
      expect(parsed.filter((p) => p.kind === 'error')).toEqual([]);
      expect(result.entries).toBe(tree.names.filter((n) => n !== 'sticky dir').length);
    } finally {
      process.env.PATH = pathBefore;
    }
  });
});
