// Where everything lives in the shared data directory. README.md ("The data directory")
// documents the same layout for people.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

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
    tmp: (stage, fileName) => file('.tmp', `${stage}.${fileName}`),
  };
}

export async function ensureLayout(root: string): Promise<Layout> {
  const l = layout(root);
  await Promise.all(STAGE_DIRS.map((d) => mkdir(l.dir(d), { recursive: true })));
  return l;
}
