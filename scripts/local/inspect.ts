// Reads a data directory the way a person would check it: what is still waiting in each
// stage, what each batch's receipts and dead letters say, and which batches are done.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listingOf } from '../../services/lib/batches.ts';
import { deadFileOf, layout } from '../../services/lib/layout.ts';
import { HANDOVER_DIRS, SOURCE } from '../../services/lib/pipeline.ts';
import type { Receipt } from '../../services/lib/receipt.ts';
import type { DeadLetter } from '../../services/lib/dead-letters.ts';

export interface BatchSummary {
  batch: string;
  lines: number;
  ok: number;
  rejected: number;
  invalid: number;
  skipped: number;
  pods: Record<string, number>;
  mode: 'single' | 'bulk';
}

/** Drops a listing where getdata publishes its own, atomically as getdata does, or under a plain name as a person would. */
export function dropListing(dataDir: string, fileName: string, content: string | Buffer): string {
  const l = layout(dataDir);
  const tmp = path.join(l.dir('.tmp'), `test.${fileName}`);
  const to = l.file(SOURCE.output!.dir, fileName);
  writeFileSync(tmp, content);
  renameSync(tmp, to);
  return to;
}

/** What waits in each folder between stages (services/lib/pipeline.ts): { txt: […], csv: […], json: […] }. */
export function waitingFiles(dataDir: string): Record<string, string[]> {
  const l = layout(dataDir);
  return Object.fromEntries(HANDOVER_DIRS.map((d) => [d, existsSync(l.dir(d)) ? readdirSync(l.dir(d)) : []]));
}

/**
 * Whether a batch has been delivered whole: no file of it or of its parts waits in a stage's
 * folder, and one has its summary. A converter hands on every part before it lets go of its
 * input, and each stage writes its output before it deletes its input, so the folders, read
 * in the pipeline's order, never miss a part on its way.
 */
export function isDelivered(dataDir: string, batch: string): boolean {
  return !Object.values(waitingFiles(dataDir)).some((files) => files.some((f) => listingOf(idOf(f)) === batch)) && summariesOf(dataDir, batch).length > 0;
}

/** The done/ summaries of a batch, or of each of its parts. */
export function summariesOf(dataDir: string, batch: string): string[] {
  return readdirSync(layout(dataDir).dir('done')).filter((f) => listingOf(idOf(f)) === batch);
}

const idOf = (fileName: string) => fileName.slice(0, fileName.lastIndexOf('.'));

export function doneBatches(dataDir: string): BatchSummary[] {
  const l = layout(dataDir);
  if (!existsSync(l.dir('done'))) return [];
  return readdirSync(l.dir('done'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(l.file('done', f), 'utf8')) as BatchSummary);
}

export function receiptsOf(dataDir: string, batch: string): Receipt[] {
  return ndjson<Receipt>(layout(dataDir).receipts(batch));
}

export function deadLettersOf(dataDir: string, batch: string): DeadLetter[] {
  const l = layout(dataDir);
  return readdirSync(l.dir('dead'))
    .filter((f) => deadFileOf(f)?.batch === batch && deadFileOf(f)?.kind === 'letters')
    .flatMap((f) => ndjson<DeadLetter>(l.file('dead', f)));
}

/** Reads complete lines only: a file being appended to may end in half a line. */
function ndjson<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  return lines.filter(Boolean).map((line) => JSON.parse(line) as T);
}
