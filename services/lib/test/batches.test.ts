import { appendFileSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { batchOf, batchTime, claimFile, isBatchId, isCanary, newBatchId, newCanaryId, type Settle } from '../batches.ts';
import { deadFileOf, ensureLayout, type Layout } from '../layout.ts';
import { createLogger } from '../logger.ts';

describe('canary batch ids', () => {
  const now = new Date('2026-11-22T02:55:01.234Z');

  test('when a canary id is made, then it is a batch id that sorts by its time and is marked canary', () => {
    const id = newCanaryId(now);
    expect(isBatchId(id)).toBe(true);
    expect(batchTime(id)).toBe(now.getTime());
    expect(isCanary(id)).toBe(true);
    expect(batchOf(`${id}.txt`, '.txt')).toBe(id);
  });

  test('when a canary has a dead-letter file, then its batch and stage are read back whole', () => {
    const id = newCanaryId(now);
    expect(deadFileOf(`${id}.text-to-csv.ndjson`)).toEqual({ batch: id, stage: 'text-to-csv', kind: 'letters' });
  });

  test('when a person drops a file named canary, then the batch it is claimed as is no canary', () => {
    for (const name of ['canary', 'canary.3fa9c1', 'x-canary.3fa9c1']) expect(isCanary(newBatchId(name, now)), name).toBe(false);
    expect(isCanary(newBatchId('getdata', now))).toBe(false);
  });

  test('when a name only ends like a canary, then it is no canary unless it is a batch id', () => {
    expect(isCanary('notabatch-canary.3fa9c1')).toBe(false);
  });
});

describe('claiming a file dropped by hand', () => {
  const settle = (wholeMs: number, unfinishedMs = wholeMs): Settle => ({ wholeMs, unfinishedMs });
  /** A fresh data directory with `text` dropped into txt/ as `name`. */
  const drop = async (name: string, text: string) => {
    const l = await ensureLayout(mkdtempSync(path.join(os.tmpdir(), 'claim-')));
    const file = l.file('txt', name);
    writeFileSync(file, text);
    return { l, file };
  };
  const claim = (l: Layout, name: string, s: Settle, signal?: AbortSignal) => claimFile(l, 'txt', name, '.txt', s, createLogger('test', 'silent'), signal);
  /** That txt/ holds one file, claimed under a batch id named after `slug`, with `text` in it. */
  const expectClaimed = (l: Layout, slug: string, text: string) => {
    const names = readdirSync(l.dir('txt'));
    expect(names.map((f) => batchOf(f, '.txt'))).toEqual([expect.stringMatching(new RegExp(`-${slug}-[0-9a-f]{6}$`))]);
    expect(readFileSync(l.file('txt', names[0]!), 'utf8')).toBe(text);
  };

  test('when a copy is still being written, with pauses shorter than the settle, then it is claimed whole, after its last write', async () => {
    const parts = Array.from({ length: 8 }, (_, i) => `line ${i}\n`);
    const { l, file } = await drop('copy in progress.txt', parts[0]!);
    const claimed = claim(l, 'copy in progress.txt', settle(150));
    for (const part of parts.slice(1)) {
      await sleep(60);
      appendFileSync(file, part);
    }
    await claimed;
    expectClaimed(l, 'copy-in-progress', parts.join(''));
  });

  // A settle long enough that only the file's mtime can end it within a test's time.
  const LONG_SETTLE_MS = 60_000;
  const CLAIM_TIMEOUT_MS = 5000;
  // Shorter than the age of a whole-second mtime one to two seconds back.
  const SHORT_SETTLE_MS = 900;
  const NOT_CLAIMED_AFTER_MS = 400;
  // Far shorter than NOT_CLAIMED_AFTER_MS: a file that ends in a whole line would be claimed by then.
  const WHOLE_LINE_SETTLE_MS = 20;
  // Seconds since the epoch, two minutes ago, with a fraction, as a file system that keeps
  // nanoseconds stores it.
  const twoMinutesAgo = () => Date.now() / 1000 - 120.123;

  test(
    'when a file moved in was last written longer ago than the settle, then it is claimed without waiting out the settle',
    async () => {
      const { l, file } = await drop('moved.txt', 'whole\n');
      utimesSync(file, twoMinutesAgo(), twoMinutesAgo());
      await claim(l, 'moved.txt', settle(LONG_SETTLE_MS));
      expectClaimed(l, 'moved', 'whole\n');
    },
    CLAIM_TIMEOUT_MS,
  );

  test(
    'when a copy that keeps times is still being written, then it is claimed whole once it sets its old mtime',
    async () => {
      const parts = Array.from({ length: 5 }, (_, i) => `line ${i}\n`);
      const { l, file } = await drop('kept times.txt', parts[0]!);
      const claimed = claim(l, 'kept times.txt', settle(LONG_SETTLE_MS));
      for (const part of parts.slice(1)) {
        await sleep(60);
        appendFileSync(file, part);
      }
      utimesSync(file, twoMinutesAgo(), twoMinutesAgo());
      await claimed;
      expectClaimed(l, 'kept-times', parts.join(''));
    },
    CLAIM_TIMEOUT_MS,
  );

  test.each([
    // One to two seconds back, more than this test's settle: a file system that keeps only seconds stores a write made now like this.
    ['a whole second, one to two seconds back', () => Math.floor(Date.now() / 1000) - 1],
    ['ahead of our clock', () => Date.now() / 1000 + 3600.5],
  ])("when a fresh file's mtime is %s, then the claim still waits out the settle", async (_, mtime) => {
    const { l, file } = await drop('fresh.txt', 'x\n');
    utimesSync(file, mtime(), mtime());
    const stopping = new AbortController();
    const claimed = claim(l, 'fresh.txt', settle(SHORT_SETTLE_MS), stopping.signal);
    await sleep(NOT_CLAIMED_AFTER_MS);
    stopping.abort(new Error('stopping'));
    await expect(claimed).rejects.toThrow();
    expect(readdirSync(l.dir('txt'))).toEqual(['fresh.txt']);
  });

  test(
    'when a copy stalls in the middle of a line for longer than the settle of a whole line, then it is claimed once the line is finished, whole',
    async () => {
      const { l, file } = await drop('stalled.txt', 'line 0\nline 1 ha');
      const claimed = claim(l, 'stalled.txt', settle(WHOLE_LINE_SETTLE_MS, LONG_SETTLE_MS));
      await sleep(NOT_CLAIMED_AFTER_MS);
      expect(readdirSync(l.dir('txt'))).toEqual(['stalled.txt']);
      appendFileSync(file, 'lf\n');
      await claimed;
      expectClaimed(l, 'stalled', 'line 0\nline 1 half\n');
    },
    CLAIM_TIMEOUT_MS,
  );

  test.each([
    ['ends without a newline', 'made by hand, no newline at the end'],
    ['is empty', ''],
  ])(
    'when a file that %s holds still, then it waits out the longer settle and is claimed as it is',
    async (_, text) => {
      const { l } = await drop('by hand.txt', text);
      const claimed = claim(l, 'by hand.txt', settle(WHOLE_LINE_SETTLE_MS, SHORT_SETTLE_MS));
      await sleep(NOT_CLAIMED_AFTER_MS);
      expect(readdirSync(l.dir('txt'))).toEqual(['by hand.txt']);
      await claimed;
      expectClaimed(l, 'by-hand', text);
    },
    CLAIM_TIMEOUT_MS,
  );

  test('when the stage stops while a file settles, then the file is left under its own name', async () => {
    const { l } = await drop('dropped.txt', 'x\n');
    const stopping = new AbortController();
    const claimed = claim(l, 'dropped.txt', settle(10_000), stopping.signal);
    stopping.abort(new Error('stopping'));
    await expect(claimed).rejects.toThrow();
    expect(readdirSync(l.dir('txt'))).toEqual(['dropped.txt']);
  });
});
