import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FileTail } from '../src/tail.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileTail', () => {
  test('when a file grows, then each read returns only the complete lines added since the last', async () => {
    const file = path.join(dir, 'grow.ndjson');
    const tail = new FileTail(file);
    expect(await tail.read()).toBeUndefined();
    writeFileSync(file, 'one\ntwo\nthr');
    expect(await tail.read()).toEqual({ restarted: false, lines: ['one', 'two'], behind: false });
    appendFileSync(file, 'ee\nfour\n');
    expect((await tail.read())?.lines).toEqual(['three', 'four']);
    expect((await tail.read())?.lines).toEqual([]);
  });

  test('when a line holds multi-byte characters split across reads, then it comes back whole', async () => {
    const file = path.join(dir, 'utf8.ndjson');
    const bytes = Buffer.from('ünïcödé ☃\nnext\n');
    writeFileSync(file, bytes.subarray(0, 3));
    const tail = new FileTail(file);
    expect((await tail.read())?.lines).toEqual([]);
    appendFileSync(file, bytes.subarray(3));
    expect((await tail.read())?.lines).toEqual(['ünïcödé ☃', 'next']);
  });

  test('when the file is replaced or cut shorter, then it is read again from the start and the caller is told', async () => {
    const file = path.join(dir, 'replace.ndjson');
    writeFileSync(file, 'a\nb\n');
    const tail = new FileTail(file);
    await tail.read();
    writeFileSync(path.join(dir, 'next'), 'c\nlonger\n');
    renameSync(path.join(dir, 'next'), file);
    expect(await tail.read()).toEqual({ restarted: true, lines: ['c', 'longer'], behind: false });
    truncateSync(file, 0);
    appendFileSync(file, 'd\n');
    expect(await tail.read()).toEqual({ restarted: true, lines: ['d'], behind: false });
  });

  test('when more is waiting than one read takes, then it says it is behind and the next read goes on', async () => {
    const file = path.join(dir, 'big.ndjson');
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const tail = new FileTail(file, 64);
    const seen: string[] = [];
    for (let read = await tail.read(); read; read = read.behind ? await tail.read() : undefined) seen.push(...read.lines);
    expect(seen).toEqual(lines);
  });
});
