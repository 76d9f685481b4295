// Batch ids, and how a file that is not yet one becomes one.
import { randomBytes } from 'node:crypto';
import { open, rename, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { Layout, StageDir } from './layout.ts';
import type { Logger } from './logger.ts';

// A part of a big batch (services/lib/parts.ts) adds `.p001`, `.p002`, … to its batch's id.
const BATCH = /^(\d{8}T\d{9}Z)-([a-z0-9][a-z0-9._-]{0,80})(?:\.p\d+)*$/;

const stamp = (now: Date) => now.toISOString().replace(/[-:]/g, '').replace('.', '');
const hex = () => randomBytes(3).toString('hex');

// A canary (scripts/lib/canary.ts) ends in `-canary.<hex>`. A claimed drop always ends in
// `-<hex>`, so no file a person drops, whatever its name, can pass for one.
const CANARY = /-canary\.[0-9a-f]{6}$/;

/** A unique id that sorts by creation time: 20261121T053412345Z-<suffix>. */
export function newBatchId(suffix: string, now = new Date()): string {
  const clean =
    suffix
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 60) || 'batch';
  return `${stamp(now)}-${clean}-${hex()}`;
}

/** A canary batch's id: 20261121T053412345Z-canary.3fa9c1. */
export function newCanaryId(now = new Date()): string {
  return `${stamp(now)}-canary.${hex()}`;
}

/** Whether a batch is a canary, which checks the pipeline rather than carrying anyone's data. */
export function isCanary(id: string): boolean {
  return isBatchId(id) && CANARY.test(id);
}

/** Part `n` (from 1) of a batch too big to hand on whole: 20261121T053412345Z-listing-3fa9c1.p002. */
export function partId(batch: string, n: number): string {
  return `${batch}.p${String(n).padStart(3, '0')}`;
}

/** The batch a part belongs to (services/lib/parts.ts); a batch that is no part is its own. */
export function listingOf(id: string): string {
  return id.replace(/(?:\.p\d+)+$/, '');
}

export function isBatchId(name: string): boolean {
  return BATCH.test(name);
}

/** When a batch was made, from its id (ms since the epoch); undefined when the name is no batch id. */
export function batchTime(id: string): number | undefined {
  const m = BATCH.exec(id)?.[1];
  if (!m) return undefined;
  const t = Date.parse(`${m.slice(0, 4)}-${m.slice(4, 6)}-${m.slice(6, 8)}T${m.slice(9, 11)}:${m.slice(11, 13)}:${m.slice(13, 15)}.${m.slice(15, 18)}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** The batch a stage file belongs to: `<batch>.<ext>`, or undefined when the name is not ours. */
export function batchOf(fileName: string, ext: string): string | undefined {
  if (!fileName.endsWith(ext)) return undefined;
  const id = fileName.slice(0, -ext.length);
  return isBatchId(id) ? id : undefined;
}

/** How often a dropped file's size and mtime are looked at while it settles. */
const SETTLE_POLL_MS = 25;
/** A whole-second mtime may come from a file system that keeps only seconds (ext3, HFS+) or two (FAT). */
const COARSE_MTIME_MS = 2000;

/**
 * How long a file dropped by hand must hold still after its last write before it is claimed.
 * A copy cuts its writes by size, not by line, so a copy that stalls has, all but always, a
 * line half written at its end: such a file waits `unfinishedMs`. One that ends in a whole
 * line waits only `wholeMs`.
 */
export interface Settle {
  wholeMs: number;
  unfinishedMs: number;
}

/**
 * A file dropped by hand may still be being copied: it is claimed once it has held still for its
 * settle, then renamed to a batch id, which makes the claim atomic and the batch id stable
 * across restarts. Held still means that its size and mtime, looked at often, have not changed,
 * and the quiet time starts at its last write as its mtime tells it. So a file moved in whole
 * (`mv`, or a copy that keeps times: `cp -p`, `rsync -t`) is claimed after one more
 * look instead of a whole settle, while a copy in progress keeps its mtime at now.
 */
export async function claimFile(l: Layout, dir: StageDir, fileName: string, ext: string, settle: Settle, logger: Logger, signal?: AbortSignal): Promise<void> {
  const file = l.file(dir, fileName);
  let seen = await look(file, await stat(file), settle);
  const quiet = () => performance.now() - seen.lastWrite;
  do {
    await sleep(quiet() < seen.holdMs ? Math.min(SETTLE_POLL_MS, seen.holdMs - quiet()) : SETTLE_POLL_MS, undefined, { signal });
    const now = await stat(file);
    if (now.size !== seen.size || now.mtimeMs !== seen.mtimeMs) seen = await look(file, now, settle);
  } while (quiet() < seen.holdMs);
  const batch = newBatchId(path.basename(fileName, ext));
  await rename(file, l.file(dir, `${batch}${ext}`));
  logger.info({ file: fileName, batch }, 'claimed dropped file');
}

/** What a look at a settling file saw, and how long it must hold still from its last write. */
interface Look {
  size: number;
  mtimeMs: number;
  lastWrite: number;
  holdMs: number;
}

async function look(file: string, s: Stats, settle: Settle): Promise<Look> {
  const holdMs = (await endsInWholeLine(file, s.size)) ? settle.wholeMs : settle.unfinishedMs;
  return { size: s.size, mtimeMs: s.mtimeMs, lastWrite: lastWrite(s, holdMs), holdMs };
}

/** Whether the file's last byte, as of `size`, ends a line; an empty file has no whole line yet. */
async function endsInWholeLine(file: string, size: number): Promise<boolean> {
  if (size === 0) return false;
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return bytesRead === 1 && buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * When a file was last written, on the performance clock: its mtime, counted from now when it
 * lies ahead of our clock, and no further back than its settle (which is all the claim asks).
 */
function lastWrite(s: Stats, holdMs: number): number {
  const mtime = s.mtimeMs % 1000 === 0 ? s.mtimeMs + COARSE_MTIME_MS : s.mtimeMs;
  return performance.now() - Math.min(Math.max(Date.now() - mtime, 0), holdMs);
}
