import { mkdtempSync, statSync, writeFileSync, type ReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test, vi } from 'vitest';
import { DeadLetters } from '../../lib/dead-letters.ts';
import type { AtomicFile } from '../../lib/files.ts';
import { ensureLayout } from '../../lib/layout.ts';
import { csvToNdjson } from '../src/convert.ts';

// The stream csvToNdjson opens, to see how far it has read.
const opened = vi.hoisted(() => [] as ReadStream[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createReadStream = ((...args: Parameters<typeof fs.createReadStream>) => {
    const stream = fs.createReadStream(...args);
    opened.push(stream);
    return stream;
  }) as typeof fs.createReadStream;
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

const CHUNK = 64 * 1024;

describe('reading a big CSV batch', () => {
  test('when each write is slow, then the file is read no more than a few chunks ahead of the rows written', async () => {
    const l = await ensureLayout(mkdtempSync(path.join(os.tmpdir(), 'csv-')));
    const input = l.input('csv-to-json', 'b');
    const rows = 50_000;
    // Rows of one length, so that the bytes behind the rows written so far are known.
    const row = (i: number) => `${String(i + 1).padStart(6, '0')},-rw-r--r--,1,root,root,${String(i).padStart(6, '0')},Nov 21 05:34,file-${String(i).padStart(6, '0')}.dat,\n`;
    writeFileSync(input, Array.from({ length: rows }, (_, i) => row(i)).join(''));
    const aheads: number[] = [];
    let written = 0;
    const out = {
      async write(text: string) {
        await sleep(20);
        written += text.split('\n').length - 1;
        aheads.push(opened.at(-1)!.bytesRead - written * row(0).length);
      },
    } as unknown as AtomicFile;
    expect(await csvToNdjson(input, out, new DeadLetters(l, 'csv-to-json', 'b'))).toMatchObject({ rows, dead: 0 });
    expect(statSync(input).size).toBeGreaterThan(40 * CHUNK);
    expect(aheads.length).toBeGreaterThan(40);
    expect(Math.max(...aheads)).toBeLessThanOrEqual(4 * CHUNK);
  });
});
