import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { decode, readLines, type Line } from '../lines.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lines-'));

async function linesOf(content: string | Buffer, max?: number): Promise<Line[]> {
  const file = path.join(dir, `f-${Math.random()}`);
  writeFileSync(file, content);
  const out: Line[] = [];
  for await (const batch of readLines(file, max)) out.push(...batch);
  return out;
}

describe('reading lines', () => {
  test('when lines end in CRLF, then the CR is dropped', async () => {
    expect((await linesOf('a\r\nb\r\n')).map((l) => l.text)).toEqual(['a', 'b']);
  });

  test('when the last line has no newline, then it is still read', async () => {
    expect((await linesOf('a\nb')).map((l) => [l.pos, l.text])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  test('when the file is empty, then there are no lines', async () => {
    expect(await linesOf('')).toEqual([]);
  });

  test('when a line is longer than the limit, then it is flagged and cut, and the next line is intact', async () => {
    const lines = await linesOf(`${'x'.repeat(1024 * 1024)}\nnext\n`, 1000);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ pos: 1, tooLong: true });
    expect(lines[0]!.text).toHaveLength(1000);
    expect(lines[1]).toMatchObject({ pos: 2, text: 'next', tooLong: false });
  });

  test('when bytes are not UTF-8, then each becomes a \\xNN escape and valid text around it is kept', () => {
    expect(decode(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe9, 0x62]))).toBe('a\\xFFé\\xE9b');
  });
});
