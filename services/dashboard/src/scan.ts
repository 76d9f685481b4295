// Lists the data directory's stage folders. The dashboard mounts the volume read-only, so a
// folder no stage has created yet is simply empty here rather than made.
import { readdir } from 'node:fs/promises';
import { layout, STAGE_DIRS } from '../../lib/layout.ts';
import type { DirListing } from './stages.ts';

export async function scanDataDir(root: string): Promise<DirListing> {
  const l = layout(root);
  const entries = await Promise.all(STAGE_DIRS.map(async (d) => [d, await readdir(l.dir(d)).catch(missingIsEmpty)] as const));
  return Object.fromEntries(entries) as DirListing;
}

function missingIsEmpty(err: NodeJS.ErrnoException): string[] {
  if (err.code === 'ENOENT') return [];
  throw err;
}
