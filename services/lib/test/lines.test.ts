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

  test('when a file spans many reads and mixes multibyte characters, CRLF, bad bytes and long lines, then every line comes back whole and numbered', async () => {
    const kinds = [
      (i: number) => Buffer.from(`plain ${i}`),
      (i: number) => Buffer.from(`ünïcödé ☃ 😀 ${i}\r`),
      (i: number) => Buffer.from([0x62, 0xff, 0xe9, 0x30 + (i % 10)]),
      (i: number) => Buffer.from(`${'y'.repeat(3000)}${i}`),
    ];
    const lines = Array.from({ length: 40_000 }, (_, i) => kinds[i % 4999 === 0 ? 2 : i % 101 === 0 ? 3 : i % 2]!(i));
    const read = await linesOf(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), 2000);
    expect(read).toHaveLength(lines.length);
    read.forEach((line, i) => {
      const bytes = lines[i]!.at(-1) === 0x0d ? lines[i]!.subarray(0, -1) : lines[i]!;
      expect(line).toEqual({ pos: i + 1, text: decode(bytes.subarray(0, 2000)), tooLong: bytes.length > 2000 });
    });
  });

  test('when bytes are not UTF-8, then each becomes a \\xNN escape and valid text around it is kept', () => {
    expect(decode(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe9, 0x62]))).toBe('a\\xFFé\\xE9b');
  });
});
