// Where each batch is, judged from file names alone: a stage deletes its input only after its
// output is in place, so the furthest stage that holds a file of the batch is where it is.
import { batchOf } from '../../lib/batches.ts';
import type { DirListing } from '../../lib/layout.ts';

export const STAGES = ['listed', 'csv', 'json', 'delivering', 'done'] as const;
export type Stage = (typeof STAGES)[number];

const EXT: Record<'txt' | 'csv' | 'json' | 'receipts' | 'done', string> = {
  txt: '.txt',
  csv: '.csv',
  json: '.ndjson',
  receipts: '.ndjson',
  done: '.json',
};

function batchesIn(listing: DirListing, dir: keyof typeof EXT): Set<string> {
  const ids = new Set<string>();
  for (const name of listing[dir]) {
    const batch = batchOf(name, EXT[dir]);
    if (batch) ids.add(batch);
  }
  return ids;
}

/** Every batch that is somewhere in the pipeline, with its stage. */
export function batchStages(listing: DirListing): Map<string, Stage> {
  const receipts = batchesIn(listing, 'receipts');
  const stages = new Map<string, Stage>();
  for (const batch of batchesIn(listing, 'txt')) stages.set(batch, 'listed');
  for (const batch of batchesIn(listing, 'csv')) stages.set(batch, 'csv');
  for (const batch of batchesIn(listing, 'json')) stages.set(batch, receipts.has(batch) ? 'delivering' : 'json');
  for (const batch of batchesIn(listing, 'done')) stages.set(batch, 'done');
  return stages;
}
