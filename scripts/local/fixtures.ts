// Test and benchmark inputs made the honest way: a temporary tree with awkward names, listed
// by the real `ls -l`, and large listings built by repeating real lines under new names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

/** Names a listing must survive; the Buffer one is not valid UTF-8. */
const AWKWARD_NAMES: Array<string | Buffer> = [
  'plain.txt',
  'with space.txt',
  '  leading and trailing  ',
  `quote's "double".txt`,
  'comma,semicolon;pipe|.csv',
  'ünïcödé ☃.txt',
  'looks like -> an arrow',
  Buffer.concat([Buffer.from('latin1-'), Buffer.from([0xe9, 0xff]), Buffer.from('.bin')]),
];

export interface AwkwardTree {
  root: string;
  /** Every entry the listing of `root` holds, by name as the parser should report it. */
  names: string[];
  /** Names the file system would not store (APFS refuses names that are not UTF-8), escaped as in `names`. */
  refused: string[];
}

// What a file system answers when it will not store a name's bytes: APFS and ZFS (utf8only) say
// EILSEQ, some network and FUSE file systems EINVAL.
const NAME_REFUSED = new Set(['EILSEQ', 'EINVAL']);

/** Builds the tree: awkward names, symlinks, an old file (year date form), setuid and sticky bits, and `extra` plain files. */
export function makeAwkwardTree(root: string, extra = 0): AwkwardTree {
  mkdirSync(root, { recursive: true });
  const names: string[] = [];
  const refused: string[] = [];
  for (const name of AWKWARD_NAMES) {
    const shown = typeof name === 'string' ? name : escapeBytes(name);
    try {
      writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from(name)]), 'x');
      names.push(shown);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!NAME_REFUSED.has(code)) throw err;
      refused.push(shown);
      console.warn(`fixtures: this file system refuses the name '${shown}' (${code}); the cases that need it are skipped`);
    }
  }
  symlinkSync('plain.txt', path.join(root, 'link to plain'));
  symlinkSync('/nonexistent target with space', path.join(root, 'dangling'));
  names.push('link to plain', 'dangling');
  writeFileSync(path.join(root, 'old-file'), 'old');
  utimesSync(path.join(root, 'old-file'), new Date('2023-02-07T12:00:00Z'), new Date('2023-02-07T12:00:00Z'));
  writeFileSync(path.join(root, 'setuid-tool'), '#!/bin/sh\n');
  chmodSync(path.join(root, 'setuid-tool'), 0o4755);
  mkdirSync(path.join(root, 'sticky dir'));
  chmodSync(path.join(root, 'sticky dir'), 0o1777);
  names.push('old-file', 'setuid-tool', 'sticky dir');
  for (let i = 0; i < extra; i++) {
    const name = `file-${String(i).padStart(6, '0')}.dat`;
    writeFileSync(path.join(root, name), String(i));
    names.push(name);
  }
  return { root, names, refused };
}

// Names as raw bytes and dates month-first, whichever ls this is: GNU ls reads QUOTING_STYLE
// (the --quoting-style flag would stop BSD ls), and BSD ls writes raw names when not on a terminal.
const LS_ENV = { ...process.env, LC_ALL: 'C', QUOTING_STYLE: 'literal' };

/** The real `ls -l` of a directory (with its `total` line) plus two device files. */
export function lsListing(dir: string): Buffer {
  const ls = (args: string[]) => execFileSync('ls', ['-l', ...args], { env: LS_ENV });
  return Buffer.concat([ls([dir]), ls(['/dev/null', '/dev/zero'])]);
}

/**
 * A listing of `lines` lines for load tests: real `ls -l` lines of /usr/bin repeated, each
 * given a unique name so every document is distinct.
 */
export function syntheticListing(lines: number): string {
  const real = realLines();
  const out: string[] = new Array(lines);
  for (let i = 0; i < lines; i++) out[i] = `${real[i % real.length]}.${i}`;
  return out.join('\n') + '\n';
}

/** The real `ls -l /usr/bin` lines syntheticListing repeats; the Kind bench sends them to a pod, which builds the same listing there. */
export function realLines(): string[] {
  return execFileSync('ls', ['-l', '/usr/bin'], { env: LS_ENV })
    .toString('utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('total'));
}

function escapeBytes(name: Buffer): string {
  return [...name].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase()}`)).join('');
}
