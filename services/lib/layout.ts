// Where everything lives in the shared data directory. README.md ("The data directory")
// documents the same layout for people.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isBatchId } from './batches.ts';

export const STAGE_DIRS = ['txt', 'csv', 'json', 'receipts', 'done', 'dead', '.tmp'] as const;
export type StageDir = (typeof STAGE_DIRS)[number];

export interface Layout {
  root: string;
  dir(name: StageDir): string;
  file(name: StageDir, fileName: string): string;
  listing(batch: string): string;
  csv(batch: string): string;
  json(batch: string): string;
  receipts(batch: string): string;
  done(batch: string): string;
  dead(batch: string, stage: string): string;
  /** Where a stage sets aside an input it could not handle (see quarantine.ts). */
  quarantined(batch: string, stage: string): string;
  tmp(stage: string, fileName: string): string;
}

export function layout(root: string): Layout {
  const dir = (name: StageDir) => path.join(root, name);
  const file = (name: StageDir, fileName: string) => path.join(root, name, fileName);
  return {
    root,
    dir,
    file,
    listing: (batch) => file('txt', `${batch}.txt`),
    csv: (batch) => file('csv', `${batch}.csv`),
    json: (batch) => file('json', `${batch}.ndjson`),
    receipts: (batch) => file('receipts', `${batch}.ndjson`),
    done: (batch) => file('done', `${batch}.json`),
    dead: (batch, stage) => file('dead', `${batch}.${stage}.ndjson`),
    quarantined: (batch, stage) => file('dead', `${batch}.${stage}.quarantined`),
    tmp: (stage, fileName) => file('.tmp', `${stage}.${fileName}`),
  };
}

/** The names in each directory of the data directory. */
export type DirListing = Record<StageDir, string[]>;

/** Lists every folder of the data directory; one no stage has created yet is empty (the dashboard mounts it read-only). */
export async function listDataDir(root: string): Promise<DirListing> {
  const l = layout(root);
  const entries = await Promise.all(STAGE_DIRS.map(async (d) => [d, await readdir(l.dir(d)).catch(missingIsEmpty)] as const));
  return Object.fromEntries(entries) as DirListing;
}

function missingIsEmpty(err: NodeJS.ErrnoException): string[] {
  if (err.code === 'ENOENT') return [];
  throw err;
}

export async function ensureLayout(root: string): Promise<Layout> {
  const l = layout(root);
  await Promise.all(STAGE_DIRS.map((d) => mkdir(l.dir(d), { recursive: true })));
  return l;
}

/** A dead/ file's batch, stage and kind: `<batch>.<stage>.ndjson` or `.quarantined`, the stage having no dot. */
export function deadFileOf(name: string): { batch: string; stage: string; kind: 'letters' | 'quarantined' } | undefined {
  const kind = name.endsWith('.ndjson') ? 'letters' : name.endsWith('.quarantined') ? 'quarantined' : undefined;
  if (!kind) return undefined;
  const base = name.slice(0, name.lastIndexOf('.'));
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const batch = base.slice(0, dot);
  return isBatchId(batch) ? { batch, stage: base.slice(dot + 1), kind } : undefined;
}
