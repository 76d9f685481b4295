// Finished batches leave receipts, a summary and dead letters behind; kept for ever they would
// fill the node's disk (local-path does not enforce a claim's size). A batch is forgotten once
// it is older than the age limit or beyond the newest `maxBatches`, judged by the time in its
// id, and never while any stage still holds its input.
import { unlink } from 'node:fs/promises';
import { batchTime } from './batches.ts';
import { deadFileOf, listDataDir, type DirListing, type Layout } from './layout.ts';
import { HANDOVER_DIRS } from './pipeline.ts';

export interface Retention {
  maxAgeMs: number;
  maxBatches: number;
}

/** The batches to forget, oldest first, with the files each left in receipts/, dead/ and done/. */
export function planPrune(listing: DirListing, keep: Retention, now: number): Map<string, string[]> {
  const inFlight = new Set(HANDOVER_DIRS.flatMap((d) => listing[d].map(withoutExt)));
  const files = new Map<string, string[]>();
  const add = (batch: string | undefined, file: string) => {
    if (batch === undefined || batchTime(batch) === undefined) return;
    files.set(batch, [...(files.get(batch) ?? []), file]);
  };
  for (const f of listing.receipts) add(withoutExt(f), `receipts/${f}`);
  for (const f of listing.dead) add(deadFileOf(f)?.batch, `dead/${f}`);
  // The summary goes last, so a prune cut short leaves the batch findable by the next one.
  for (const f of listing.done) add(withoutExt(f), `done/${f}`);

  const newestFirst = [...files.keys()].sort().reverse();
  const plan = new Map<string, string[]>();
  newestFirst.forEach((batch, rank) => {
    const old = now - batchTime(batch)! > keep.maxAgeMs || rank >= keep.maxBatches;
    if (old && !inFlight.has(batch)) plan.set(batch, files.get(batch)!);
  });
  return new Map([...plan].reverse());
}

export async function prune(l: Layout, keep: Retention, now = Date.now()): Promise<{ batches: number; files: number }> {
  const plan = planPrune(await listDataDir(l.root), keep, now);
  let files = 0;
  for (const names of plan.values()) {
    for (const name of names) {
      await unlink(`${l.root}/${name}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      files += 1;
    }
  }
  return { batches: plan.size, files };
}

function withoutExt(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
