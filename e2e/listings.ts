// Listings to drop, made the honest way: the real `ls -l` over a temporary tree of awkward
// names (spaces, quotes, non-UTF-8 bytes, symlinks; scripts/local/fixtures.ts), and garbage
// lines of the kinds people paste by mistake.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lsListing, makeAwkwardTree, syntheticListing } from '../scripts/local/fixtures.ts';

// lsListing reads `ls` through a 1 MB buffer: larger listings are made of several trees.
const FILES_PER_TREE = 5000;

export interface Listing {
  /** The name it is dropped under; the batch it becomes is named after it. */
  fileName: string;
  lines: Buffer[];
  /** Numbers (from 1) of the lines that are entries, which the api must answer. */
  entries: number[];
  /** Numbers of the GARBAGE lines, which must end up as dead letters. */
  garbage: number[];
  /** Whether a batch id is the one this listing was claimed as. */
  isBatch(batch: string): boolean;
}

export function content(listing: Listing): Buffer {
  return Buffer.concat(listing.lines.flatMap((line) => [line, Buffer.from('\n')]));
}

/** Garbage for each check a line must pass: not ls at all, cut short, binary, and a field too long for a document. */
const GARBAGE: Buffer[] = [
  Buffer.from('this is not ls output'),
  Buffer.from('-rw-r--r-- 1 broken'),
  Buffer.concat([Buffer.from([0x00, 0x01, 0xff, 0xfe]), Buffer.from(' binary garbage')]),
  Buffer.from('drwxr-xr-x many root root 4096 Jan  1 00:00 link count is not a number'),
  Buffer.from(`-rw-r--r-- 1 ${'u'.repeat(300)} staff 5 Jan  1 12:00 owner name too long`),
];

/** A listing of at least `minEntries` entries, `kind` naming it in batch ids, with GARBAGE spread through it if asked. */
export function awkwardListing(kind: string, minEntries: number, o: { garbage?: boolean } = {}): Listing {
  const dir = mkdtempSync(path.join(os.tmpdir(), `e2e-${kind}-`));
  const parts: Buffer[] = [];
  try {
    for (let made = 0, i = 0; made < minEntries; i++) {
      const tree = makeAwkwardTree(path.join(dir, String(i)), Math.min(FILES_PER_TREE, minEntries - made));
      parts.push(lsListing(tree.root));
      made += tree.names.length + 2;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = splitLines(Buffer.concat(parts));
  if (o.garbage) {
    const every = Math.floor(lines.length / (GARBAGE.length + 1));
    GARBAGE.forEach((g, i) => lines.splice((i + 1) * every + i, 0, g));
  }
  return named(kind, lines);
}

/** A listing of exactly `entries` real `ls -l` lines under unique names, for load: quick to make at any size. */
export function bigListing(kind: string, entries: number): Listing {
  return named(kind, splitLines(Buffer.from(syntheticListing(entries))));
}

function named(kind: string, lines: Buffer[]): Listing {
  const tag = `${kind}-${randomBytes(3).toString('hex')}`;
  // text-to-csv claims `e2e-<tag>.txt` as <time>-e2e-<tag>-<6 hex>.
  const claimed = new RegExp(`^\\d{8}T\\d{9}Z-e2e-${tag}-[0-9a-f]{6}$`);
  const numbers = (keep: (line: Buffer) => boolean) => lines.flatMap((line, i) => (keep(line) ? [i + 1] : []));
  return {
    fileName: `e2e-${tag}.txt`,
    lines,
    entries: numbers((line) => !GARBAGE.includes(line) && line.subarray(0, 6).toString() !== 'total '),
    garbage: numbers((line) => GARBAGE.includes(line)),
    isBatch: (batch) => claimed.test(batch),
  };
}

function splitLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0, nl = data.indexOf(0x0a); nl !== -1; start = nl + 1, nl = data.indexOf(0x0a, start)) lines.push(data.subarray(start, nl));
  return lines;
}
