import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decode } from '../../lib/lines.ts';
import { lsListing, makeAwkwardTree } from '../../../scripts/local/fixtures.ts';
import { parseLsLine, type LsEntry } from '../src/parse-ls.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'parse-ls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parsing the real ls -l of an awkward tree', () => {
  const tree = makeAwkwardTree(path.join(tmp, 'tree'));
  const lines = lsListing(tree.root)
    .toString('latin1')
    .split('\n')
    .filter(Boolean)
    .map((l) => decode(Buffer.from(l, 'latin1')));
  const parsed = lines.map(parseLsLine);
  const entries = parsed.flatMap((p) => (p.kind === 'entry' ? [p.entry] : []));
  const byName = new Map(entries.map((e) => [e.file, e]));

  test('when every line is parsed, then none is an error and only the total line is skipped', () => {
    expect(parsed.filter((p) => p.kind === 'error')).toEqual([]);
    expect(parsed.filter((p) => p.kind === 'skip')).toHaveLength(1);
    expect(entries).toHaveLength(tree.names.length + 2);
  });

  test('when names hold spaces, quotes, commas, arrows or non-UTF-8 bytes, then each comes back exactly', () => {
    for (const name of tree.names) expect(byName.has(name), name).toBe(true);
  });

  test('when an entry is a symlink, then its name and target are split', () => {
    expect(byName.get('link to plain')).toMatchObject({ target: 'plain.txt' });
    expect(byName.get('dangling')).toMatchObject({ target: '/nonexistent target with space' });
    expect(byName.get('looks like -> an arrow')?.target).toBeUndefined();
  });

  test('when a file is old, then the year date form is read; when new, the time form', () => {
    expect(byName.get('old-file')?.date).toMatch(/^Feb 7 2023$/);
    expect(byName.get('plain.txt')?.date).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}$/);
  });

  test('when modes carry setuid or sticky bits, then the permission string is kept whole', () => {
    expect(byName.get('setuid-tool')?.mod).toBe('-rwsr-xr-x');
    expect(byName.get('sticky dir')?.mod).toBe('drwxrwxrwt');
  });

  test('when the entry is a device file, then usrno holds "major, minor"', () => {
    expect(byName.get('/dev/null')).toMatchObject({ mod: expect.stringMatching(/^c/), usrno: '1, 3' });
  });
});

describe('parsing lines ls prints elsewhere', () => {
  const entry = (line: string): LsEntry => {
    const p = parseLsLine(line);
    if (p.kind !== 'entry') throw new Error(`not an entry: ${JSON.stringify(p)}`);
    return p.entry;
  };

  test('when the line is busybox output like the original listing, then all seven fields are read', () => {
    expect(entry('-r--------    1 root     root            19 Mar 19 23:57 /sys/module/sr_mod/sections/.init.text')).toEqual({
      mod: '-r--------',
      no: '1',
      user: 'root',
      group: 'root',
      usrno: '19',
      date: 'Mar 19 23:57',
      file: '/sys/module/sr_mod/sections/.init.text',
    });
  });

  test('when permissions end in + (ACL) or . (SELinux), then the mark stays in mod', () => {
    expect(entry('-rw-rw-r--+ 1 ann staff 12 Feb  7  2023 acl.txt').mod).toBe('-rw-rw-r--+');
    expect(entry('drwxr-xr-x. 2 root root 6 Apr  1 09:00 selinux').mod).toBe('drwxr-xr-x.');
  });

  test('when the date is ISO (--time-style=long-iso), then it is read', () => {
    expect(entry('-rw-r--r-- 1 ann ann 5 2026-11-21 05:34 iso.txt')).toMatchObject({ date: '2026-11-21 05:34', file: 'iso.txt' });
  });

  test('when a block device has padded numbers, then usrno is normalised', () => {
    expect(entry('brw-rw----  1 root disk   8,   0 Nov 21 05:34 /dev/sda').usrno).toBe('8, 0');
  });

  test('when the line is a total or blank, then it is skipped', () => {
    expect(parseLsLine('total 1234').kind).toBe('skip');
    expect(parseLsLine('total 4.0K').kind).toBe('skip');
    expect(parseLsLine('   ').kind).toBe('skip');
  });

  test.each([
    ['garbage', 'hello world', 'permission string'],
    ['a directory header of ls -R', '/usr/bin:', 'permission string'],
    ['a truncated line', '-rw-r--r-- 1 root root', 'links, owner, group, size and date'],
    ['a name-less line', '-rw-r--r-- 1 root root 5 Nov 21 05:34 ', 'file name is missing'],
    ['binary data', '-rw-r--r-- 1 root\0 root 5 Nov 21 05:34 x', 'NUL byte'],
  ])('when the line is %s, then the error says why', (_what, line, reason) => {
    const p = parseLsLine(line);
    expect(p.kind).toBe('error');
    expect(p.kind === 'error' && p.reason).toContain(reason);
  });
});
