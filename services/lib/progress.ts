// How far each batch has come, judged from file names alone: a stage deletes its input only
// after its output is in place, so the furthest folder that holds a file of the batch says where
// it is. The dashboard shows it; the e2e suite follows batches with it.
import { batchOf, listingOf } from './batches.ts';
import type { DirListing } from './layout.ts';
import { SINK, STAGES, stageOf, type DataStageName, type Stage, type StageFolder } from './pipeline.ts';

/** Waiting in a folder between stages; the source's folder reads "listed", the others by their name. */
const waiting = STAGES.filter((s) => s.kind === 'source' || s.kind === 'file-stage').map((s) => ({ progress: s.kind === 'source' ? 'listed' : s.output!.dir, folder: s.output! }));

/** The points a batch passes, in order: each folder between stages, then in the sink's hands, then done. */
export const PROGRESS: readonly string[] = [...waiting.map((w) => w.progress), 'delivering', 'done'];
export type Progress = string;

function batchesIn(listing: DirListing, folder: StageFolder): Set<string> {
  const ids = new Set<string>();
  for (const name of listing[folder.dir]) {
    const batch = batchOf(name, folder.ext);
    if (batch) ids.add(batch);
  }
  return ids;
}

/** Every batch that is somewhere in the pipeline, with how far it has come. */
export function batchProgress(listing: DirListing): Map<string, Progress> {
  const sink = SINK as Required<Stage>;
  const answered = batchesIn(listing, sink.ledger);
  const progress = new Map<string, Progress>();
  for (const w of waiting) {
    const delivering = w.folder.dir === sink.input.dir;
    for (const batch of batchesIn(listing, w.folder)) progress.set(batch, delivering && answered.has(batch) ? 'delivering' : w.progress);
  }
  for (const batch of batchesIn(listing, sink.output)) progress.set(batch, 'done');
  return progress;
}

/** A batch with the parts it was handed on in (services/lib/parts.ts), seen as one. */
export interface ListingProgress {
  /** As far as its least advanced member. */
  progress: Progress;
  /** The batch's own id and its parts' ids, each with how far it has come; the batch's own is done once no file of it is left. */
  members: Map<string, Progress>;
}

/** Every batch somewhere in the pipeline, its parts gathered under it. */
export function byListing(progress: Map<string, Progress>): Map<string, ListingProgress> {
  const out = new Map<string, ListingProgress>();
  for (const [id, p] of progress) {
    const listing = listingOf(id);
    let l = out.get(listing);
    if (!l) {
      l = { progress: 'done', members: new Map([[listing, progress.get(listing) ?? 'done']]) };
      out.set(listing, l);
    }
    l.members.set(id, p);
  }
  for (const l of out.values()) l.progress = PROGRESS[Math.min(...[...l.members.values()].map((p) => PROGRESS.indexOf(p)))]!;
  return out;
}

/** Where a batch is while `stage` works on it. */
export function progressWhileIn(stage: DataStageName): Progress {
  if (stage === SINK.name) return 'delivering';
  const input = stageOf(stage).input!.dir;
  return waiting.find((w) => w.folder.dir === input)!.progress;
}
