import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  test('when names hold spaces, quotes, commas or arrows, then each comes back exactly', () => {
    for (const name of tree.names) expect(byName.has(name), name).toBe(true);
  });

  // APFS, for one, refuses a name that is not UTF-8; makeAwkwardTree then says so and leaves it out.
  test.skipIf(tree.refused.length > 0)('when a name is not UTF-8, then its bytes come back as \\xNN escapes', () => {
    expect(byName.has('latin1-\\xE9\\xFF.bin')).toBe(true);
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

  test("when the entry is a device file, then usrno holds the host's device number as ls prints it", () => {
    // Linux: 1, 3. macOS: 3, 2, which recent releases print as one hex value.
    const nullDevice = process.platform === 'darwin' ? /^(?:0x3000002|3, 2)$/ : /^1, 3$/;
    expect(byName.get('/dev/null')).toMatchObject({ mod: expect.stringMatching(/^c/), usrno: expect.stringMatching(nullDevice) });
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

// Listings laid out as FreeBSD's and macOS's ls print them (bin/ls/print.c, printlong): mode with
// its ACL (+) or extended-attribute (@) mark, links, owner and group padded to their columns, the
// size or device number, the date in the locale's day/month order, the name.
describe('parsing BSD ls -l (macOS, FreeBSD)', () => {
  const listing = (name: string) =>
    readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(parseLsLine);
  const entries = (name: string) => {
    const parsed = listing(name);
    expect(parsed.filter((p) => p.kind === 'error')).toEqual([]);
    return parsed.flatMap((p) => (p.kind === 'entry' ? [p.entry] : []));
  };
  const home = (dates: string[]): LsEntry[] => [
    { mod: 'drwxr-xr-x@', no: '5', user: 'ann', group: 'staff', usrno: '160', date: dates[0]!, file: 'Documents' },
    { mod: '-rw-r--r--+', no: '1', user: 'ann', group: 'staff', usrno: '12', date: dates[1]!, file: 'acl.txt' },
    { mod: '-rw-r--r--@', no: '1', user: 'ann', group: 'staff', usrno: '1048576', date: dates[2]!, file: 'old download.zip' },
    { mod: 'lrwxr-xr-x', no: '1', user: 'ann', group: 'staff', usrno: '9', date: dates[0]!, file: 'link to plain', target: 'plain.txt' },
    { mod: '-rw-r--r--', no: '1', user: 'ann', group: 'staff', usrno: '2', date: dates[0]!, file: 'plain.txt' },
    { mod: '-rwsr-xr-x', no: '1', user: 'root', group: 'wheel', usrno: '51424', date: dates[3]!, file: 'setuid-tool' },
    { mod: 'drwxrwxrwt', no: '2', user: 'ann', group: 'staff', usrno: '64', date: dates[0]!, file: 'sticky dir' },
    { mod: '-rw-r--r--', no: '1', user: 'ann', group: 'staff', usrno: '2', date: dates[0]!, file: '  leading and trailing  ' },
  ];

  test('when macOS lists a directory in the C locale, then every entry is read with its @ and + marks, and the total line is skipped', () => {
    expect(listing('macos-home.txt').filter((p) => p.kind === 'skip')).toHaveLength(1);
    expect(entries('macos-home.txt')).toEqual(home(['Nov 21 10:00', 'Nov 20 09:05', 'Feb 7 2023', 'Oct 3 18:22']));
  });

  test('when the locale puts the day first, then "21 Nov 10:00" and " 7 Feb  2023" are read and kept in that order', () => {
    expect(entries('macos-home-en_GB.txt')).toEqual(home(['21 Nov 10:00', '20 Nov 09:05', '7 Feb 2023', '3 Oct 18:22']));
  });

  test('when macOS prints a device number as one hex value, then usrno keeps it as printed', () => {
    expect(entries('macos-dev.txt').map((e) => [e.mod, e.usrno, e.file])).toEqual([
      ['crw-rw-rw-', '0x3000002', '/dev/null'],
      ['crw-rw-rw-', '0x3000003', '/dev/zero'],
      ['brw-r-----', '0x1000000', '/dev/disk0'],
      ['crw-rw-rw-', '0x2000000', '/dev/tty'],
    ]);
  });

  test('when older FreeBSD prints "major, minor" with a large minor in hex and -T dates, then both are read', () => {
    expect(entries('freebsd-dev-T.txt').map((e) => [e.usrno, e.date, e.file])).toEqual([
      ['0, 19', 'Nov 21 10:00:41 2026', '/dev/null'],
      ['0, 0x00000112', 'Nov 19 08:00:02 2026', '/dev/ada0'],
      ['0, 98', 'Nov 21 09:58:13 2026', '/dev/ttyv0'],
    ]);
  });

  test('when -T dates come day first, then they are read, and the ACL mark and symlink survive', () => {
    expect(entries('freebsd-en_GB-T.txt')).toEqual([
      { mod: '-rw-r--r--+', no: '1', user: 'ann', group: 'ann', usrno: '12', date: '20 Nov 09:05:17 2026', file: 'acl.txt' },
      { mod: 'lrwxr-xr-x', no: '1', user: 'ann', group: 'ann', usrno: '9', date: '21 Nov 10:00:00 2026', file: 'link to plain', target: 'plain.txt' },
      { mod: '-rw-r--r--', no: '1', user: 'ann', group: 'ann', usrno: '1337', date: '7 Feb 12:00:00 2023', file: 'old-file' },
    ]);
  });
});
