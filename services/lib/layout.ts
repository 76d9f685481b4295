// Where everything lives in the shared data directory: the folders the pipeline definition
// (services/lib/pipeline.ts) gives its stages, and those every stage shares. README.md ("The
// data directory") documents the same layout for people.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isBatchId } from './batches.ts';
import { PipelineError } from './errors.ts';
import { SINK, STAGE_DIRS, stageOf, type ServiceName, type StageFolder, type StageDir } from './pipeline.ts';

export { STAGE_DIRS, type StageDir };

export interface Layout {
  root: string;
  dir(name: StageDir): string;
  file(name: StageDir, fileName: string): string;
  /** A batch's file in the folder `stage` reads (services/lib/pipeline.ts). */
  input(stage: ServiceName, batch: string): string;
  /** A batch's file in the folder `stage` writes. */
  output(stage: ServiceName, batch: string): string;
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
  const inFolder = (folder: StageFolder | undefined, stage: string, batch: string) => {
    if (!folder) throw new PipelineError(`${stage} has no such folder in services/lib/pipeline.ts`);
    return file(folder.dir, `${batch}${folder.ext}`);
  };
  return {
    root,
    dir,
    file,
    input: (stage, batch) => inFolder(stageOf(stage).input, stage, batch),
    output: (stage, batch) => inFolder(stageOf(stage).output, stage, batch),
    receipts: (batch) => inFolder(SINK.ledger, SINK.name, batch),
    done: (batch) => inFolder(SINK.output, SINK.name, batch),
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
