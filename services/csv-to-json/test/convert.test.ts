import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AtomicFile } from '../../lib/files.ts';
import { DeadLetters } from '../../lib/dead-letters.ts';
import { ensureLayout } from '../../lib/layout.ts';
import { csvToNdjson, toDoc } from '../src/convert.ts';

describe('converting CSV rows to documents', () => {
  test('when a row has the nine columns text-to-csv writes, then the document carries its listing line', () => {
    expect(toDoc(['7', '-rw-r--r--', '1', 'root', 'root', '42', 'Nov 21 05:34', 'a, "b".txt', ''], 2)).toEqual({
      ok: true,
      doc: { line: 7, mod: '-rw-r--r--', no: '1', user: 'root', group: 'root', usrno: '42', date: 'Nov 21 05:34', file: 'a, "b".txt' },
    });
  });

  test('when a device row carries a BSD device number (one hex value, or a hex minor), then it is a valid document', () => {
    for (const usrno of ['0x3000002', '0, 0x00000112', '4, 64']) {
      expect(toDoc(['2', 'crw-rw-rw-', '1', 'root', 'wheel', usrno, '21 Nov 10:00', '/dev/null', ''], 1), usrno).toMatchObject({ ok: true, doc: { usrno } });
    }
    expect(toDoc(['2', 'crw-rw-rw-', '1', 'root', 'wheel', '0xZZ', '21 Nov 10:00', '/dev/null', ''], 1)).toMatchObject({ ok: false, reason: expect.stringContaining('usrno') });
  });

  test('when a row is a symlink, then the target is kept as an extra field', () => {
    const r = toDoc(['3', 'lrwxrwxrwx', '1', 'root', 'root', '7', 'Nov 21 05:34', 'link', 'target'], 1);
    expect(r.ok && r.doc.target).toBe('target');
  });

  test("when a row has the original's seven headerless columns, then it is accepted with its row number", () => {
    const r = toDoc(['-r--r--r--', '1', 'root', 'root', '4096', 'Mar 20 00:40', '/sys/kernel/irq/7/type'], 5);
    expect(r).toMatchObject({ ok: true, doc: { line: 5, file: '/sys/kernel/irq/7/type' } });
  });

  test('when a row has the wrong number of columns or a bad field, then the reason names the problem', () => {
    expect(toDoc(['1', '2'], 4)).toMatchObject({ ok: false, line: 4, reason: expect.stringContaining('got 2') });
    expect(toDoc(['9', '-rw-r--r--', 'x', 'root', 'root', '42', 'Nov 21 05:34', 'f', ''], 1)).toMatchObject({
      ok: false,
      line: 9,
      reason: expect.stringContaining('no: must be a link count'),
    });
  });
});

describe('converting a CSV file', () => {
  test('when the file mixes good rows, bad rows and quoted newlines, then good rows become NDJSON and bad rows dead letters', async () => {
    const l = await ensureLayout(mkdtempSync(path.join(os.tmpdir(), 'csv-')));
    const input = l.input('csv-to-json', 'b');
    writeFileSync(
      input,
      [
        'line,mod,no,user,group,usrno,date,file,target',
        '1,-rw-r--r--,1,root,root,42,Nov 21 05:34,"quoted ""name"", with comma",',
        'not,a,row',
        '3,-rw-r--r--,1,root,root,43,Nov 21 05:34,"two\nlines",',
        '',
      ].join('\r\n'),
    );
    const out = await AtomicFile.create(l.tmp('test', 'b.ndjson'), l.output('csv-to-json', 'b'));
    const dead = new DeadLetters(l, 'csv-to-json', 'b');
    expect(await csvToNdjson(input, out, dead)).toEqual({ lines: 4, rows: 2, dead: 1, skipped: 1 });
    await out.commit();
    await dead.commit();
    const docs = readFileSync(l.output('csv-to-json', 'b'), 'utf8')
      .trim()
      .split('\n')
      .map((d) => JSON.parse(d));
    expect(docs.map((d) => d.file)).toEqual(['quoted "name", with comma', 'two\nlines']);
    const letters = readFileSync(l.dead('b', 'csv-to-json'), 'utf8')
      .trim()
      .split('\n')
      .map((d) => JSON.parse(d));
    expect(letters).toEqual([expect.objectContaining({ batch: 'b', stage: 'csv-to-json', line: 3, raw: 'not,a,row', reason: expect.stringContaining('columns') })]);
  });
});
